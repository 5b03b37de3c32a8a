// The rest connector over real HTTP against the CRM simulator (no module mocks): key alignment, per-key mode,
// OAuth2 behaviour, cancellation that reaches the socket, bounded memory on oversized answers, error mapping,
// commands and the connector contract from connectors/testkit.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, systemClock, type Clock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { CRM_OVERSIZED_BYTES, createCrmSimulator, type CrmSimulator } from '../../examples/legacy/crm/index.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { Connector, KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { runConnectorContract } from '../testkit/index.ts';
import { restKind } from './index.ts';
import type { RestConfigInput } from './rest-config.ts';

const data = generateDemoData({ customers: 300 });
const log = createLogger({ level: 'silent' });
let sim: CrmSimulator;
let base: string;
const open: Connector[] = [];

function demoConfig(url: string, over: Partial<RestConfigInput> = {}): RestConfigInput {
  return {
    name: 'crm',
    endpoint: `${url}/api/v1`,
    auth: { type: 'oauth2-client-credentials', tokenUrl: `${url}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret' },
    entities: {
      contact: { maxBatchSize: 100, batch: { path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } },
      contactById: { single: { path: '/contacts/{key}' } },
      contactByEmail: { single: { path: '/contacts?email={key}', resultPath: 'items' } },
    },
    commands: {
      updateContact: { method: 'PATCH', path: '/contacts/{id}', bodyFields: ['email', 'phone', 'tier', 'language', 'customerNo', 'helpdeskUserId'] },
    },
    ...over,
  };
}

function connector(over: Partial<RestConfigInput> = {}, opts: { url?: string; clock?: Clock } = {}): Connector {
  const c = restKind.create(restKind.configSchema.parse(demoConfig(opts.url ?? base, over)), { log, clock: opts.clock ?? systemClock });
  open.push(c);
  return c;
}

const ctx = (signal: AbortSignal = AbortSignal.timeout(5_000)) => ({ tenant: 'demo', signal });
const count = (route: string, s: CrmSimulator = sim) => s.stats.byRoute[route] ?? 0;
const idOf = (r: KeyResult | undefined) => (r?.status === 'ok' ? (r.value as { id: string }).id : r?.status);
const contactKeys = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `C${String(from + i).padStart(6, '0')}`);

/** Requests to the API the server has received and not yet finished or seen closed. */
function trackOpenRequests(s: CrmSimulator): { open: () => number; bytesWritten: () => number } {
  const pending = new Set<ServerResponse>();
  let written = 0;
  s.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith('/api/v1/')) return;
    pending.add(res);
    res.on('close', () => {
      pending.delete(res);
      written += res.socket?.bytesWritten ?? 0;
    });
  });
  return { open: () => pending.size, bytesWritten: () => written };
}

beforeAll(async () => {
  sim = createCrmSimulator({ data });
  base = await sim.listen();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await sim.close();
});
afterEach(() => {
  Object.assign(sim.knobs, { hang: false, malformed: false, oversized: false, hostile: false, errorRate: 0, latencyMs: 0 });
  sim.resetStats();
});

describe('loads', () => {
  it('aligns a reordered batch answer with missing ids by key', async () => {
    const keys = ['C000005', 'C000001', 'C999999', 'C000003', 'C000002'];
    const result = await connector().load('contact', keys, ctx());
    expect([...result.keys()]).toEqual(keys);
    for (const key of keys) expect(idOf(result.get(key))).toBe(key === 'C999999' ? 'not_found' : key);
    expect((result.get('C000003') as { value: unknown }).value).toEqual(data.contacts[2]);
    expect(count('GET /contacts:batch')).toBe(1);
  });

  it('splits a load larger than maxBatchSize into several batch requests', async () => {
    const keys = contactKeys(250);
    const result = await connector().load('contact', keys, ctx());
    expect(keys.every((k) => idOf(result.get(k)) === k)).toBe(true);
    expect(count('GET /contacts:batch')).toBe(3);
  });

  it('in single mode sends one request per key and maps 404 to not_found', async () => {
    const c = connector();
    const result = await c.load('contactById', ['C000002', 'C999999', 'C000007'], ctx());
    expect([...result.entries()].map(([k, r]) => [k, idOf(r)])).toEqual([['C000002', 'C000002'], ['C999999', 'not_found'], ['C000007', 'C000007']]);
    expect(count('GET /contacts/:id')).toBe(3);

    const email = data.contacts[9]!.email.toUpperCase();
    const byEmail = await c.load('contactByEmail', [email, 'nobody+x@example.com'], ctx());
    expect(idOf(byEmail.get(email))).toBe('C000010');
    expect(byEmail.get('nobody+x@example.com')).toEqual({ status: 'not_found' });
  });

  it('refuses unknown entities and commands, listing the declared ones', async () => {
    const c = connector();
    await expect(c.load('order', ['O1'], ctx())).rejects.toThrow('connector "crm" has no entity "order"; it has: contact, contactById, contactByEmail');
    await expect(c.call('refund', {}, ctx())).rejects.toThrow('connector "crm" has no command "refund"; it has: updateContact');
  });
});

describe('OAuth2', () => {
  it('fetches one token for 50 concurrent loads', async () => {
    const c = connector();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => c.load('contact', contactKeys(3, i * 3 + 1), ctx())));
    expect(results.every((r) => [...r.values()].every((v) => v.status === 'ok'))).toBe(true);
    expect(count('POST /oauth/token')).toBe(1);
    expect(count('GET /contacts:batch')).toBe(50);
  });

  it('refreshes before expiry, so no request ever meets an expired token', async () => {
    const clock = createFakeClock(Date.parse('2026-11-02T00:00:00Z'));
    const timed = createCrmSimulator({ data, clock, tokenTtlMs: 60_000 });
    const url = await timed.listen();
    try {
      const c = connector({ auth: { type: 'oauth2-client-credentials', tokenUrl: `${url}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret', refreshSkewMs: 10_000 } }, { url, clock });
      await c.load('contact', ['C000001'], ctx());
      clock.advance(50_000);
      await c.load('contact', ['C000001'], ctx()); // still the first token; starts the refresh
      await waitFor(() => (count('POST /oauth/token', timed) === 2 ? true : undefined), { timeoutMs: 2_000, what: 'the early refresh' });
      clock.advance(10_000); // the first token has now expired on the server
      expect(idOf((await c.load('contact', ['C000001'], ctx())).get('C000001'))).toBe('C000001');
      expect(count('GET /contacts:batch', timed)).toBe(3); // no 401, no retry
    } finally {
      await timed.close();
    }
  });

  it('on a revoked token gets 401, refreshes once and succeeds', async () => {
    const c = connector();
    await c.load('contact', ['C000001'], ctx());
    sim.revokeTokens();
    const result = await c.load('contact', ['C000001'], ctx());
    expect(idOf(result.get('C000001'))).toBe('C000001');
    expect(count('POST /oauth/token')).toBe(2);
    expect(count('GET /contacts:batch')).toBe(3); // the first load, the refused one, its retry
  });

  it('gives up after one refresh when the upstream keeps refusing the token', async () => {
    sim.knobs.hostile = true;
    const err = await connector().load('contact', ['C000001'], ctx()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_UNAUTHORIZED.is(err)).toBe(true);
    expect(count('POST /oauth/token')).toBe(2);
  });

  it('a wrong client secret gives CONN_ERR_UNAUTHORIZED without the secret in the message or details', async () => {
    const secret = 'not-the-secret-8d1e';
    const c = connector({ auth: { type: 'oauth2-client-credentials', tokenUrl: `${base}/oauth/token`, clientId: 'unics-demo', clientSecret: secret } });
    const err = (await c.load('contact', ['C000001'], ctx()).catch((e: unknown) => e)) as UnicsError;
    expect(connErr.CONN_ERR_UNAUTHORIZED.is(err)).toBe(true);
    expect(err.retriable).toBe(false);
    expect(`${err.message} ${JSON.stringify(err)} ${JSON.stringify(err.details)}`).not.toContain(secret);
    expect(count('GET /contacts:batch')).toBe(0);
  });
});

describe('failures', () => {
  it('an aborted load rejects with the abort reason within moments and the upstream request is closed', async () => {
    const c = connector();
    await c.load('contact', ['C000001'], ctx()); // token cached: the hang hits the API request
    const tracker = trackOpenRequests(sim);
    sim.knobs.hang = true;
    const controller = new AbortController();
    const reason = connErr.CONN_ERR_TIMEOUT('connector "crm": no answer within 100 ms');
    setTimeout(() => controller.abort(reason), 100);
    const started = Date.now();
    const pending = c.load('contact', ['C000001', 'C000002'], ctx(controller.signal));
    await waitFor(() => (tracker.open() === 1 ? true : undefined), { timeoutMs: 1_000, what: 'the request to reach the simulator' });
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(600);
    await waitFor(() => (tracker.open() === 0 ? true : undefined), { timeoutMs: 2_000, what: 'the simulator to see the request closed' });
  });

  it('invalid JSON is CONN_ERR_MALFORMED_RESPONSE', async () => {
    const c = connector();
    await c.load('contact', ['C000001'], ctx());
    sim.knobs.malformed = true;
    const err = await c.load('contact', ['C000001'], ctx()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_MALFORMED_RESPONSE.is(err)).toBe(true);
    expect((err as Error).message).toContain(`connector "crm": entity "contact": GET ${base}/api/v1/contacts answered with invalid JSON`);
  });

  it('an oversized answer is CONN_ERR_RESPONSE_TOO_LARGE, read no further than the limit, with bounded memory', async () => {
    const c = connector({ maxResponseSize: '1mb' });
    await c.load('contact', ['C000001'], ctx());
    const tracker = trackOpenRequests(sim);
    sim.knobs.oversized = true;
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = used();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, used() - baseline)), 1);
    try {
      const err = await c.load('contact', ['C000001'], ctx()).catch((e: unknown) => e);
      expect(connErr.CONN_ERR_RESPONSE_TOO_LARGE.is(err)).toBe(true);
      expect((err as Error).message).toBe(`connector "crm": ${base}/api/v1/contacts sent more than the limit of 1048576 bytes`);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, used() - baseline);
    expect(peak).toBeLessThan(8 * 1024 * 1024);
    await waitFor(() => (tracker.open() === 0 ? true : undefined), { timeoutMs: 2_000, what: 'the oversized answer to be cut off' });
    expect(tracker.bytesWritten()).toBeLessThan(CRM_OVERSIZED_BYTES / 2);
  });

  it('HTTP 500 is CONN_ERR_UNAVAILABLE and retriable, in batch and in single mode', async () => {
    const c = connector();
    await c.load('contact', ['C000001'], ctx());
    sim.knobs.errorRate = 1;
    for (const entity of ['contact', 'contactById']) {
      const err = await c.load(entity, ['C000001', 'C000002'], ctx()).catch((e: unknown) => e);
      expect(connErr.CONN_ERR_UNAVAILABLE.is(err), entity).toBe(true);
      expect((err as UnicsError).retriable).toBe(true);
      expect((err as Error).message).toContain('answered HTTP 500');
    }
  });

  it('HTTP 400 is CONN_ERR_REJECTED and not retriable', async () => {
    const c = connector({ entities: { contact: { maxBatchSize: 1000, batch: { path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } } } });
    const err = await c.load('contact', contactKeys(501), ctx()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_REJECTED.is(err)).toBe(true);
    expect((err as UnicsError).retriable).toBe(false);
    expect((err as Error).message).toContain('answered HTTP 400: {"error":"too_many_ids"');
  });

  it('a batch path that does not exist is CONN_ERR_REJECTED naming batch.path', async () => {
    const c = connector({ entities: { contact: { batch: { path: '/people', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } } } });
    const err = await c.load('contact', ['C000001'], ctx()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_REJECTED.is(err)).toBe(true);
    expect((err as Error).message).toBe(`connector "crm": entity "contact": GET ${base}/api/v1/people answered HTTP 404 to a batch request; check batch.path`);
  });
});

describe('commands and health', () => {
  it('PATCH updateContact changes what the next load returns', async () => {
    const c = connector();
    expect(c.commands.get('updateContact')).toEqual({ name: 'updateContact', idempotent: false });
    const before = (await c.load('contact', ['C000042'], ctx())).get('C000042') as { value: { tier: string; updatedAt: string } };
    const tier = before.value.tier === 'platinum' ? 'gold' : 'platinum';
    const answer = (await c.call('updateContact', { id: 'C000042', tier, firstName: 'not patchable, not sent' }, ctx())) as { id: string; tier: string };
    expect(answer).toMatchObject({ id: 'C000042', tier });
    const after = (await c.load('contact', ['C000042'], ctx())).get('C000042') as { value: { tier: string; updatedAt: string; firstName: string } };
    expect(after.value.tier).toBe(tier);
    expect(after.value.firstName).toBe(data.contacts[41]!.firstName);
    expect(after.value.updatedAt > before.value.updatedAt).toBe(true);
    expect(count('PATCH /contacts/:id')).toBe(1);
  });

  it('a command on an unknown id is CONN_ERR_NOT_FOUND; a bad value is CONN_ERR_REJECTED', async () => {
    const c = connector();
    expect(connErr.CONN_ERR_NOT_FOUND.is(await c.call('updateContact', { id: 'C999999', tier: 'gold' }, ctx()).catch((e: unknown) => e))).toBe(true);
    expect(connErr.CONN_ERR_REJECTED.is(await c.call('updateContact', { id: 'C000001', tier: 'diamond' }, ctx()).catch((e: unknown) => e))).toBe(true);
  });

  it('check() answers without spending a token and fails on 5xx or an unreachable upstream', async () => {
    await connector().check(AbortSignal.timeout(2_000));
    expect(count('GET /api/v1')).toBe(1);
    expect(count('POST /oauth/token')).toBe(0);
    sim.knobs.errorRate = 1;
    expect(connErr.CONN_ERR_UNAVAILABLE.is(await connector().check(AbortSignal.timeout(2_000)).catch((e: unknown) => e))).toBe(true);
    const err = await connector({}, { url: 'http://127.0.0.1:1' }).check(AbortSignal.timeout(2_000)).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_UNAVAILABLE.is(err)).toBe(true);
  });

  it('the recorded fixtures still match what the simulator answers', async () => {
    const small = createCrmSimulator({ data: generateDemoData({ customers: 20 }) });
    const url = await small.listen();
    try {
      const c = connector({}, { url });
      const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as { items: unknown[] };
      const batch = await c.load('contact', ['C000003', 'C000001', 'C999999', 'C000002'], ctx());
      for (const record of fixture('contacts-batch.json').items) {
        const id = (record as { id: string }).id;
        expect(batch.get(id)).toEqual({ status: 'ok', value: record });
      }
      const single = await c.load('contactById', ['C000001'], ctx());
      expect(single.get('C000001')).toEqual({ status: 'ok', value: fixture('contact-single.json') });
    } finally {
      await small.close();
    }
  });
});

let contractSim: CrmSimulator;
let contractTracker: ReturnType<typeof trackOpenRequests>;
runConnectorContract('rest against the CRM simulator', async () => {
  contractSim = createCrmSimulator({ data });
  const url = await contractSim.listen();
  contractTracker = trackOpenRequests(contractSim);
  const c = restKind.create(restKind.configSchema.parse(demoConfig(url)), { log, clock: systemClock });
  return {
    connector: c,
    entity: 'contact',
    existingKeys: ['C000001', 'C000002', 'C000150'],
    missingKeys: ['C999999', 'X'],
    setUpstream(mode) {
      Object.assign(contractSim.knobs, { errorRate: mode === 'failing' ? 1 : 0, hang: mode === 'hanging' });
    },
    openUpstreamRequests: () => contractTracker.open(),
    async close() {
      await c.close();
      await contractSim.close();
    },
  };
});
