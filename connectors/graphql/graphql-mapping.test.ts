// The pure core on recorded Helpdesk answers (fixtures/) and on hand-made shapes the simulator cannot produce.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { UnicsError } from '../../common/errors.ts';
import type { KeyResult } from '../connector.ts';
import { parseGraphqlConfig } from './graphql-config.ts';
import { checkTypenameAnswer, mapCommandAnswer, mapEntityAnswer } from './graphql-mapping.ts';
import { decodeGraphqlBody, readGraphqlAnswer, type GraphqlAnswer } from './graphql-response.ts';
import { helpdeskConnectorConfig } from './fixtures/helpdesk-connector-config.ts';
import { FIXTURE_TICKET_IDS, FIXTURE_USERS, fixtureFile, type Fixture } from './fixtures/record-fixtures.ts';

const URL_ = 'http://127.0.0.1:7003/graphql';
const config = parseGraphqlConfig(helpdeskConnectorConfig(URL_));
const fixture = (name: string) => JSON.parse(readFileSync(fixtureFile(name), 'utf8')) as Fixture;
const answerOf = (name: string, what = 'test') => {
  const f = fixture(name);
  return readGraphqlAnswer('helpdesk', { status: f.status, text: () => f.body }, URL_, what);
};
const load = (entity: string, keys: readonly string[], answer: GraphqlAnswer) => mapEntityAnswer('helpdesk', config.entities[entity]!, keys, answer);
const ids = (r: KeyResult | undefined) => (r?.status === 'ok' ? (r.value as { id: string }[]).map((t) => t.id) : r?.status);
const errorOf = (r: KeyResult | undefined) => (r?.status === 'error' ? r.error : undefined);

function thrown(fn: () => unknown): UnicsError {
  try {
    fn();
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected an error');
}

describe('entity answers (recorded)', () => {
  it('aligns tickets answered in ticket-id order to the requested users by userId; no tickets and unknown users get []', () => {
    const { results, ignoredErrors } = load('ticketsByUser', FIXTURE_USERS, answerOf('tickets-by-users'));
    expect([...results.keys()]).toEqual(FIXTURE_USERS);
    expect(Object.fromEntries([...results].map(([k, r]) => [k, ids(r)]))).toEqual({
      U0000030: ['T0000012', 'T0000013', 'T0000014'],
      U0000028: [],
      U0000026: ['T0000001', 'T0000002'],
      U9999999: [],
      U0000009: ['T0000003'],
    });
    const first = results.get('U0000026');
    expect(first?.status === 'ok' && (first.value as unknown[])[0]).toMatchObject({ userId: 'U0000026', status: 'RESOLVED', priority: expect.any(String), subject: expect.any(String) });
    expect(ignoredErrors).toEqual([]);
  });

  it('static variables reach the request and filter the answer', () => {
    expect((fixture('tickets-by-users-resolved').request as { variables: unknown }).variables).toEqual({ status: ['RESOLVED'], userIds: FIXTURE_USERS });
    const { results } = load('resolvedTicketsByUser', FIXTURE_USERS, answerOf('tickets-by-users-resolved'));
    expect(ids(results.get('U0000026'))).toEqual(['T0000001']);
    expect(ids(results.get('U0000030'))).toEqual([]);
  });

  it('errors with data null reject the whole call with CONN_ERR_UPSTREAM_GRAPHQL carrying the upstream message', () => {
    const err = thrown(() => load('ticketsByUser', ['U0000001'], answerOf('tickets-by-users-too-many')));
    expect(err.code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
    expect(err.retriable).toBe(false);
    expect(err.message).toBe(
      'connector "helpdesk": the upstream answered entity "ticketsByUser" with GraphQL errors and no data: ' +
        'ticketsByUsers accepts at most 500 userIds, but got 501. Split the request. [BAD_USER_INPUT at ticketsByUsers]',
    );
    expect(err.details).toEqual({ errors: [{ message: expect.stringContaining('at most 500'), path: ['ticketsByUsers'], code: 'BAD_USER_INPUT' }], count: 1 });
  });

  it('an error inside a record fails only the key that record belongs to (many: the whole list)', () => {
    const { results } = load('ticketsWithAssignee', FIXTURE_USERS, answerOf('tickets-with-assignee-archived'));
    const err = errorOf(results.get('U0000030'));
    expect(err?.code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
    expect(err?.message).toBe(
      'connector "helpdesk": the upstream reported GraphQL errors for key "U0000030" of entity "ticketsWithAssignee" (its list is incomplete): ' +
        'ticket T0000013 is archived; its assignee is in cold storage and cannot be read [ARCHIVED at ticketsByUsers.4.assignee]',
    );
    expect(ids(results.get('U0000026'))).toEqual(['T0000001', 'T0000002']);
    expect(ids(results.get('U0000009'))).toEqual(['T0000003']);
    expect(ids(results.get('U0000028'))).toEqual([]);
  });

  it('a null item with an error cannot be tied to a key: keys without a record get the error, found keys stay ok, none becomes not_found', () => {
    const { results } = load('ticketById', FIXTURE_TICKET_IDS, answerOf('tickets-by-id-archived'));
    expect(results.get('T0000014')).toMatchObject({ status: 'ok', value: { id: 'T0000014', userId: 'U0000030' } });
    expect(results.get('T0000001')).toMatchObject({ status: 'ok', value: { id: 'T0000001' } });
    for (const key of ['T0000013', 'T0000099']) {
      expect(errorOf(results.get(key))?.message).toBe(
        'connector "helpdesk": the upstream left out records of entity "ticketById" with GraphQL errors that cannot be tied to a key, ' +
          "so this key's record may be among them: ticket T0000013 is archived; its record is in cold storage and cannot be read [ARCHIVED at tickets.1]",
      );
    }
  });

  it('without errors, a null item is simply not_found', () => {
    const { results } = load('ticketById', ['T0000099', 'T0000001'], { data: { tickets: [null, { id: 'T0000001', userId: 'U1', status: 'OPEN' }] }, errors: [] });
    expect(results.get('T0000099')).toEqual({ status: 'not_found' });
    expect(results.get('T0000001')?.status).toBe('ok');
  });

  it('hostile ({errors:[{message:"internal"}], data:null}) rejects; malformed rejects with CONN_ERR_MALFORMED_RESPONSE', () => {
    const hostile = thrown(() => load('ticketsByUser', FIXTURE_USERS, answerOf('hostile')));
    expect(hostile.message).toBe('connector "helpdesk": the upstream answered entity "ticketsByUser" with GraphQL errors and no data: internal');
    const malformed = thrown(() => answerOf('malformed', 'entity "ticketsByUser"'));
    expect(malformed.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(malformed.message).toMatch(
      /^connector "helpdesk": entity "ticketsByUser": expected a GraphQL JSON answer from http:\/\/127\.0\.0\.1:7003\/graphql, but got invalid JSON \(.+\) starting with "\{\\"data\\":\{\\"ticketsByUsers\\":/,
    );
  });
});

describe('command answers (recorded)', () => {
  it('returns the value at resultPath', () => {
    const { value } = mapCommandAnswer('helpdesk', config.commands.updateTicketStatus!, answerOf('update-ticket-status'));
    expect(value).toEqual({ id: 'T0000001', userId: 'U0000026', status: 'OPEN', updatedAt: '2030-01-01T00:00:00.000Z' });
  });

  it('returns null for an unknown ticket and rejects a variable error (no data)', () => {
    expect(mapCommandAnswer('helpdesk', config.commands.updateTicketStatus!, answerOf('update-ticket-status-unknown')).value).toBeNull();
    const err = thrown(() => mapCommandAnswer('helpdesk', config.commands.updateTicketStatus!, answerOf('update-ticket-status-bad-enum')));
    expect(err.code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
    expect(err.message).toContain('the upstream answered command "updateTicketStatus" with GraphQL errors and no data: Variable "$status" got invalid value "REOPENED"');
  });

  it('checks { __typename }', () => {
    expect(() => checkTypenameAnswer('helpdesk', answerOf('typename'))).not.toThrow();
    expect(thrown(() => checkTypenameAnswer('helpdesk', answerOf('hostile'))).code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
    expect(thrown(() => checkTypenameAnswer('helpdesk', { data: {}, errors: [] })).code).toBe('CONN_ERR_MALFORMED_RESPONSE');
  });
});

describe('shapes the simulator does not produce', () => {
  const users = parseGraphqlConfig({
    name: 'up',
    endpoint: URL_,
    entities: {
      ticketsOfUsers: { query: 'query ($ids: [ID!]!) { users(ids: $ids) { tickets { id owner { id } } } viewer { name } }', keysVariable: 'ids', resultPath: 'users.tickets', keyField: 'owner.id', many: true },
      account: { query: 'query ($ids: [Int!]!) { accounts(ids: $ids) { no } }', keysVariable: 'ids', resultPath: 'accounts', keyField: 'no' },
    },
  });
  const tickets = users.entities.ticketsOfUsers!;

  it('flattens lists on the resultPath and reads nested keyField paths', () => {
    const data = { users: [{ tickets: [{ id: 't1', owner: { id: 'u2' } }] }, null, { tickets: [{ id: 't2', owner: { id: 'u1' } }, { id: 't3', owner: { id: 'u2' } }] }], viewer: null };
    const { results } = mapEntityAnswer('up', tickets, ['u1', 'u2'], { data, errors: [] });
    expect(ids(results.get('u1'))).toEqual(['t2']);
    expect(ids(results.get('u2'))).toEqual(['t1', 't3']);
  });

  it('ignores errors of other root fields; a path-less error fails every key of a many entity', () => {
    const data = { users: [{ tickets: [{ id: 't1', owner: { id: 'u1' } }] }], viewer: null };
    const other = mapEntityAnswer('up', tickets, ['u1'], { data, errors: [{ message: 'no viewer', path: ['viewer'] }] });
    expect(ids(other.results.get('u1'))).toEqual(['t1']);
    expect(other.ignoredErrors).toEqual([{ message: 'no viewer', path: ['viewer'] }]);
    const pathless = mapEntityAnswer('up', tickets, ['u1', 'u2'], { data, errors: [{ message: 'partial outage' }] });
    expect(errorOf(pathless.results.get('u1'))?.message).toContain("so this key's list may be incomplete: partial outage");
    expect(errorOf(pathless.results.get('u2'))?.code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
  });

  it('errors and not one record reject the whole call, also when data is present', () => {
    const err = thrown(() => mapEntityAnswer('up', tickets, ['u1'], { data: { users: null, viewer: null }, errors: [{ message: 'users service down', path: ['users'] }] }));
    expect(err.message).toBe('connector "up": the upstream answered entity "ticketsOfUsers" with GraphQL errors and no records: users service down [at users]');
  });

  it('numeric keys match their string form; a missing field or key is CONN_ERR_MALFORMED_RESPONSE naming the fix', () => {
    const { results } = mapEntityAnswer('up', users.entities.account!, ['7', '8'], { data: { accounts: [{ no: 7 }] }, errors: [] });
    expect(results.get('7')).toEqual({ status: 'ok', value: { no: 7 } });
    expect(results.get('8')).toEqual({ status: 'not_found' });
    const noField = thrown(() => mapEntityAnswer('up', users.entities.account!, ['7'], { data: { accts: [] }, errors: [] }));
    expect(noField.message).toBe(
      'connector "up": entity "account": expected a field "accounts" at data (resultPath "accounts"), but the answer has only: accts. Check resultPath against the query\'s field names and aliases',
    );
    const noKey = thrown(() => mapEntityAnswer('up', users.entities.account!, ['7'], { data: { accounts: [{ number: 7 }] }, errors: [] }));
    expect(noKey.message).toBe(
      'connector "up": entity "account": expected keyField "no" (a string or number) in the record at data.accounts.0, but got no such field. Select the key field in the query',
    );
  });
});

describe('readGraphqlAnswer', () => {
  const read = (status: number, body: string) => () => readGraphqlAnswer('up', { status, text: () => body }, 'http://u:secret@h/graphql', 'entity "x"');

  it('maps HTTP statuses: 5xx unavailable (retriable), 4xx with a GraphQL body upstream-graphql, 404 rejected, 401 unauthorized', () => {
    const e500 = thrown(read(500, '{"errors":[{"message":"boom"}]}'));
    expect([e500.code, e500.retriable]).toEqual(['CONN_ERR_UNAVAILABLE', true]);
    expect(e500.message).not.toContain('secret');
    const e400 = thrown(read(400, '{"errors":[{"message":"Cannot query field \\"x\\"","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}'));
    expect(e400.message).toBe('connector "up": the upstream refused entity "x" with HTTP 400 and GraphQL errors: Cannot query field "x" [GRAPHQL_VALIDATION_FAILED]');
    expect(thrown(read(400, 'bad request')).code).toBe('CONN_ERR_REJECTED');
    const e404 = thrown(read(404, 'nope'));
    expect([e404.code, e404.message]).toEqual(['CONN_ERR_REJECTED', "connector \"up\": http://u:[redacted]@h/graphql answered HTTP 404: nope. Check the connector's endpoint"]);
    expect(thrown(read(401, '')).code).toBe('CONN_ERR_UNAUTHORIZED');
  });

  it('refuses bodies that are not GraphQL answers', () => {
    expect(thrown(read(200, '')).message).toBe('connector "up": entity "x": expected a GraphQL JSON answer from http://u:[redacted]@h/graphql, but got an empty body');
    expect(thrown(read(200, '[1]')).message).toContain('(an object with "data" or "errors"), but got an array');
    expect(thrown(read(200, '{"result":1}')).message).toContain('but the object has neither "data" nor "errors" (keys: result)');
    expect(thrown(read(200, '{"data":[]}')).message).toContain('but its "data" is an array instead of an object');
  });

  it('truncates long and many upstream messages', () => {
    const errors = Array.from({ length: 8 }, (_, i) => ({ message: `${i}:${'x'.repeat(500)}` }));
    const answer = decodeGraphqlBody('up', JSON.stringify({ errors, data: null }), URL_, 'x');
    expect(answer.errors[0]!.message).toHaveLength(300);
    const err = thrown(() => load('ticketsByUser', ['U1'], answer));
    expect(err.message).toMatch(/; and 3 more$/);
    expect(err.details).toMatchObject({ count: 8 });
    expect((err.details as { errors: unknown[] }).errors).toHaveLength(5);
  });
});
