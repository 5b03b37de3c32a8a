// The graphql-jit executor answers exactly what graphql-js's execute() answers, over real HTTP: the same gateway
// over the fake schema once with each executor, and every request below compared status and body. The cases are
// where the two could differ: errors and partial results, non-null propagation, variables (missing, wrong type,
// defaults), directives, fragments, aliases, introspection, mutations, operation selection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSchemaModule } from './test-support/fake-schema-module.ts';
import { startTestGateway, type TestGateway } from './test-support/start-test-gateway.ts';
import { buildExecutableSchema } from '../schema/executable-schema.ts';
import { getOperationAST, GraphQLError, parse } from './graphql-runtime.ts';
import { asGraphQLError, createJitGateway } from './jit-gateway.ts';

const CASES: ReadonlyArray<{ name: string; body: Record<string, unknown> }> = [
  { name: 'plain query', body: { query: '{ customer(id: "C1") { id name orders(first: 2) { id totalCents } } }' } },
  { name: 'list with nested lists', body: { query: '{ customers(ids: ["C1", "C2"]) { id friends(first: 2) { id name } } }' } },
  { name: 'uncatalogued and catalogued errors beside data', body: { query: '{ boom down me { tenant roles } }' } },
  { name: 'a non-null field resolving null (propagates to the customer)', body: { query: '{ customer(id: "nameless") { id name } customers(ids: ["C1", "nameless"]) { id name } }' } },
  { name: 'a null customer', body: { query: '{ customer(id: "missing") { id } }' } },
  { name: 'aliases and __typename', body: { query: '{ a: customer(id: "C1") { __typename id } b: customer(id: "C2") { n: name } }' } },
  { name: 'fragments', body: { query: 'query Q { customer(id: "C1") { ...F ... on Customer { name } } } fragment F on Customer { id }' } },
  { name: '@skip and @include with variables', body: { query: 'query Q($s: Boolean!, $i: Boolean!) { customer(id: "C1") { id @skip(if: $s) name @include(if: $i) } }', variables: { s: true, i: false } } },
  { name: 'variables with a default', body: { query: 'query Q($id: ID! = "C7", $n: Int = 1) { customer(id: $id) { id orders(first: $n) { id } } }' } },
  { name: 'a required variable missing', body: { query: 'query Q($id: ID!) { customer(id: $id) { id } }', variables: {} } },
  { name: 'a variable of the wrong type', body: { query: 'query Q($n: Int) { customer(id: "C1") { orders(first: $n) { id } } }', variables: { n: 'many' } } },
  { name: 'a null for a non-null list item variable', body: { query: 'query Q($ids: [ID!]!) { customers(ids: $ids) { id } }', variables: { ids: ['C1', null] } } },
  { name: 'named operation among two', body: { query: 'query A { me { subject } } query B { me { tenant } }', operationName: 'B' } },
  { name: 'an unknown operation name', body: { query: 'query A { me { subject } }', operationName: 'Z' } },
  { name: 'a mutation', body: { query: 'mutation { touch(id: "1") }' } },
  { name: 'introspection', body: { query: '{ __schema { queryType { name } } __type(name: "Customer") { fields { name } } }' } },
];

describe('the graphql-jit executor', () => {
  let jit: TestGateway;
  let reference: TestGateway;
  beforeAll(async () => {
    [jit, reference] = await Promise.all([startTestGateway({ executor: 'jit' }), startTestGateway({ executor: 'graphql-js', schema: createFakeSchemaModule() })]);
  });
  afterAll(async () => {
    await Promise.all([jit?.close(), reference?.close()]);
  });

  it.each(CASES)('answers $name as graphql-js does', async ({ body }) => {
    // Three times: the first request runs on graphql-js, the second compiles the operation, the third runs it.
    for (let i = 0; i < 3; i += 1) {
      const [a, b] = await Promise.all([jit.post(body), reference.post(body)]);
      expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
    }
  });

  it('compiles each document and operation name once, from its second request, keeps at most maxCompiledQueries, and tells Apollo the schema', async () => {
    const fake = createFakeSchemaModule();
    const schema = buildExecutableSchema(fake.typeDefs, fake.resolvers);
    const gateway = createJitGateway(schema, { maxCompiledQueries: 2 });
    const seen: unknown[] = [];
    gateway.onSchemaLoadOrUpdate((s) => seen.push(s.apiSchema));
    const { executor } = await gateway.load({ apollo: {} });
    expect(seen).toEqual([schema]);
    const context = fake.createContext({ subject: 's', tenant: 'demo', roles: [] }, { signal: new AbortController().signal, explain: false });
    const run = (query: string, operationName: string | null = null) =>
      executor!({ queryHash: query, operationName, operation: getOperationAST(parse(query), operationName), document: parse(query), context, request: { operationName: operationName ?? undefined, variables: {} } } as unknown as Parameters<NonNullable<typeof executor>>[0]);
    expect(await run('{ me { tenant } }')).toEqual({ data: { me: { tenant: 'demo' } } });
    expect(gateway.compiledCount()).toBe(0); // first sighting: graphql-js
    expect(await run('{ me { tenant } }')).toEqual({ data: { me: { tenant: 'demo' } } });
    expect(await run('{ me { tenant } }')).toEqual({ data: { me: { tenant: 'demo' } } });
    expect(gateway.compiledCount()).toBe(1);
    const two = 'query A { me { subject } } query B { me { tenant } }';
    for (let i = 0; i < 2; i += 1) {
      expect(await run(two, 'A')).toEqual({ data: { me: { subject: 's' } } });
      expect(await run(two, 'B')).toEqual({ data: { me: { tenant: 'demo' } } });
    }
    expect(gateway.compiledCount()).toBe(2); // the bound: the first one was dropped
    await gateway.stop();
    expect(gateway.compiledCount()).toBe(0);
  });

  it('gives graphql-jit errors what Apollo Server reads (extensions, writable locations) and keeps the original', () => {
    const original = new Error('down');
    // graphql-jit's shape: a GraphQLError by prototype, read-only fields, no extensions.
    const jitError = Object.create(GraphQLError.prototype, {
      message: { value: 'down', enumerable: true },
      locations: { value: [{ line: 1, column: 3 }], enumerable: true },
      path: { value: ['boom'], enumerable: true },
      originalError: { value: original },
      extensions: { value: undefined },
    }) as GraphQLError;
    const fixed = asGraphQLError(jitError);
    expect(Object.getPrototypeOf(fixed)).toBe(GraphQLError.prototype);
    expect(fixed.toJSON()).toEqual({ message: 'down', locations: [{ line: 1, column: 3 }], path: ['boom'] });
    expect(fixed.extensions).toEqual({});
    expect(fixed.originalError).toBe(original);
    const plain = new GraphQLError('ok', { extensions: { code: 'X' } });
    expect(asGraphQLError(plain)).toBe(plain);
  });
});
