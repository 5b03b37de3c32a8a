// OpenTelemetry spans for connector calls, as a listener of the connector events (STYLE.md 10: the resilience code
// only emits; it never calls OpenTelemetry). Each `connector.request` (one upstream attempt) becomes a CLIENT span
// `connector.<name> <entity|command>` that ends when the event arrives and starts durationMs earlier. Cache lookups,
// singleflight joins, retries and breaker changes become span events (and running totals as attributes) on the span
// active when they happen — the GraphQL operation's span, when the Apollo plugin made it active.
//
// The parent is whatever span is active at emit time: events are emitted synchronously inside the call's async
// context, so with an AsyncLocalStorage context manager (gateway/tracing/create-tracing.ts installs one) the spans of
// one GraphQL operation nest under it. Without an active span a request becomes a root span.
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { Unsubscribe } from '../common/typed-events.ts';
import type { ConnectorEmitter } from './connector-events.ts';

export interface ConnectorTracingOptions {
  /**
   * The kind (rest, soap, xml, graphql, sql, …) of a connector, for `unics.connector.kind`; the events carry only
   * its name. app/ passes `(name) => loaded.connectors.get(name)?.kind`.
   */
  readonly connectorKind?: (connector: string) => string | undefined;
  /** Wall time in epoch milliseconds, sub-millisecond where possible. Default: performance.timeOrigin + performance.now(). */
  readonly nowMs?: () => number;
}

/** Attribute names on connector spans and events (also listed in docs/observability.md). */
export const CONNECTOR_SPAN_ATTRIBUTES = {
  connector: 'unics.connector',
  connectorKind: 'unics.connector.kind',
  operation: 'unics.operation',
  operationKind: 'unics.operation.kind',
  batchSize: 'unics.batch_size',
  outcome: 'unics.outcome',
  errorCode: 'unics.error.code',
  attempt: 'unics.attempt',
  entity: 'unics.entity',
  cacheHits: 'unics.cache.hits',
  cacheMisses: 'unics.cache.misses',
  singleflightShared: 'unics.singleflight.shared',
} as const;
const A = CONNECTOR_SPAN_ATTRIBUTES;

type Totals = { hits: number; misses: number; shared: number };

const defaultNowMs = () => performance.timeOrigin + performance.now();

export function traceConnectorCalls(events: ConnectorEmitter, tracer: Tracer, options: ConnectorTracingOptions = {}): Unsubscribe {
  const nowMs = options.nowMs ?? defaultNowMs;
  const kindOf = options.connectorKind ?? (() => undefined);
  // Running totals per active span: one GraphQL operation may look up several caches; the span shows the sums.
  const totals = new WeakMap<Span, Totals>();

  const activeRecording = (): Span | undefined => {
    const span = trace.getSpan(context.active());
    return span?.isRecording() ? span : undefined;
  };
  const totalsOf = (span: Span): Totals => {
    let t = totals.get(span);
    if (t === undefined) totals.set(span, (t = { hits: 0, misses: 0, shared: 0 }));
    return t;
  };
  const connectorAttributes = (connector: string): Attributes => {
    const kind = kindOf(connector);
    return kind === undefined ? { [A.connector]: connector } : { [A.connector]: connector, [A.connectorKind]: kind };
  };
  /** Outside any span (background work), a lookup is still visible as a zero-length span of its own. */
  const instant = (name: string, attributes: Attributes) => {
    const at = nowMs();
    tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: at, attributes }, context.active()).end(at);
  };

  const unsubscribes = [
    events.on('connector.request', (e) => {
      const end = nowMs();
      const attributes: Attributes = {
        ...connectorAttributes(e.connector),
        [A.operation]: e.operation,
        [A.operationKind]: e.kind,
        [A.batchSize]: e.batchSize,
        [A.outcome]: e.outcome,
        [A.attempt]: e.attempt,
      };
      if (e.code !== undefined) {
        attributes[A.errorCode] = e.code;
        attributes['error.type'] = e.code; // the semantic-conventions name backends group failures by
      }
      const span = tracer.startSpan(
        `connector.${e.connector} ${e.operation}`,
        { kind: SpanKind.CLIENT, startTime: end - Math.max(0, e.durationMs), attributes },
        context.active(),
      );
      if (e.outcome !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: e.code ?? e.outcome });
      span.end(end);
    }),
    events.on('connector.cache', (e) => {
      const attributes = { ...connectorAttributes(e.connector), [A.entity]: e.entity, [A.cacheHits]: e.hits, [A.cacheMisses]: e.misses };
      const span = activeRecording();
      if (span === undefined) return instant(`connector.${e.connector} ${e.entity} cache`, attributes);
      const t = totalsOf(span);
      t.hits += e.hits;
      t.misses += e.misses;
      span.addEvent('connector.cache', attributes);
      span.setAttributes({ [A.cacheHits]: t.hits, [A.cacheMisses]: t.misses });
    }),
    events.on('connector.singleflight', (e) => {
      if (e.shared === 0) return; // emitted for every load; only a join is worth a mark
      const attributes = { ...connectorAttributes(e.connector), [A.entity]: e.entity, [A.singleflightShared]: e.shared };
      const span = activeRecording();
      if (span === undefined) return instant(`connector.${e.connector} ${e.entity} singleflight`, attributes);
      const t = totalsOf(span);
      t.shared += e.shared;
      span.addEvent('connector.singleflight', attributes);
      span.setAttribute(A.singleflightShared, t.shared);
    }),
    // Retries, breaker changes and cache failures annotate the active span only: each attempt has its own span
    // already, and the metrics count these outside requests.
    events.on('connector.retry', (e) => {
      activeRecording()?.addEvent('connector.retry', {
        ...connectorAttributes(e.connector),
        [A.operation]: e.operation,
        [A.attempt]: e.attempt,
        'unics.retry.delay_ms': e.delayMs,
        [A.errorCode]: e.code,
      });
    }),
    events.on('connector.breaker', (e) => {
      activeRecording()?.addEvent('connector.breaker', { ...connectorAttributes(e.connector), 'unics.breaker.state': e.state });
    }),
    events.on('connector.cache_error', (e) => {
      activeRecording()?.addEvent('connector.cache_error', {
        ...connectorAttributes(e.connector),
        [A.entity]: e.entity,
        'unics.cache.operation': e.operation,
      });
    }),
  ];
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
