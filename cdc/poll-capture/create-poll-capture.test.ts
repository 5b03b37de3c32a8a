// The poll capture against the real CRM and Helpdesk simulators over loopback HTTP, with an in-memory producer and
// position store: the initial load as "r", updates as "u" with before/after, heartbeats, restarts from the stored
// position, and failures that leave the position where it was.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createCrmSimulator, type CrmSimulator } from '../../examples/legacy/crm/index.ts';
import { createHelpdeskSimulator, type HelpdeskSimulator } from '../../examples/legacy/helpdesk/index.ts';
import { decodeChangeEvent, type ChangeEvent } from '../decode-change-event.ts';
import type { ChangeSource } from './change-source.ts';
import { createPollCapture, type PollCaptureEvents, type PollCaptureOptions } from './create-poll-capture.ts';
import { createCrmChangeSource } from './crm-change-source.ts';
import { createHelpdeskChangeSource } from './helpdesk-change-source.ts';
import { createMemoryPositionStore, type PositionStore } from './position-store.ts';
import { createFakeProducer, type FakeProducer } from './test-support/fake-producer.ts';

const log = createLogger({ level: 'silent' });
const CONTACTS = 'unics.crm.contacts';
const HEARTBEATS = '__debezium-heartbeat.crm';

let crm: CrmSimulator;
let source: ChangeSource;
let token: string;

beforeAll(async () => {
  crm = createCrmSimulator({ data: generateDemoData({ customers: 25, seed: 11 }) });
  const base = await crm.listen();
  source = createCrmChangeSource({
    baseUrl: `${base}/api/v1`,
    auth: { type: 'oauth2-client-credentials', tokenUrl: `${base}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret', refreshSkewMs: 30_000 },
  });
  const grant = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=unics-demo&client_secret=demo-secret' });
  token = ((await grant.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await source.close();
  await crm.close();
});
afterEach(() => Object.assign(crm.knobs, { errorRate: 0, malformed: false }));

async function patch(id: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${crm.url()}/api/v1/contacts/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

function capture(producer: FakeProducer, positionStore: PositionStore, extra: Partial<PollCaptureOptions> = {}) {
  const c = createPollCapture({ name: 'crm', source, producer, positionStore, log, pageSize: 10, ...extra });
  const polled: PollCaptureEvents['capture.polled'][] = [];
  const failed: PollCaptureEvents['capture.failed'][] = [];
  c.events.on('capture.polled', (e) => void polled.push(e));
  c.events.on('capture.failed', (e) => void failed.push(e));
  return { c, polled, failed };
}

const decodeAll = (p: FakeProducer, topic: string) =>
  p.sent.filter((m) => m.topic === topic).map((m, i) => decodeChangeEvent({ topic, partition: 0, offset: String(i), key: m.key, value: m.value }));

async function rejection(promise: Promise<unknown>): Promise<UnicsError> {
  try {
    await promise;
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected a rejection');
}

describe('createPollCapture over the CRM simulator', () => {
  let producer: FakeProducer;
  let store: PositionStore;
  beforeEach(() => {
    producer = createFakeProducer();
    store = createMemoryPositionStore();
  });

  it('loads every contact as "r" (the last one "last"), saves the position, then produces a heartbeat from the poll\'s start', async () => {
    const { c, polled } = capture(producer, store);
    const before = Date.now();
    const result = await c.pollOnce();
    expect(result).toMatchObject({ produced: 25, pages: 3, snapshot: true, complete: true });
    const events = decodeAll(producer, CONTACTS) as ChangeEvent[];
    expect(events.map((e) => e.op)).toEqual(Array(25).fill('read'));
    expect(events.map((e) => e.snapshot)).toEqual([...Array(24).fill('true'), 'last']);
    expect(new Set(events.map((e) => e.key?.id)).size).toBe(25);
    for (const e of events) {
      expect(e.before).toBeNull();
      expect(e.after).toEqual(crm.contact(String(e.key?.id)));
      expect(e.position?.lsn).toBe(BigInt(Date.parse(String(e.after?.updatedAt)) * 1000));
      expect(e.schema).toBe('crm');
      expect(e.table).toBe('contacts');
    }
    // The heartbeat is the last message, and claims no more than the poll's start.
    expect(producer.sent.at(-1)!.topic).toBe(HEARTBEATS);
    const [heartbeat] = decodeAll(producer, HEARTBEATS);
    expect(heartbeat).toEqual({ kind: 'heartbeat', tsMs: result.capturedToMs });
    expect(result.capturedToMs).toBeGreaterThanOrEqual(before);
    expect(result.capturedToMs).toBeLessThanOrEqual(Date.now());
    expect(JSON.parse((await store.load())!)).toEqual({ since: expect.any(String) });
    expect(polled).toEqual([expect.objectContaining({ produced: 25, snapshot: true, durationMs: expect.any(Number) })]);
  });

  it('produces a PATCH as one "u" with before (the version it produced) and after, and skips what it already produced', async () => {
    const { c } = capture(producer, store);
    await c.pollOnce();
    const quiet = await c.pollOnce();
    expect(quiet).toMatchObject({ produced: 0, snapshot: false, complete: true });
    const loaded = crm.contact('C000007')!;
    await patch('C000007', { tier: 'platinum', email: 'new.address@example.com' });
    producer.sent.length = 0;
    expect((await c.pollOnce()).produced).toBe(1);
    const [update, heartbeat] = producer.sent;
    expect(update!.topic).toBe(CONTACTS);
    expect(heartbeat!.topic).toBe(HEARTBEATS);
    const event = decodeAll(producer, CONTACTS)[0] as ChangeEvent;
    expect(event).toMatchObject({ op: 'update', snapshot: 'false', key: { id: 'C000007' }, before: loaded, after: crm.contact('C000007') });
    expect(event.after?.tier).toBe('platinum');
    expect(event.position?.lsn).toBe(BigInt(Date.parse(crm.contact('C000007')!.updatedAt) * 1000));
    expect(event.position!.lsn).toBeGreaterThan(BigInt(Date.parse(loaded.updatedAt) * 1000));
    expect(JSON.parse((await store.load())!)).toEqual({ since: crm.contact('C000007')!.updatedAt });
  });

  it('after a restart with the stored position: no initial load again, and the next change still arrives', async () => {
    const first = capture(producer, store);
    await first.c.pollOnce();
    await first.c.stop();

    const again = createFakeProducer();
    const second = capture(again, store);
    const resumed = await second.c.pollOnce();
    expect(resumed).toMatchObject({ snapshot: false, produced: 1 }); // the newest contact, re-read at `since` (inclusive), produced again
    expect((decodeAll(again, CONTACTS)[0] as ChangeEvent).op).toBe('update');
    again.sent.length = 0;
    await patch('C000003', { language: 'fr' });
    expect((await second.c.pollOnce()).produced).toBe(1);
    const event = decodeAll(again, CONTACTS)[0] as ChangeEvent;
    expect(event).toMatchObject({ op: 'update', key: { id: 'C000003' }, before: null, after: crm.contact('C000003') });
  });

  it('reports a failing CRM (errorRate 1, then malformed), keeps the position and produces nothing, then recovers', async () => {
    const { c, failed, polled } = capture(producer, store);
    await c.pollOnce();
    const saved = await store.load();
    await patch('C000010', { tier: 'gold' });
    producer.sent.length = 0;

    crm.knobs.errorRate = 1;
    expect((await rejection(c.pollOnce())).code).toBe('CONN_ERR_UNAVAILABLE');
    crm.knobs.errorRate = 0;
    crm.knobs.malformed = true;
    expect((await rejection(c.pollOnce())).code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(failed.map((f) => [f.attempt, (f.error as UnicsError).code])).toEqual([[1, 'CONN_ERR_UNAVAILABLE'], [2, 'CONN_ERR_MALFORMED_RESPONSE']]);
    expect(await store.load()).toBe(saved);
    expect(producer.sent).toEqual([]); // not even a heartbeat: nothing new is known to be captured

    crm.knobs.malformed = false;
    expect((await c.pollOnce()).produced).toBe(1);
    expect((decodeAll(producer, CONTACTS)[0] as ChangeEvent).key).toEqual({ id: 'C000010' });
    expect(await store.load()).not.toBe(saved);
    expect(polled.at(-1)!.produced).toBe(1);
  });

  it('when Kafka does not acknowledge, fails with CDC_ERR_CAPTURE_UNAVAILABLE, keeps the position, and produces the change again', async () => {
    const { c } = capture(producer, store);
    await c.pollOnce();
    const saved = await store.load();
    await patch('C000012', { tier: 'silver' });
    producer.failNext(1);
    const err = await rejection(c.pollOnce());
    expect(err.code).toBe('CDC_ERR_CAPTURE_UNAVAILABLE');
    expect(err.message).toContain('poll capture "crm": Kafka did not acknowledge 1 message(s) to unics.crm.contacts');
    expect(await store.load()).toBe(saved);
    producer.sent.length = 0;
    expect((await c.pollOnce()).produced).toBe(1);
    expect((decodeAll(producer, CONTACTS)[0] as ChangeEvent).key).toEqual({ id: 'C000012' });
  });

  it('when the position cannot be saved after the ack, fails, and saves it on the next poll without producing twice', async () => {
    let refuse = false;
    const inner = createMemoryPositionStore();
    const flaky: PositionStore = {
      load: () => inner.load(),
      save: async (p) => {
        if (refuse) throw new Error('READONLY You can\'t write against a read only replica.');
        await inner.save(p);
      },
    };
    const { c } = capture(producer, flaky);
    await c.pollOnce();
    const saved = await inner.load();
    await patch('C000013', { tier: 'gold' });
    refuse = true;
    const err = await rejection(c.pollOnce());
    expect(err.code).toBe('CDC_ERR_CAPTURE_UNAVAILABLE');
    expect(err.message).toContain('could not save its position');
    expect(await inner.load()).toBe(saved);
    refuse = false;
    producer.sent.length = 0;
    expect((await c.pollOnce()).produced).toBe(0); // acknowledged before, remembered: not produced again
    expect(JSON.parse((await inner.load())!)).toEqual({ since: crm.contact('C000013')!.updatedAt });
  });

  it('refuses to poll once stopped', async () => {
    const { c } = capture(producer, store);
    await c.stop();
    expect((await rejection(c.pollOnce())).code).toBe('COMMON_ERR_CLOSED');
  });
});

describe('the simulators\' stamps', () => {
  it('grow for every version of a record even when the clock stands still, so lsn grows without the tie-breaker', async () => {
    const frozen = createFakeClock(Date.parse('2026-11-23T10:00:00.000Z'));
    const sim = createCrmSimulator({ data: generateDemoData({ customers: 3, seed: 1 }), clock: frozen });
    const base = await sim.listen();
    const src = createCrmChangeSource({ baseUrl: `${base}/api/v1`, auth: { type: 'oauth2-client-credentials', tokenUrl: `${base}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret', refreshSkewMs: 0 } });
    try {
      const producer = createFakeProducer();
      const c = createPollCapture({ name: 'crm', source: src, producer, positionStore: createMemoryPositionStore(), log, clock: frozen });
      await c.pollOnce();
      const bearer = `Bearer ${((await (await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=unics-demo&client_secret=demo-secret' })).json()) as { access_token: string }).access_token}`;
      const lsns: bigint[] = [];
      for (const tier of ['gold', 'silver', 'platinum']) {
        await fetch(`${base}/api/v1/contacts/C000002`, { method: 'PATCH', headers: { authorization: bearer, 'content-type': 'application/json' }, body: JSON.stringify({ tier }) });
        producer.sent.length = 0;
        expect((await c.pollOnce()).produced).toBe(1);
        const event = decodeAll(producer, CONTACTS)[0] as ChangeEvent;
        expect(event.after?.tier).toBe(tier);
        lsns.push(event.position!.lsn);
      }
      // Stamped 1 ms apart by the CRM itself (max(now, last + 1)), so lsn = stamp × 1000 and still grows.
      expect(lsns[1]! - lsns[0]!).toBe(1000n);
      expect(lsns[2]! - lsns[1]!).toBe(1000n);
    } finally {
      await src.close();
      await sim.close();
    }
  });
});

describe('createPollCapture over the Helpdesk simulator', () => {
  let helpdesk: HelpdeskSimulator;
  let tickets: ChangeSource;
  const data = generateDemoData({ customers: 30, seed: 2 });
  beforeAll(async () => {
    helpdesk = createHelpdeskSimulator({ data });
    tickets = createHelpdeskChangeSource({ url: `${await helpdesk.listen()}/graphql` });
  });
  afterAll(async () => {
    await tickets.close();
    await helpdesk.close();
  });

  it('loads the tickets as "r" on unics.helpdesk.tickets, then a status update as "u"', async () => {
    const producer = createFakeProducer();
    const c = createPollCapture({ name: 'helpdesk', source: tickets, producer, positionStore: createMemoryPositionStore(), log, pageSize: 4 });
    expect((await c.pollOnce()).produced).toBe(data.tickets.length);
    const loaded = decodeAll(producer, 'unics.helpdesk.tickets') as ChangeEvent[];
    expect(loaded.every((e) => e.op === 'read' && e.schema === 'helpdesk' && e.table === 'tickets')).toBe(true);
    expect(loaded.at(-1)!.snapshot).toBe('last');
    const before = loaded.find((e) => e.key?.id === 'T0000001')!.after;
    await fetch(`${helpdesk.url()}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { updateTicketStatus(id: "T0000001", status: PENDING) { id } }' }) });
    producer.sent.length = 0;
    expect((await c.pollOnce()).produced).toBe(1);
    const update = decodeAll(producer, 'unics.helpdesk.tickets')[0] as ChangeEvent;
    expect(update).toMatchObject({ op: 'update', key: { id: 'T0000001' }, before, after: { ...before, status: 'PENDING', updatedAt: helpdesk.ticket('T0000001')!.updatedAt } });
    expect(decodeAll(producer, '__debezium-heartbeat.helpdesk')).toHaveLength(1);
  });
});
