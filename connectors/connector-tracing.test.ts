// Connector spans from connector events: a real rest connector against the CRM simulator over loopback HTTP, called
// inside an operation span (as the Apollo plugin makes it active), and the event-to-span mapping for the rest.
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../common/index.ts';
import { createCrmSimulator, type CrmSimulator } from '../examples/legacy/crm/index.ts';
import { generateDemoData } from '../examples/legacy/demo-data.ts';
import { traceConnectorCalls } from './connector-tracing.ts';
import { builtinConnectorKinds, createConnectorEmitter, createConnectorRegistry, loadConnectors, type Connector, type ConnectorEmitter, type LoadedConnectors } from './index.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('test');
const contextManager = new AsyncLocalStorageContextManager().enable();

const spans = (name?: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const idOf = (s: Span | ReadableSpan) => s.spanContext().spanId;
/** Runs fn with a fresh "operation" span active, like the Apollo plugin does during execution, then ends it. */
async function inOperation<T>(fn: () => Promise<T>): Promise<{ result: T; op: ReadableSpan }> {
  const span = tracer.startSpan('query Test', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  const result = await context.with(trace.setSpan(ROOT_CONTEXT, span), fn);
  span.end();
  const op = spans().find((s) => idOf(s) === idOf(span));
  if (op === undefined) throw new Error('the operation span was not exported');
  return { result, op };
}

beforeAll(() => {
  context.setGlobalContextManager(contextManager);
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});
afterEach(() => exporter.reset());

describe('traceConnectorCalls over a real connector (CRM simulator, rest kind)', () => {
  let sim: CrmSimulator;
  let loaded: LoadedConnectors;
  let crm: Connector;
  let events: ConnectorEmitter;
  let stop: () => void;
  const ctx = () => ({ tenant: 'demo', signal: AbortSignal.timeout(5_000) });

  beforeAll(async () => {
    sim = createCrmSimulator({ data: generateDemoData({ customers: 20 }) });
    const url = await sim.listen();
    events = createConnectorEmitter();
    loaded = await loadConnectors(
      [{
        name: 'crm',
        kind: 'rest',
        endpoint: `${url}/api/v1`,
        auth: { type: 'oauth2-client-credentials', tokenUrl: `${url}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret' },
        timeout: '2s',
        cacheTtl: '30s',
        retry: { policy: 'exponential-backoff', maxAttempts: 2, baseDelay: '1ms', maxDelay: '2ms' },
        breaker: false,
        entities: { contact: { maxBatchSize: 100, batch: { method: 'GET', path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } } },
      }],
      { registry: createConnectorRegistry(builtinConnectorKinds), log: createLogger({ level: 'silent' }), clock: systemClock, events },
    );
    crm = loaded.connectors.get('crm')!;
    stop = traceConnectorCalls(events, tracer, { connectorKind: (name) => loaded.connectors.get(name)?.kind });
  });
  afterAll(async () => {
    stop();
    await loaded.close();
    await sim.close();
  });

  it('nests one CLIENT span per upstream request under the active operation span, with batch size and outcome', async () => {
    sim.resetStats();
    const started = performance.timeOrigin + performance.now();
    const { result, op } = await inOperation(() => crm.load('contact', ['C000001', 'C000002', 'C000003'], ctx()));
    const finished = performance.timeOrigin + performance.now();
    expect([...result.values()].map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);

    const calls = spans('connector.crm contact');
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(sim.stats.byRoute['GET /contacts:batch']).toBe(1); // one span per request that really went out
    expect(parentOf(call)).toBe(idOf(op));
    expect(call.spanContext().traceId).toBe(op.spanContext().traceId);
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(call.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(call.attributes).toEqual({
      'unics.connector': 'crm',
      'unics.connector.kind': 'rest',
      'unics.operation': 'contact',
      'unics.operation.kind': 'load',
      'unics.batch_size': 3,
      'unics.outcome': 'success',
      'unics.attempt': 1,
    });
    // The span covers the request: it lies inside the time the caller waited, and is not empty.
    const start = hrTimeToMilliseconds(call.startTime);
    const end = hrTimeToMilliseconds(call.endTime);
    expect(start).toBeGreaterThanOrEqual(started - 1);
    expect(end).toBeLessThanOrEqual(finished + 1);
    expect(end - start).toBeGreaterThan(0);
    // The whole batch was a cache miss; the lookup is on the operation span (no join, so no singleflight mark).
    expect(op.attributes).toMatchObject({ 'unics.cache.hits': 0, 'unics.cache.misses': 3 });
    expect(op.attributes['unics.singleflight.shared']).toBeUndefined();
    expect(op.events.map((e) => e.name)).toEqual(['connector.cache']);
  });

  it('puts the cache outcome on the operation span, summed over lookups, and sends only the misses upstream', async () => {
    await crm.load('contact', ['C000004', 'C000005'], ctx()); // warm the cache (outside any operation)
    exporter.reset();
    const { op } = await inOperation(async () => {
      await crm.load('contact', ['C000004', 'C000005', 'C000006'], ctx());
      await crm.load('contact', ['C000004'], ctx());
    });
    expect(op.attributes).toMatchObject({ 'unics.cache.hits': 3, 'unics.cache.misses': 1 });
    expect(op.events.filter((e) => e.name === 'connector.cache').map((e) => e.attributes)).toEqual([
      { 'unics.connector': 'crm', 'unics.connector.kind': 'rest', 'unics.entity': 'contact', 'unics.cache.hits': 2, 'unics.cache.misses': 1 },
      { 'unics.connector': 'crm', 'unics.connector.kind': 'rest', 'unics.entity': 'contact', 'unics.cache.hits': 1, 'unics.cache.misses': 0 },
    ]);
    const calls = spans('connector.crm contact');
    expect(calls.map((s) => s.attributes['unics.batch_size'])).toEqual([1]);
    expect(parentOf(calls[0]!)).toBe(idOf(op));
  });

  it('marks keys that joined a request in flight on the operation span; the joined request has one span', async () => {
    const { op } = await inOperation(() => Promise.all([crm.load('contact', ['C000017'], ctx()), crm.load('contact', ['C000017'], ctx())]));
    expect(spans('connector.crm contact')).toHaveLength(1);
    expect(op.attributes['unics.singleflight.shared']).toBe(1);
    expect(op.events.filter((e) => e.name === 'connector.singleflight').map((e) => e.attributes?.['unics.singleflight.shared'])).toEqual([1]);
  });

  it('gives each failed attempt an ERROR span carrying the CONN code, and the retry as an event', async () => {
    sim.knobs.errorRate = 1;
    try {
      const { result, op } = await inOperation(() => crm.load('contact', ['C000007'], ctx()));
      expect(result.get('C000007')).toMatchObject({ status: 'error', error: { code: 'CONN_ERR_UNAVAILABLE' } });
      const calls = spans('connector.crm contact');
      expect(calls.map((s) => s.attributes['unics.attempt'])).toEqual([1, 2]);
      for (const call of calls) {
        expect(parentOf(call)).toBe(idOf(op));
        expect(call.status).toEqual({ code: SpanStatusCode.ERROR, message: 'CONN_ERR_UNAVAILABLE' });
        expect(call.attributes).toMatchObject({ 'unics.outcome': 'error', 'unics.error.code': 'CONN_ERR_UNAVAILABLE', 'error.type': 'CONN_ERR_UNAVAILABLE' });
      }
      const retry = op.events.find((e) => e.name === 'connector.retry');
      expect(retry?.attributes).toMatchObject({ 'unics.connector': 'crm', 'unics.operation': 'contact', 'unics.attempt': 2, 'unics.error.code': 'CONN_ERR_UNAVAILABLE' });
      expect(typeof retry?.attributes?.['unics.retry.delay_ms']).toBe('number');
    } finally {
      sim.knobs.errorRate = 0;
    }
  });

  it('keeps concurrent operations apart: each request span has its own operation as parent', async () => {
    const ids = ['C000010', 'C000011', 'C000012', 'C000013', 'C000014', 'C000015'];
    const ops = await Promise.all(ids.map((id) => inOperation(() => crm.load('contact', [id], ctx()))));
    const calls = spans('connector.crm contact');
    expect(calls).toHaveLength(ids.length);
    for (const { op } of ops) {
      const children = calls.filter((c) => parentOf(c) === idOf(op));
      expect(children).toHaveLength(1);
      expect(children[0]!.spanContext().traceId).toBe(op.spanContext().traceId);
    }
  });

  it('stops making spans once unsubscribed', async () => {
    const local = traceConnectorCalls(events, tracer);
    local();
    stop();
    try {
      await crm.load('contact', ['C000016'], ctx());
      expect(spans()).toEqual([]);
    } finally {
      stop = traceConnectorCalls(events, tracer, { connectorKind: (name) => loaded.connectors.get(name)?.kind });
    }
  });
});

describe('traceConnectorCalls event mapping', () => {
  const clockAt = (ms: number) => () => ms;

  it('starts a request span durationMs before the event and makes it a root span when nothing is active', () => {
    const events = createConnectorEmitter();
    const stop = traceConnectorCalls(events, tracer, { nowMs: clockAt(1_700_000_000_500) });
    events.emit('connector.request', { connector: 'shop', kind: 'call', operation: 'refundOrder', outcome: 'timeout', code: 'CONN_ERR_TIMEOUT', durationMs: 2000, batchSize: 1, attempt: 1 });
    stop();
    const [span] = spans();
    expect(span?.name).toBe('connector.shop refundOrder');
    expect(span?.parentSpanContext).toBeUndefined();
    expect(hrTimeToMilliseconds(span!.startTime)).toBe(1_699_999_998_500);
    expect(hrTimeToMilliseconds(span!.endTime)).toBe(1_700_000_000_500);
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'CONN_ERR_TIMEOUT' });
    // No lookup given: the kind attribute is left out rather than guessed.
    expect(span?.attributes).toMatchObject({ 'unics.operation.kind': 'call', 'unics.outcome': 'timeout', 'unics.batch_size': 1 });
    expect(span?.attributes['unics.connector.kind']).toBeUndefined();
  });

  it('records singleflight shares, breaker changes and cache failures on the active span', async () => {
    const events = createConnectorEmitter();
    const stop = traceConnectorCalls(events, tracer);
    await inOperation(async () => {
      events.emit('connector.singleflight', { connector: 'crm', entity: 'contact', shared: 4 });
      events.emit('connector.singleflight', { connector: 'wms', entity: 'shipmentsByOrder', shared: 2 });
      events.emit('connector.breaker', { connector: 'crm', state: 'open' });
      events.emit('connector.cache_error', { connector: 'crm', entity: 'contact', operation: 'get', error: new Error('redis down') });
    });
    stop();
    const [op] = spans();
    expect(op?.attributes['unics.singleflight.shared']).toBe(6);
    expect(op?.events.map((e) => [e.name, e.attributes])).toEqual([
      ['connector.singleflight', { 'unics.connector': 'crm', 'unics.entity': 'contact', 'unics.singleflight.shared': 4 }],
      ['connector.singleflight', { 'unics.connector': 'wms', 'unics.entity': 'shipmentsByOrder', 'unics.singleflight.shared': 2 }],
      ['connector.breaker', { 'unics.connector': 'crm', 'unics.breaker.state': 'open' }],
      ['connector.cache_error', { 'unics.connector': 'crm', 'unics.entity': 'contact', 'unics.cache.operation': 'get' }],
    ]);
  });

  it('makes a zero-length span for a cache lookup or a join outside any operation', () => {
    const events = createConnectorEmitter();
    const stop = traceConnectorCalls(events, tracer, { nowMs: clockAt(1_700_000_000_000) });
    events.emit('connector.cache', { connector: 'crm', entity: 'contact', hits: 5, misses: 0 });
    events.emit('connector.singleflight', { connector: 'crm', entity: 'contact', shared: 1 });
    events.emit('connector.singleflight', { connector: 'crm', entity: 'contact', shared: 0 }); // every load reports; 0 is no join
    events.emit('connector.retry', { connector: 'crm', operation: 'contact', attempt: 2, delayMs: 10, code: 'CONN_ERR_UNAVAILABLE' }); // nothing to annotate
    stop();
    expect(spans().map((s) => [s.name, s.attributes, hrTimeToMilliseconds(s.duration)])).toEqual([
      ['connector.crm contact cache', { 'unics.connector': 'crm', 'unics.entity': 'contact', 'unics.cache.hits': 5, 'unics.cache.misses': 0 }, 0],
      ['connector.crm contact singleflight', { 'unics.connector': 'crm', 'unics.entity': 'contact', 'unics.singleflight.shared': 1 }, 0],
    ]);
  });
});
