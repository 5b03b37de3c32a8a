// Prometheus metrics of the CDC consumer and the view pipeline, as listeners of their events (STYLE.md 10: the core
// never calls prom-client). Names as DESIGN.md says: unics_cdc_events_total, unics_cdc_lag_seconds,
// unics_view_freshness_seconds; plus dead letters, apply failures and changefeed sink failures.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Unsubscribe } from '../common/typed-events.ts';
import type { ViewPipeline } from './create-view-pipeline.ts';

/** 5 ms to 60 s: a healthy pipeline lands under 100 ms, a backlog after an outage at the top. */
export const LAG_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30, 60];

function reuse<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export function registerViewMetrics(pipeline: ViewPipeline, registry: Registry): Unsubscribe {
  const registers = [registry];
  const events = reuse(registry, 'unics_cdc_events_total', () =>
    new Counter({ name: 'unics_cdc_events_total', help: 'Change events applied, by topic and operation (create, update, delete, read, heartbeat, tombstone …).', labelNames: ['topic', 'op'], registers }),
  );
  const lag = reuse(registry, 'unics_cdc_lag_seconds', () =>
    new Histogram({ name: 'unics_cdc_lag_seconds', help: 'Source commit to change applied, in seconds.', labelNames: ['topic'], buckets: LAG_BUCKETS_SECONDS, registers }),
  );
  const deadLetters = reuse(registry, 'unics_cdc_dead_letters_total', () =>
    new Counter({ name: 'unics_cdc_dead_letters_total', help: 'Change events sent to the dead-letter topic, by source topic.', labelNames: ['topic'], registers }),
  );
  const applyFailures = reuse(registry, 'unics_cdc_apply_failures_total', () =>
    new Counter({ name: 'unics_cdc_apply_failures_total', help: 'Failed attempts to apply a batch (retried until it applies).', labelNames: ['topic'], registers }),
  );
  const freshness = reuse(registry, 'unics_view_freshness_seconds', () =>
    new Histogram({ name: 'unics_view_freshness_seconds', help: 'Source commit to view written, per view change, in seconds.', labelNames: ['source'], buckets: LAG_BUCKETS_SECONDS, registers }),
  );
  const sinkFailures = reuse(registry, 'unics_view_changefeed_failures_total', () =>
    new Counter({ name: 'unics_view_changefeed_failures_total', help: 'View changes a changefeed sink failed to publish after retries.', labelNames: ['sink'], registers }),
  );

  const c = pipeline.consumer.events;
  const unsubscribes = [
    c.on('cdc.applied', (e) => {
      for (const [op, n] of Object.entries(e.ops)) events.inc({ topic: e.topic, op }, n);
    }),
    c.on('cdc.lag', (e) => lag.observe({ topic: e.topic }, e.lagMs / 1000)),
    c.on('cdc.dead_letter', (e) => deadLetters.inc({ topic: e.topic })),
    c.on('cdc.apply_failed', (e) => applyFailures.inc({ topic: e.topic })),
    pipeline.events.on('view.freshness', (e) => freshness.observe({ source: e.source }, e.lagMs / 1000)),
    pipeline.events.on('view.sink_failed', (e) => sinkFailures.inc({ sink: e.sink }, e.views)),
  ];
  return () => {
    for (const u of unsubscribes) u();
  };
}
