// The Helpdesk simulator over real HTTP on loopback: its GraphQL API, error shapes, change capture and knobs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../common/clock.ts';
import { generateDemoData } from '../demo-data.ts';
import { createHelpdeskSimulator, HELPDESK_OVERSIZED_BYTES, type HelpdeskSimulator } from './index.ts';

const data = generateDemoData({ customers: 80, seed: 11 });
const clock = createFakeClock(Date.parse('2020-01-01T00:00:00Z')); // behind the data: stamps must still move forward
const usersWithTickets = [...new Set(data.tickets.map((t) => t.userId))];
const archivedId = data.tickets[1]!.id;
let sim: HelpdeskSimulator;
let base: string;

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; locations?: unknown; extensions?: { code?: string } }[];
}

async function gql(query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as Answer };
}

beforeAll(async () => {
  sim = createHelpdeskSimulator({ data, clock, archivedTicketIds: [archivedId] });
  base = await sim.listen();
});
afterAll(() => sim.close());
afterEach(() => {
  Object.assign(sim.knobs, { malformed: false, oversized: false, hostile: false, errorRate: 0, hang: false });
  sim.resetStats();
});

const BY_USERS = 'query ($u: [ID!]!, $s: [TicketStatus!]) { ticketsByUsers(userIds: $u, status: $s) { id userId status priority } }';

describe('ticketsByUsers', () => {
  it('answers every ticket of the requested users in ticket-id order, not in the order the users were asked', async () => {
    const asked = [...usersWithTickets.slice(0, 12)].reverse();
    const { status, body } = await gql(BY_USERS, { u: [...asked, 'U9999999'] });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const tickets = (body.data!.ticketsByUsers as { id: string; userId: string }[]);
    const expected = data.tickets.filter((t) => asked.includes(t.userId)).map((t) => t.id).sort();
    expect(tickets.map((t) => t.id)).toEqual(expected);
    const firstSeen = [...new Set(tickets.map((t) => t.userId))];
    expect(firstSeen).not.toEqual(asked.filter((u) => firstSeen.includes(u)));
    expect(sim.stats.byRoute).toEqual({ 'graphql ticketsByUsers': 1 });
  });

  it('filters by status and serves enums in the API spelling', async () => {
    const { body } = await gql(BY_USERS, { u: usersWithTickets, s: ['OPEN', 'RESOLVED'] });
    const tickets = body.data!.ticketsByUsers as { status: string; priority: string }[];
    const expected = data.tickets.filter((t) => t.status === 'open' || t.status === 'resolved').length;
    expect(expected).toBeGreaterThan(0);
    expect(tickets).toHaveLength(expected);
    expect(tickets.every((t) => t.status === 'OPEN' || t.status === 'RESOLVED')).toBe(true);
    expect(tickets.every((t) => ['LOW', 'NORMAL', 'HIGH', 'URGENT'].includes(t.priority))).toBe(true);
  });

  it('refuses more than 500 user ids with a BAD_USER_INPUT error and data null', async () => {
    const { status, body } = await gql(BY_USERS, { u: Array.from({ length: 501 }, (_, i) => `U${i}`) });
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({ message: 'ticketsByUsers accepts at most 500 userIds, but got 501. Split the request.', path: ['ticketsByUsers'], extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
  });

  it("returns archived tickets with assignee null and an ARCHIVED error at that item's path", async () => {
    const owner = data.tickets[1]!.userId;
    const { body } = await gql('query ($u: [ID!]!) { ticketsByUsers(userIds: $u) { id assignee } }', { u: [owner] });
    const tickets = body.data!.ticketsByUsers as { id: string; assignee: string | null }[];
    const index = tickets.findIndex((t) => t.id === archivedId);
    expect(tickets[index]!.assignee).toBeNull();
    expect(tickets.filter((t) => t.id !== archivedId).every((t) => typeof t.assignee === 'string')).toBe(true);
    expect(body.errors).toEqual([expect.objectContaining({ path: ['ticketsByUsers', index, 'assignee'], extensions: { code: 'ARCHIVED' } })]);
  });
});

describe('ticket and tickets', () => {
  it('looks a ticket up by id; unknown is null without error, archived null with ARCHIVED', async () => {
    const first = data.tickets[0]!;
    const { body } = await gql('query ($ids: [ID!]!) { tickets(ids: $ids) { id userId } one: ticket(id: "T9999999") { id } }', { ids: [archivedId, first.id, 'T9999999'] });
    expect(body.data).toEqual({ tickets: [null, { id: first.id, userId: first.userId }, null], one: null });
    expect(body.errors).toEqual([expect.objectContaining({ path: ['tickets', 0], extensions: { code: 'ARCHIVED' } })]);
    expect(sim.stats.byRoute).toEqual({ 'graphql tickets+ticket': 1 });
  });
});

describe('ticketsUpdatedSince', () => {
  const PAGE = 'query ($since: String!, $after: String) { ticketsUpdatedSince(since: $since, first: 7, after: $after) { edges { cursor node { id updatedAt } } pageInfo { hasNextPage endCursor } } }';
  type Page = { edges: { cursor: string; node: { id: string; updatedAt: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

  async function all(since: string): Promise<{ id: string; updatedAt: string }[]> {
    const seen: { id: string; updatedAt: string }[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const { body } = await gql(PAGE, { since, after });
      const page = body.data!.ticketsUpdatedSince as Page;
      seen.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) return seen;
      after = page.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  it('pages through every ticket once, in (updatedAt, id) order, and sees a status update at the end', async () => {
    const before = await all('2000-01-01T00:00:00Z');
    expect(before.map((t) => t.id).sort()).toEqual(data.tickets.map((t) => t.id).sort());
    const order = before.map((t) => `${t.updatedAt}|${t.id}`);
    expect(order).toEqual([...order].sort());

    const target = data.tickets[0]!.id;
    const { body } = await gql('mutation ($id: ID!) { updateTicketStatus(id: $id, status: PENDING) { id status updatedAt } }', { id: target });
    const updated = body.data!.updateTicketStatus as { status: string; updatedAt: string };
    expect(updated.status).toBe('PENDING');
    expect(updated.updatedAt > before.at(-1)!.updatedAt).toBe(true);
    expect(sim.ticket(target)?.status).toBe('PENDING');
    const after = await all(before.at(-1)!.updatedAt);
    expect(after.map((t) => t.id)).toEqual([before.at(-1)!.id, target].filter((id, i, a) => a.indexOf(id) === i));
  });

  it('refuses a bad since, page size or cursor with BAD_USER_INPUT', async () => {
    for (const vars of [{ since: 'yesterday' }, { since: '2026-01-01', after: 'bm9wZQ' }]) {
      const { body } = await gql(PAGE, vars);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const { body } = await gql('{ ticketsUpdatedSince(since: "2026-01-01", first: 501) { pageInfo { hasNextPage } } }');
    expect(body.errors?.[0]?.message).toBe('first must be between 1 and 500, but got 501');
  });
});

describe('updateTicketStatus', () => {
  it('answers null for an unknown ticket and stamps strictly increasing updatedAt', async () => {
    const unknown = await gql('mutation { updateTicketStatus(id: "T9999999", status: CLOSED) { id } }');
    expect(unknown.body).toEqual({ data: { updateTicketStatus: null } });
    const id = data.tickets[2]!.id;
    const a = await gql(`mutation { updateTicketStatus(id: "${id}", status: OPEN) { updatedAt } }`);
    const b = await gql(`mutation { updateTicketStatus(id: "${id}", status: RESOLVED) { updatedAt } }`);
    const stamp = (r: typeof a) => (r.body.data!.updateTicketStatus as { updatedAt: string }).updatedAt;
    expect(stamp(b) > stamp(a)).toBe(true);
    expect(sim.stats.byRoute['graphql updateTicketStatus']).toBe(3);
  });
});

describe('GraphQL over HTTP', () => {
  it('serves queries over GET and refuses mutations over GET with 405', async () => {
    const q = new URLSearchParams({ query: 'query ($id: ID!) { ticket(id: $id) { id } }', variables: JSON.stringify({ id: data.tickets[0]!.id }) });
    const res = await fetch(`${base}/graphql?${q}`);
    expect(await res.json()).toEqual({ data: { ticket: { id: data.tickets[0]!.id } } });
    const m = new URLSearchParams({ query: 'mutation { updateTicketStatus(id: "T0000001", status: OPEN) { id } }' });
    const refused = await fetch(`${base}/graphql?${m}`);
    expect(refused.status).toBe(405);
    expect(refused.headers.get('allow')).toBe('POST');
  });

  it('answers syntax, validation and variable errors with codes and no data', async () => {
    const syntax = await gql('{ ticketsByUsers(userIds: ["U1"]) { id ');
    expect(syntax.body).toEqual({ errors: [{ message: 'Syntax Error: Expected Name, found <EOF>.', locations: [{ line: 1, column: 40 }], extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    const invalid = await gql('{ ticketsByUsers(userIds: ["U1"]) { nope } }');
    expect(invalid.body.data).toBeUndefined();
    expect(invalid.body.errors?.[0]).toMatchObject({ message: 'Cannot query field "nope" on type "Ticket".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const vars = await gql('query ($s: [TicketStatus!]) { ticketsByUsers(userIds: ["U1"], status: $s) { id } }', { s: ['BOGUS'] });
    expect(vars.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(sim.stats.byRoute).toEqual({ 'graphql (invalid)': 1, 'graphql ticketsByUsers': 2 });
  });

  it('refuses a body that is not a GraphQL request with 400', async () => {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"variables":{}}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'query must be a non-empty string', extensions: { code: 'BAD_REQUEST' } }] });
  });
});

describe('knobs', () => {
  it('hostile: HTTP 200 with errors and data null', async () => {
    sim.knobs.hostile = true;
    expect(await gql('{ __typename }')).toEqual({ status: 200, body: { errors: [{ message: 'internal' }], data: null } });
    expect(sim.stats.byRoute).toEqual({ 'graphql __typename': 1 });
  });

  it('malformed: the real answer cut in half', async () => {
    sim.knobs.malformed = true;
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ticket(id: "T0000001") { id subject } }' }) });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text.startsWith('{"data":{"ticket":')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('oversized: streams about 20 MB of JSON without a content-length', async () => {
    sim.knobs.oversized = true;
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(res.headers.get('content-length')).toBeNull();
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(HELPDESK_OVERSIZED_BYTES);
    expect((JSON.parse(text) as { data: { ticketsByUsers: unknown[] } }).data.ticketsByUsers.length).toBeGreaterThan(1000);
  });

  it('errorRate 1: HTTP 500 with a GraphQL error body', async () => {
    sim.knobs.errorRate = 1;
    const { status, body } = await gql('{ __typename }');
    expect(status).toBe(500);
    expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });
});
