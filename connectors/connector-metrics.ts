// Prometheus metrics for connectors, as a listener of the connector events (STYLE.md 10: the core never calls
// prom-client). registerConnectorMetrics subscribes and returns the unsubscribe; the metrics stay registered.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Unsubscribe } from '../common/typed-events.ts';
import type { BreakerStateName, ConnectorEmitter } from './connector-events.ts';

/** 1 ms to 10 s: a cache-warm LAN call lands at the bottom, a timed-out legacy call at the top. */
export const DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const BREAKER_GAUGE: Readonly<Record<BreakerStateName, number>> = { closed: 0, half_open: 1, open: 2 };

// Registering twice on one registry (two apps in one test process) reuses the metric instead of throwing.
function reuse<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export function registerConnectorMetrics(events: ConnectorEmitter, registry: Registry): Unsubscribe {
  const registers = [registry];
  const requests = reuse(registry, 'unics_connector_requests_total', () =>
    new Counter({ name: 'unics_connector_requests_total', help: 'Upstream attempts by connector and outcome (success, error, timeout, circuit_open, overloaded, aborted).', labelNames: ['connector', 'outcome'], registers }),
  );
  const duration = reuse(registry, 'unics_connector_duration_seconds', () =>
    new Histogram({ name: 'unics_connector_duration_seconds', help: 'Duration of upstream attempts, in seconds.', labelNames: ['connector'], buckets: DURATION_BUCKETS_SECONDS, registers }),
  );
  const batchSize = reuse(registry, 'unics_connector_batch_size', () =>
    new Histogram({ name: 'unics_connector_batch_size', help: 'Keys sent upstream per load attempt.', labelNames: ['connector'], buckets: BATCH_SIZE_BUCKETS, registers }),
  );
  const breaker = reuse(registry, 'unics_connector_breaker_state', () =>
    new Gauge({ name: 'unics_connector_breaker_state', help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.', labelNames: ['connector'], registers }),
  );
  const cache = reuse(registry, 'unics_connector_cache_total', () =>
    new Counter({ name: 'unics_connector_cache_total', help: 'Keys answered from the connector cache (hit) or sent on (miss).', labelNames: ['connector', 'result'], registers }),
  );
  const shared = reuse(registry, 'unics_connector_singleflight_shared_total', () =>
    new Counter({ name: 'unics_connector_singleflight_shared_total', help: 'Keys that joined an upstream request already in flight.', labelNames: ['connector'], registers }),
  );
  const retries = reuse(registry, 'unics_connector_retries_total', () =>
    new Counter({ name: 'unics_connector_retries_total', help: 'Retries of failed upstream attempts.', labelNames: ['connector'], registers }),
  );

  // A breaker reports only changes; show "closed" for a connector from its first request on.
  const knownBreakers = new Set<string>();
  const unsubscribes = [
    events.on('connector.request', (e) => {
      requests.inc({ connector: e.connector, outcome: e.outcome });
      duration.observe({ connector: e.connector }, e.durationMs / 1000);
      if (e.kind === 'load') batchSize.observe({ connector: e.connector }, e.batchSize);
      if (!knownBreakers.has(e.connector)) {
        knownBreakers.add(e.connector);
        if (e.outcome !== 'circuit_open') breaker.set({ connector: e.connector }, BREAKER_GAUGE.closed);
      }
    }),
    events.on('connector.breaker', (e) => {
      knownBreakers.add(e.connector);
      breaker.set({ connector: e.connector }, BREAKER_GAUGE[e.state]);
    }),
    events.on('connector.cache', (e) => {
      if (e.hits > 0) cache.inc({ connector: e.connector, result: 'hit' }, e.hits);
      if (e.misses > 0) cache.inc({ connector: e.connector, result: 'miss' }, e.misses);
    }),
    events.on('connector.singleflight', (e) => {
      if (e.shared > 0) shared.inc({ connector: e.connector }, e.shared);
    }),
    events.on('connector.retry', (e) => retries.inc({ connector: e.connector })),
  ];
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
