// Reading the helpdesk's ticketsUpdatedSince answers, on real answers recorded from the simulator (fixtures/) and on
// broken shapes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { UnicsError } from '../../common/errors.ts';
import { fixtureFile, type Fixture } from './fixtures/record-fixtures.ts';
import { helpdeskChangeRequest, readHelpdeskChangePage, TICKETS_UPDATED_SINCE_QUERY } from './helpdesk-change-page.ts';

const fixture = (name: string) => JSON.parse(readFileSync(fixtureFile(name), 'utf8')) as Fixture;
const URL_ = 'http://127.0.0.1:7003/graphql';
const answer = (body: string, status = 200) => ({ status, text: () => body });
const read = (body: string, previous?: string, status = 200) => readHelpdeskChangePage(answer(body, status), 'helpdesk', URL_, previous);

function refusal(body: string, status = 200): UnicsError {
  try {
    read(body, undefined, status);
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected the page to be refused');
}

type Connection = { edges: Array<{ node: Record<string, string> }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
const connectionOf = (f: Fixture) => (JSON.parse(f.body) as { data: { ticketsUpdatedSince: Connection } }).data.ticketsUpdatedSince;

describe('helpdeskChangeRequest', () => {
  it('asks for exactly the ticket fields, capped at the helpdesk\'s page limit of 500', () => {
    const body = JSON.parse(helpdeskChangeRequest('2026-11-23T10:00:00.000Z', 1000, 'abc')) as { query: string; variables: unknown };
    expect(body.query).toBe(TICKETS_UPDATED_SINCE_QUERY);
    expect(body.query).toContain('node { id userId subject status priority createdAt updatedAt }');
    expect(body.variables).toEqual({ since: '2026-11-23T10:00:00.000Z', first: 500, after: 'abc' });
    expect((JSON.parse(helpdeskChangeRequest('x', 2, undefined)) as { variables: { after: unknown } }).variables.after).toBeNull();
  });
});

describe('readHelpdeskChangePage on recorded answers', () => {
  it('reads a page with more to come: the tickets exactly as the API returns them and the endCursor', () => {
    const f = fixture('helpdesk-changes-first-page');
    const sent = connectionOf(f);
    const page = read(f.body);
    expect(page).toMatchObject({ hasMore: true, cursor: sent.pageInfo.endCursor });
    expect(page.records.map((r) => r.record)).toEqual(sent.edges.map((e) => e.node));
    expect(Object.keys(page.records[0]!.record)).toEqual(['id', 'userId', 'subject', 'status', 'priority', 'createdAt', 'updatedAt']);
    expect(page.records[0]!.updatedAtMs).toBe(Date.parse(sent.edges[0]!.node.updatedAt!));
    expect(page.records[0]!.createdAtMs).toBe(Date.parse(sent.edges[0]!.node.createdAt!));
  });

  it('reads the next page, the last page, and an empty page (keeping the cursor it asked with)', () => {
    const first = read(fixture('helpdesk-changes-first-page').body);
    const second = read(fixture('helpdesk-changes-cursor-page').body);
    expect(second.records[0]!.updatedAtMs).toBeGreaterThanOrEqual(first.records.at(-1)!.updatedAtMs);
    const all = read(fixture('helpdesk-changes-last-page').body);
    expect(all.hasMore).toBe(false);
    expect(all.records.length).toBeGreaterThan(first.records.length + second.records.length - 1);
    expect(read(fixture('helpdesk-changes-empty').body, 'prev')).toEqual({ records: [], cursor: 'prev', hasMore: false });
  });

  it('maps GraphQL errors to CONN_ERR_UPSTREAM_GRAPHQL and a cut-off body to CONN_ERR_MALFORMED_RESPONSE', () => {
    const hostile = refusal(fixture('helpdesk-changes-hostile').body);
    expect(hostile.code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
    expect(hostile.message).toBe('connector "helpdesk": the helpdesk answered ticketsUpdatedSince with errors: internal');
    const badCursor = refusal(fixture('helpdesk-changes-bad-cursor').body);
    expect(badCursor.code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
    expect(badCursor.message).toBe('connector "helpdesk": the helpdesk answered ticketsUpdatedSince with errors: after must be an endCursor returned by ticketsUpdatedSince, but got "bm90LWEtY3Vyc29y" [BAD_USER_INPUT at ticketsUpdatedSince]');
    const cut = refusal(fixture('helpdesk-changes-malformed').body);
    expect(cut.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(cut.message).toContain(`expected a GraphQL JSON answer from ${URL_}, but got invalid JSON`);
  });

  it('maps HTTP 500 to the retriable CONN_ERR_UNAVAILABLE', () => {
    const err = refusal('{"errors":[{"message":"helpdesk simulator: injected failure"}]}', 500);
    expect(err.code).toBe('CONN_ERR_UNAVAILABLE');
    expect(err.retriable).toBe(true);
  });
});

describe('readHelpdeskChangePage on broken shapes', () => {
  const node = { id: 'T1', updatedAt: '2026-11-23T10:00:00.000Z' };
  const body = (connection: unknown) => JSON.stringify({ data: { ticketsUpdatedSince: connection } });
  it.each([
    [body(null), 'expected data.ticketsUpdatedSince to be an object {edges, pageInfo}, but got null'],
    [body({ edges: 'x', pageInfo: {} }), 'expected "edges" to be a list, but got the string "x"'],
    [body({ edges: [] }), 'expected "pageInfo" to be an object, but got undefined'],
    [body({ edges: [], pageInfo: { endCursor: null } }), 'expected pageInfo.hasNextPage to be true or false, but got undefined'],
    [body({ edges: [], pageInfo: { hasNextPage: false, endCursor: 7 } }), 'expected pageInfo.endCursor to be a non-empty string or null, but got number'],
    [body({ edges: [{ node }], pageInfo: { hasNextPage: false, endCursor: null } }), 'expected pageInfo.endCursor after a non-empty page, but got null'],
    [body({ edges: [{ node: { ...node, updatedAt: null } }], pageInfo: { hasNextPage: false, endCursor: 'c' } }), 'item 0 (id T1) should have an ISO date-time "updatedAt", but has null'],
    [body({ edges: [], pageInfo: { hasNextPage: true, endCursor: null } }), 'it says more changes follow but returned none'],
  ])('refuses %s: %s', (text, problem) => {
    const err = refusal(text);
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toContain(`change source "helpdesk": ticketsUpdatedSince from ${URL_}: ${problem}`);
  });
});
