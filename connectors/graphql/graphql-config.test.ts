// Load-time validation of graphql connector configs: defaults, document checks and the wording of their messages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { UnicsError } from '../../common/errors.ts';
import { graphqlConfigSchema, parseGraphqlConfig, type GraphqlRawConfig } from './graphql-config.ts';
import { helpdeskConnectorConfig } from './fixtures/helpdesk-connector-config.ts';
import { graphqlKind } from './index.ts';

const endpoint = 'http://127.0.0.1:7003/graphql';
const entity = (over: Record<string, unknown>): GraphqlRawConfig => ({
  name: 'helpdesk',
  endpoint,
  entities: { ticketsByUser: { query: 'query ($userIds: [ID!]!) { ticketsByUsers(userIds: $userIds) { id userId } }', keysVariable: 'userIds', resultPath: 'ticketsByUsers', keyField: 'userId', ...over } },
});

function problems(input: unknown): string {
  try {
    parseGraphqlConfig(input);
  } catch (err) {
    expect((err as UnicsError).code).toBe('CONN_ERR_CONFIG');
    return (err as Error).message;
  }
  throw new Error('expected CONN_ERR_CONFIG');
}

describe('graphql config', () => {
  it('fills defaults and compiles the documents once', () => {
    const c = parseGraphqlConfig(entity({}));
    expect(c).toMatchObject({ name: 'helpdesk', endpoint, auth: { type: 'none' }, headers: {}, maxResponseBytes: 8 * 1024 * 1024, commands: {} });
    const e = c.entities.ticketsByUser!;
    expect(e).toMatchObject({ many: false, maxBatchSize: 100, variables: {}, resultPath: ['ticketsByUsers'], keyField: ['userId'] });
    expect(e.operation.operationType).toBe('query');
    expect(e.operation.variables.get('userIds')).toEqual({ name: 'userIds', type: '[ID!]!', isList: true, required: true });
    expect(Object.isFrozen(c) && Object.isFrozen(e)).toBe(true);
    expect(graphqlKind.kind).toBe('graphql');
  });

  it('pins the message for a syntax error: connector, entity, location and the offending line', () => {
    const query = 'query ($userIds: [ID!]!) {\n  ticketsByUsers(userIds: $) { id userId }\n}';
    expect(problems(entity({ query }))).toBe(
      'connector "helpdesk": entity "ticketsByUser": query is not valid GraphQL: Expected Name, found ")" at line 2, column 28 ' +
        '("ticketsByUsers(userIds: $) { id userId }"). Fix the document in the connector\'s config.',
    );
    // The registry gets the same text as a whole-line zod issue at the query's path.
    const result = graphqlConfigSchema.safeParse(entity({ query }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'custom', path: ['entities', 'ticketsByUser', 'query'], params: { whole: true } });
    expect(result.error?.issues[0]?.message).toMatch(/^entity "ticketsByUser": query is not valid GraphQL: Expected Name/);
  });

  it('pins the message for a keys variable the operation does not declare', () => {
    expect(problems(entity({ keysVariable: 'ids' }))).toBe(
      'connector "helpdesk": entity "ticketsByUser": keysVariable "ids" is not declared by the operation; it declares $userIds: [ID!]!. ' +
        'Declare it, e.g. query ($ids: [ID!]!) { ... }, or set keysVariable to the variable that carries the keys.',
    );
  });

  it('refuses a keys variable that is not a list, and static variables that are undeclared or set the keys', () => {
    const single = entity({ query: 'query ($id: ID!) { ticket(id: $id) { id } }', keysVariable: 'id', resultPath: 'ticket', keyField: 'id' });
    expect(problems(single)).toBe('connector "helpdesk": entity "ticketsByUser": keysVariable "id" has type ID!, but it must be a list such as [ID!]!, because one request carries many keys.');
    expect(problems(entity({ variables: { statuss: ['OPEN'], userIds: ['U1'] } })).split('\n')).toEqual([
      'connector "helpdesk": entity "ticketsByUser": variables sets "statuss", which the operation does not declare; it declares $userIds: [ID!]!.',
      'connector "helpdesk": entity "ticketsByUser": variables must not set "userIds"; that is the keys variable, filled with the requested keys.',
    ]);
    const required = entity({ query: 'query ($userIds: [ID!]!, $tenant: String!) { ticketsByUsers(userIds: $userIds) { id } }' });
    expect(problems(required)).toBe('connector "helpdesk": entity "ticketsByUser": the operation requires $tenant: String!, but neither keysVariable nor variables provides it.');
  });

  it('refuses the wrong operation type and documents with several operations', () => {
    expect(problems(entity({ query: 'mutation ($userIds: [ID!]!) { x(ids: $userIds) { id } }' }))).toBe(
      'connector "helpdesk": entity "ticketsByUser": query must be a query, but it is a mutation. Declare writes under commands.',
    );
    expect(problems(entity({ query: 'query A($userIds: [ID!]!) { a } query B { b }' }))).toBe(
      'connector "helpdesk": entity "ticketsByUser": query must contain exactly one operation, but it has 2 (A, B). Keep one operation per document; fragments are fine.',
    );
    const sub = { name: 'helpdesk', endpoint, commands: { watch: { query: 'subscription { ticketChanged { id } }', resultPath: 'ticketChanged' } } };
    expect(problems(sub)).toBe('connector "helpdesk": command "watch": query must be a mutation or query, but it is a subscription.');
  });

  it('reports every problem at once and refuses unknown keys and bad sizes', () => {
    const message = problems({ name: 'helpdesk', endpoint: 'ftp://x', maxResponseSize: 8, retries: 3 });
    expect(message.split('\n')).toEqual([
      'connector "helpdesk": endpoint: must be an http(s) URL like "http://127.0.0.1:7003/graphql"',
      'connector "helpdesk": maxResponseSize must be a size like "1mb", but got 8. Write "8kb" or "8b".',
      'connector "helpdesk": (root): Unrecognized key: "retries"',
    ]);
    expect(problems({ name: 'helpdesk', endpoint, maxResponseSize: '8 parsecs' })).toBe(
      'connector "helpdesk": maxResponseSize must be a size like "1mb", but got "8 parsecs". Write a number followed by b, kb, mb or gb (1kb = 1024 bytes), such as "1mb".',
    );
  });

  it('accepts the test config used against the simulator', () => {
    const c = parseGraphqlConfig(helpdeskConnectorConfig(endpoint));
    expect(Object.keys(c.entities)).toEqual(['ticketsByUser', 'resolvedTicketsByUser', 'ticketsWithAssignee', 'ticketById']);
    expect(c.commands.updateTicketStatus).toMatchObject({ idempotent: false, resultPath: ['updateTicketStatus'] });
  });
});

describe('README', () => {
  it('the demo YAML in README.md is a valid graphql connector matching the tested config', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n(connectors:[\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const def = (parseYaml(yaml!) as { connectors: Record<string, unknown>[] }).connectors[0]!;
    expect(def).toMatchObject({ name: 'helpdesk', kind: 'graphql', endpoint: 'http://127.0.0.1:7003/graphql' });
    const own = Object.fromEntries(Object.entries(def).filter(([k]) => !['kind', 'timeout', 'retry', 'breaker', 'cacheTtl', 'cache', 'concurrency', 'maxQueue'].includes(k)));
    const c = parseGraphqlConfig(own);
    const tested = parseGraphqlConfig(helpdeskConnectorConfig(endpoint));
    expect(c.entities.ticketsByUser!.operation.text).toBe(tested.entities.ticketsByUser!.operation.text);
    expect(c.commands.updateTicketStatus!.operation.text).toBe(tested.commands.updateTicketStatus!.operation.text);
    expect({ ...c.entities.ticketsByUser, operation: undefined }).toEqual({ ...tested.entities.ticketsByUser, operation: undefined });
  });
});
