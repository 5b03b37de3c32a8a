// The operation span over real HTTP: Fastify + Apollo Server 5 with the plugin, resolvers on per-request DataLoaders
// over a real rest connector to the CRM simulator, and the connector listener — the same wiring app/ uses. Checks
// that connector spans nest under their own operation (also when requests run concurrently), that errors mark the
// span, and that the operation's context does not leak past execution.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import Fastify, { type FastifyInstance } from 'fastify';
import { GraphQLError } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, isUnicsError, systemClock } from '../../common/index.ts';
import { traceConnectorCalls } from '../../connectors/connector-tracing.ts';
import { builtinConnectorKinds, createConnectorEmitter, createConnectorRegistry, createEntityLoader, loadConnectors, type LoadedConnectors } from '../../connectors/index.ts';
import { createCrmSimulator, type CrmSimulator } from '../../examples/legacy/crm/index.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createApolloTracingPlugin } from './apollo-tracing-plugin.ts';
import { createTracing, type Tracing } from './create-tracing.ts';

const typeDefs = /* GraphQL */ `
  type Contact { id: ID! email: String }
  type Query { contact(id: ID!): Contact, contacts(ids: [ID!]!): [Contact] }
`;
type Ctx = { contact: ReturnType<typeof createEntityLoader> };
const load = async (ctx: Ctx, id: string) => {
  try {
    return await ctx.contact.load(id);
  } catch (err) {
    // What the gateway's error formatting does for catalogued errors: the code reaches the client.
    if (isUnicsError(err)) throw new GraphQLError(err.message, { extensions: { code: err.code } });
    throw err;
  }
};
const resolvers = {
  Query: {
    contact: (_: unknown, args: { id: string }, ctx: Ctx) => load(ctx, args.id),
    contacts: (_: unknown, args: { ids: string[] }, ctx: Ctx) => args.ids.map((id) => load(ctx, id)),
  },
};

describe('createApolloTracingPlugin (Fastify + Apollo Server 5 over HTTP, CRM connector)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let sim: CrmSimulator;
  let loaded: LoadedConnectors;
  let apollo: ApolloServer<Ctx>;
  let app: FastifyInstance;
  let url: string;
  let stopConnectorTracing: () => void;
  /** The active span seen by the HTTP handler once Apollo answered: must not be the operation's. */
  const afterApollo: (string | undefined)[] = [];
  const activeDuring = { resolve: [] as (string | undefined)[], send: [] as (string | undefined)[] };

  beforeAll(async () => {
    tracing = createTracing({ exporter, serviceName: 'unics-test' });
    sim = createCrmSimulator({ data: generateDemoData({ customers: 30 }) });
    const simUrl = await sim.listen();
    const events = createConnectorEmitter();
    loaded = await loadConnectors(
      [{
        name: 'crm',
        kind: 'rest',
        endpoint: `${simUrl}/api/v1`,
        auth: { type: 'oauth2-client-credentials', tokenUrl: `${simUrl}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret' },
        timeout: '2s',
        retry: { policy: 'none' },
        breaker: false,
        entities: { contact: { maxBatchSize: 100, batch: { method: 'GET', path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } } },
      }],
      { registry: createConnectorRegistry(builtinConnectorKinds), log: createLogger({ level: 'silent' }), clock: systemClock, events },
    );
    stopConnectorTracing = traceConnectorCalls(events, tracing.tracer, { connectorKind: (n) => loaded.connectors.get(n)?.kind });
    const crm = loaded.connectors.get('crm')!;

    // A plugin after ours, recording the active span while fields resolve and when the response is sent.
    const probe: ApolloServerPlugin<Ctx> = {
      async requestDidStart() {
        return {
          async executionDidStart() {
            return { willResolveField: () => void activeDuring.resolve.push(trace.getActiveSpan()?.spanContext().spanId) };
          },
          async willSendResponse() {
            activeDuring.send.push(trace.getActiveSpan()?.spanContext().spanId);
          },
        };
      },
    };
    apollo = new ApolloServer<Ctx>({ typeDefs, resolvers, plugins: [createApolloTracingPlugin(tracing.tracer), probe] });
    await apollo.start();
    app = Fastify();
    const graphql = fastifyApolloHandler(apollo, {
      context: async () => ({ contact: createEntityLoader(crm, 'contact', { tenant: 'demo', signal: AbortSignal.timeout(5_000) }) }),
    });
    app.route({
      method: ['GET', 'POST'],
      url: '/graphql',
      async handler(request, reply) {
        const answer = await graphql.call(this, request, reply);
        afterApollo.push(trace.getActiveSpan()?.spanContext().spanId);
        return answer;
      },
    });
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
    // The OAuth2 token is fetched on the first call; do it now so the tests see only API requests.
    await crm.load('contact', ['C000030'], { tenant: 'demo', signal: AbortSignal.timeout(5_000) });
  });
  afterAll(async () => {
    stopConnectorTracing();
    await app.close();
    await apollo.stop();
    await loaded.close();
    await sim.close();
    await tracing.shutdown();
  });
  afterEach(() => {
    exporter.reset();
    afterApollo.length = 0;
    activeDuring.resolve.length = 0;
    activeDuring.send.length = 0;
  });

  const post = async (query: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };
  const spans = () => exporter.getFinishedSpans();
  const operations = () => spans().filter((s) => s.kind === SpanKind.SERVER);
  const childrenOf = (op: ReadableSpan) => spans().filter((s) => s.parentSpanContext?.spanId === op.spanContext().spanId);

  it('records the operation as a SERVER span named by type and name, with the batched connector call as its child', async () => {
    const query = 'query Three { contacts(ids: ["C000001", "C000002", "C000003"]) { id } }';
    const { status, body } = await post(query);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { contacts: [{ id: 'C000001' }, { id: 'C000002' }, { id: 'C000003' }] } });

    const [op, ...more] = operations();
    expect(more).toEqual([]);
    expect(op?.name).toBe('query Three');
    expect(op?.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'Three',
      'unics.graphql.document_length': query.length,
      'unics.graphql.errors': 0,
    });
    expect(op?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(op?.resource.attributes['service.name']).toBe('unics-test');
    // Three resolver loads in one tick: one DataLoader batch, one upstream request, one span under the operation.
    const children = childrenOf(op!);
    expect(children.map((c) => [c.name, c.attributes['unics.batch_size'], c.attributes['unics.outcome']])).toEqual([['connector.crm contact', 3, 'success']]);
    expect(children[0]!.spanContext().traceId).toBe(op!.spanContext().traceId);
    // The cache outcome reaches the operation span too (no cache configured here: nothing recorded, nothing invented).
    expect(op?.attributes['unics.cache.hits']).toBeUndefined();
  });

  it('keeps concurrent operations apart: every connector span sits under its own operation', async () => {
    const requests = [1, 2, 3, 4, 5, 6].map((n) => {
      // Disjoint ids (1, 2-3, 4-6, …): a key shared by two requests in flight would be joined by singleflight.
      const ids = Array.from({ length: n }, (_, i) => `"C0000${String((n * (n - 1)) / 2 + 1 + i).padStart(2, '0')}"`);
      return post(`query Batch${n} { contacts(ids: [${ids.join(', ')}]) { id } }`);
    });
    const answers = await Promise.all(requests);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const ops = operations();
    expect(ops.map((o) => o.name).sort()).toEqual(['query Batch1', 'query Batch2', 'query Batch3', 'query Batch4', 'query Batch5', 'query Batch6']);
    for (const op of ops) {
      const n = Number(op.name.slice('query Batch'.length));
      expect(childrenOf(op).map((c) => c.attributes['unics.batch_size'])).toEqual([n]);
    }
    // No connector span ended up as a root or under the wrong trace.
    const connectorSpans = spans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(connectorSpans).toHaveLength(6);
    expect(connectorSpans.every((c) => ops.some((o) => o.spanContext().spanId === c.parentSpanContext?.spanId))).toBe(true);
  });

  it('marks the operation ERROR with the error count and codes when a source fails, and the failed call too', async () => {
    sim.knobs.errorRate = 1;
    try {
      const { body } = await post('query Failing { contact(id: "C000020") { id } }');
      expect(body.errors?.[0]?.extensions?.code).toBe('CONN_ERR_UNAVAILABLE');
    } finally {
      sim.knobs.errorRate = 0;
    }
    const [op] = operations();
    expect(op?.status).toEqual({ code: SpanStatusCode.ERROR, message: '1 error: CONN_ERR_UNAVAILABLE' });
    expect(op?.attributes).toMatchObject({ 'unics.graphql.errors': 1, 'unics.graphql.error_codes': ['CONN_ERR_UNAVAILABLE'] });
    expect(op?.events.map((e) => [e.name, e.attributes])).toEqual([['graphql.error', { 'unics.error.code': 'CONN_ERR_UNAVAILABLE', 'graphql.error.path': 'contact' }]]);
    const [call] = childrenOf(op!);
    expect(call?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'CONN_ERR_UNAVAILABLE' });
    expect(call?.attributes['unics.error.code']).toBe('CONN_ERR_UNAVAILABLE');
  });

  it('still ends a span for a request that never executes (parse error), named generically', async () => {
    const { status } = await post('query Broken { contact(');
    expect(status).toBe(400);
    const [op] = operations();
    expect(op?.name).toBe('graphql.operation');
    expect(op?.status.code).toBe(SpanStatusCode.ERROR);
    expect(op?.attributes).toMatchObject({ 'unics.graphql.errors': 1, 'unics.graphql.error_codes': ['GRAPHQL_PARSE_FAILED'], 'http.response.status_code': 400 });
    expect(childrenOf(op!)).toEqual([]);
  });

  it('names an anonymous operation by its type alone', async () => {
    await post('{ contact(id: "C000021") { id } }');
    const [op] = operations();
    expect(op?.name).toBe('query');
    expect(op?.attributes['graphql.operation.name']).toBeUndefined();
    expect(childrenOf(op!)).toHaveLength(1);
  });

  it('makes the operation the active span while fields resolve, and only then', async () => {
    await post('query One { contact(id: "C000022") { id email } }');
    await post('query Two { contact(id: "C000023") { id } }');
    const [one, two] = ['query One', 'query Two'].map((name) => operations().find((o) => o.name === name)!.spanContext().spanId);
    expect(activeDuring.resolve).toEqual([one, one, one, two, two]); // contact, id, email; contact, id
    expect(activeDuring.send).toEqual([undefined, undefined]); // restored when execution ended
    expect(afterApollo).toEqual([undefined, undefined]); // the HTTP handler never sees it
  });
});
