// The graphql connector over real HTTP against the Helpdesk simulator on loopback.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import { createCrmSimulator } from '../../examples/legacy/crm/index.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createHelpdeskSimulator, type HelpdeskSimulator } from '../../examples/legacy/helpdesk/index.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { CallContext, Connector, KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { helpdeskConnectorConfig } from './fixtures/helpdesk-connector-config.ts';
import { FIXTURE_ARCHIVED, FIXTURE_USERS } from './fixtures/record-fixtures.ts';
import type { GraphqlRawConfig } from './graphql-config.ts';
import { graphqlKind } from './index.ts';

const data = generateDemoData({ customers: 30, seed: 42 });
const logLines: Record<string, unknown>[] = [];
const log = createLogger({ level: 'warn', destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) } });
const deps = { log, clock: createFakeClock() };
let sim: HelpdeskSimulator;
let endpoint: string;
let helpdesk: Connector;
const opened: Connector[] = [];
const requests: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];

const ctx = (signal: AbortSignal = new AbortController().signal): CallContext => ({ tenant: 'demo', signal });
const ids = (r: KeyResult | undefined) => (r?.status === 'ok' ? (r.value as { id: string }[]).map((t) => t.id) : r?.status);

function connector(over: (c: GraphqlRawConfig) => GraphqlRawConfig = (c) => c): Connector {
  const c = graphqlKind.create(graphqlKind.configSchema.parse(over(helpdeskConnectorConfig(endpoint))), deps);
  opened.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<UnicsError> {
  try {
    await p;
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  sim = createHelpdeskSimulator({ data, archivedTicketIds: [FIXTURE_ARCHIVED] });
  endpoint = `${await sim.listen()}/graphql`;
  sim.server.on('request', (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.startsWith('/graphql')) requests.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> });
    });
  });
  helpdesk = connector();
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await sim.close();
});
afterEach(() => {
  Object.assign(sim.knobs, { malformed: false, oversized: false, hostile: false, errorRate: 0, hang: false });
  sim.resetStats();
  requests.length = 0;
  logLines.length = 0;
});

describe('load', () => {
  it('loads a batch in one request and aligns the reordered tickets by userId; users without tickets get []', async () => {
    const results = await helpdesk.load('ticketsByUser', FIXTURE_USERS, ctx());
    expect([...results.keys()]).toEqual(FIXTURE_USERS);
    expect(Object.fromEntries([...results].map(([k, r]) => [k, ids(r)]))).toEqual({
      U0000030: ['T0000012', 'T0000013', 'T0000014'],
      U0000028: [],
      U0000026: ['T0000001', 'T0000002'],
      U9999999: [],
      U0000009: ['T0000003'],
    });
    expect(sim.stats.byRoute).toEqual({ 'graphql ticketsByUsers': 1 });
    expect(requests[0]?.body).toMatchObject({ operationName: 'TicketsByUsers', variables: { userIds: FIXTURE_USERS } });
    expect(helpdesk.entities.get('ticketsByUser')).toEqual({ name: 'ticketsByUser', many: true, maxBatchSize: 500 });
  });

  it('sends static variables with the keys (status filter)', async () => {
    const results = await helpdesk.load('resolvedTicketsByUser', ['U0000026', 'U0000030'], ctx());
    expect(ids(results.get('U0000026'))).toEqual(['T0000001']);
    expect(ids(results.get('U0000030'))).toEqual([]);
    expect(requests[0]?.body.variables).toEqual({ status: ['RESOLVED'], userIds: ['U0000026', 'U0000030'] });
  });

  it('splits a batch larger than maxBatchSize into several requests and merges them by key', async () => {
    const small = connector((c) => ({ ...c, entities: { ticketsByUser: { ...c.entities!.ticketsByUser!, maxBatchSize: 2 } } }));
    const results = await small.load('ticketsByUser', FIXTURE_USERS, ctx());
    expect(sim.stats.byRoute).toEqual({ 'graphql ticketsByUsers': 3 });
    expect(ids(results.get('U0000030'))).toHaveLength(3);
    expect(ids(results.get('U0000009'))).toEqual(['T0000003']);
  });

  it('makes no request for no keys', async () => {
    expect((await helpdesk.load('ticketsByUser', [], ctx())).size).toBe(0);
    expect(sim.stats.requests).toBe(0);
  });

  it('fails only the key whose record carries an error in a partial answer', async () => {
    const results = await helpdesk.load('ticketsWithAssignee', FIXTURE_USERS, ctx());
    expect(results.get('U0000030')).toMatchObject({ status: 'error', error: { code: 'CONN_ERR_UPSTREAM_GRAPHQL' } });
    expect(ids(results.get('U0000026'))).toEqual(['T0000001', 'T0000002']);
  });

  it('logs and otherwise ignores errors of another root field in the same document', async () => {
    const withOther = connector((c) => ({
      ...c,
      entities: { t: { query: `query ($u: [ID!]!) { ticketsByUsers(userIds: $u) { id userId } other: ticket(id: "${FIXTURE_ARCHIVED}") { id } }`, keysVariable: 'u', resultPath: 'ticketsByUsers', keyField: 'userId', many: true } },
    }));
    const results = await withOther.load('t', ['U0000009'], ctx());
    expect(ids(results.get('U0000009'))).toEqual(['T0000003']);
    expect(logLines).toEqual([expect.objectContaining({ connector: 'helpdesk', what: 'entity "t"', count: 1, errors: [expect.stringContaining('[ARCHIVED at other]')] })]);
  });

  it('rejects a batch the upstream refuses (more than 500 ids) with CONN_ERR_UPSTREAM_GRAPHQL', async () => {
    const big = connector((c) => ({ ...c, entities: { ticketsByUser: { ...c.entities!.ticketsByUser!, maxBatchSize: 1000 } } }));
    const err = await rejection(big.load('ticketsByUser', Array.from({ length: 501 }, (_, i) => `U${i}`), ctx()));
    expect([err.code, err.retriable]).toEqual(['CONN_ERR_UPSTREAM_GRAPHQL', false]);
    expect(err.message).toContain('ticketsByUsers accepts at most 500 userIds, but got 501');
  });

  it('rejects unknown entities and commands, listing the defined ones', async () => {
    const err = await rejection(helpdesk.load('orders', ['x'], ctx()));
    expect([err.code, err.message]).toEqual(['CONN_ERR_UNKNOWN_ENTITY', 'connector "helpdesk" has no entity "orders"; it has: resolvedTicketsByUser, ticketById, ticketsByUser, ticketsWithAssignee']);
    expect((await rejection(helpdesk.call('refund', {}, ctx()))).message).toBe('connector "helpdesk" has no command "refund"; it has: updateTicketStatus');
  });
});

describe('call', () => {
  it('runs the mutation with the input as variables (undeclared input is not sent) and returns the result', async () => {
    const result = await helpdesk.call('updateTicketStatus', { id: 'T0000004', status: 'OPEN', note: 'not a variable' }, ctx());
    expect(result).toMatchObject({ id: 'T0000004', userId: 'U0000025', status: 'OPEN', updatedAt: expect.any(String) });
    expect(sim.ticket('T0000004')?.status).toBe('OPEN');
    expect(requests[0]?.body.variables).toEqual({ id: 'T0000004', status: 'OPEN' });
    expect(helpdesk.commands.get('updateTicketStatus')).toEqual({ name: 'updateTicketStatus', idempotent: false });
    expect(await helpdesk.call('updateTicketStatus', { id: 'T0000099', status: 'OPEN' }, ctx())).toBeNull();
  });

  it('rejects a bad input the upstream refuses with CONN_ERR_UPSTREAM_GRAPHQL', async () => {
    const err = await rejection(helpdesk.call('updateTicketStatus', { id: 'T0000004', status: 'REOPENED' }, ctx()));
    expect(err.code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
    expect(err.message).toContain('Value "REOPENED" does not exist in "TicketStatus" enum');
  });
});

describe('broken upstream', () => {
  it('hostile: a 200 with errors and data null rejects with CONN_ERR_UPSTREAM_GRAPHQL', async () => {
    sim.knobs.hostile = true;
    const err = await rejection(helpdesk.load('ticketsByUser', ['U0000026'], ctx()));
    expect(err.message).toBe('connector "helpdesk": the upstream answered entity "ticketsByUser" with GraphQL errors and no data: internal');
    expect((await rejection(helpdesk.check(new AbortController().signal))).code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
  });

  it('malformed: truncated JSON rejects with CONN_ERR_MALFORMED_RESPONSE', async () => {
    sim.knobs.malformed = true;
    const err = await rejection(helpdesk.load('ticketsByUser', ['U0000026'], ctx()));
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toContain(`connector "helpdesk": entity "ticketsByUser": expected a GraphQL JSON answer from ${endpoint}, but got invalid JSON`);
  });

  it('oversized: a 20 MB answer is cut off at maxResponseSize', async () => {
    sim.knobs.oversized = true;
    const small = connector((c) => ({ ...c, maxResponseSize: '1mb' }));
    const err = await rejection(small.load('ticketsByUser', ['U0000026'], ctx()));
    expect(err.code).toBe('CONN_ERR_RESPONSE_TOO_LARGE');
    expect((await rejection(helpdesk.load('ticketsByUser', ['U0000026'], ctx()))).message).toContain('sent more than the limit of 8388608 bytes');
  });

  it('HTTP 500 rejects with CONN_ERR_UNAVAILABLE, retriable', async () => {
    sim.knobs.errorRate = 1;
    const err = await rejection(helpdesk.load('ticketsByUser', ['U0000026'], ctx()));
    expect([err.code, err.retriable]).toEqual(['CONN_ERR_UNAVAILABLE', true]);
    expect(err.message).toBe(`connector "helpdesk": ${endpoint} answered HTTP 500: {"errors":[{"message":"helpdesk simulator: injected failure","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`);
  });

  it('a timeout cancels the upstream request: the caller gets the timeout and the server sees the socket close', async () => {
    sim.knobs.hang = true;
    let closed = 0;
    const onRequest = (_req: IncomingMessage, res: ServerResponse) => res.on('close', () => closed++);
    sim.server.on('request', onRequest);
    try {
      const controller = new AbortController();
      const pending = rejection(helpdesk.load('ticketsByUser', ['U0000026'], ctx(controller.signal)));
      await waitFor(() => (requests.length > 0 ? true : undefined), { timeoutMs: 5000, what: 'the request to reach the simulator' });
      expect(closed).toBe(0);
      controller.abort(connErr.CONN_ERR_TIMEOUT('connector "helpdesk": no answer within 50ms'));
      const err = await pending;
      expect([err.code, err.retriable]).toEqual(['CONN_ERR_TIMEOUT', true]);
      await waitFor(() => (closed === 1 ? true : undefined), { timeoutMs: 5000, what: 'the simulator to see the request closed' });
    } finally {
      sim.server.off('request', onRequest);
    }
  });

  it('a caller that gives up gets CONN_ERR_ABORTED; an unreachable upstream CONN_ERR_UNAVAILABLE', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await rejection(helpdesk.load('ticketsByUser', ['U1'], ctx(controller.signal)))).code).toBe('CONN_ERR_ABORTED');
    const nowhere = connector((c) => ({ ...c, endpoint: 'http://127.0.0.1:1/graphql' }));
    const err = await rejection(nowhere.load('ticketsByUser', ['U1'], ctx()));
    expect([err.code, err.retriable]).toEqual(['CONN_ERR_UNAVAILABLE', true]);
  });
});

describe('check and auth', () => {
  it('check() sends { __typename } and passes', async () => {
    await helpdesk.check(new AbortController().signal);
    expect(requests[0]?.body).toEqual({ query: '{ __typename }' });
    expect(sim.stats.byRoute).toEqual({ 'graphql __typename': 1 });
  });

  it('sends configured headers and bearer credentials', async () => {
    const withAuth = connector((c) => ({ ...c, auth: { type: 'bearer', token: 't0ken' }, headers: { 'x-tenant': 'demo' } }));
    await withAuth.check(new AbortController().signal);
    expect(requests[0]?.headers).toMatchObject({ authorization: 'Bearer t0ken', 'x-tenant': 'demo', 'content-type': 'application/json' });
  });

  it('fetches an OAuth2 client-credentials token and sends it as a bearer token', async () => {
    const crm = createCrmSimulator({ data });
    const tokenUrl = `${await crm.listen()}/oauth/token`;
    try {
      const withOAuth = connector((c) => ({ ...c, auth: { type: 'oauth2-client-credentials', tokenUrl, clientId: 'unics-demo', clientSecret: 'demo-secret' } }));
      await withOAuth.check(new AbortController().signal);
      await withOAuth.load('ticketsByUser', ['U0000026'], ctx());
      expect(crm.stats.byRoute['POST /oauth/token']).toBe(1);
      expect(requests.map((r) => r.headers.authorization)).toEqual([expect.stringMatching(/^Bearer [\w-]{20,}$/), requests[0]?.headers.authorization]);
    } finally {
      await crm.close();
    }
  });
});
