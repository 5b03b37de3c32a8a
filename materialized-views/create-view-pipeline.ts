// The view pipeline: a CDC consumer group (cdc/) whose batches are projected into row operations, applied to the view
// store (one atomic call per batch), and published to the changefeed sinks. Offsets are committed only after the
// store applied a batch, and the store ignores versions it already has, so a crash, a rebalance or a replay never
// loses or double-applies a change. Heartbeats and applied changes move each source's watermark, from which readers
// compute freshness; an instance that is behind on a source's partitions does not move that source's watermark.
import { createCdcConsumer, type AppliedBatch, type ApplyResult, type CdcConsumer } from '../cdc/create-cdc-consumer.ts';
import type { InProcessChangeLog } from '../cdc/in-process-change-log.ts';
import type { Logger } from '../common/logger.ts';
import { createEmitter, type Emitter } from '../common/typed-events.ts';
import { describeChange, type ChangeReason } from './describe-change.ts';
import { projectChange, ProjectionError, type RowOp } from './project-change.ts';
import { indexTables, type ViewDefinition } from './view-definition.ts';
import type { ViewStore } from './view-store.ts';

/** One view that changed, as the changefeed sinks receive it. */
export interface ViewChange {
  readonly tenant: string;
  readonly customerId: string;
  readonly version: number;
  /** The view no longer exists (its root row was deleted). */
  readonly deleted: boolean;
  readonly reasons: readonly ChangeReason[];
  /** When it was applied, and the newest source commit time among its changes (ms since epoch). */
  readonly appliedAtMs: number;
  readonly sourceTsMs: number | null;
}

export interface ViewChangeSink {
  readonly name: string;
  publish(changes: readonly ViewChange[]): Promise<void>;
}

export interface ViewPipelineEvents {
  'view.applied': { changes: number; views: number; ignored: number; durationMs: number };
  /** Source commit to view written, per view changed (ms). */
  'view.freshness': { source: string; lagMs: number };
  'view.truncated': { table: string };
  'view.sink_failed': { sink: string; error: unknown; views: number };
}

export interface ViewPipelineOptions {
  readonly definition: ViewDefinition;
  readonly store: ViewStore;
  /** The tenant whose views these sources feed. */
  readonly tenant: string;
  readonly brokers: readonly string[];
  /** Read an in-process change log instead of Kafka (the embedded demo); `brokers` is then ignored. */
  readonly changeLog?: InProcessChangeLog;
  /** Default `unics-views-<view name>`. */
  readonly groupId?: string;
  /** The change topics (names or patterns), e.g. ["unics.crm.contacts", /^unics\.shop\./, "unics.helpdesk.tickets"]. */
  readonly topics: ReadonlyArray<string | RegExp>;
  /** Heartbeat topic → source name, e.g. {"__debezium-heartbeat.unics": "shop"}. */
  readonly heartbeats?: Readonly<Record<string, string>>;
  readonly sinks?: readonly ViewChangeSink[];
  readonly log: Logger;
  /** Partitions applied at once. Default 16: kafkajs fetches again only when every batch of a fetch was handled, and
   * the store's calls share one pipelined connection, so handling all of a fetch's partitions together shortens the
   * fetch cycle every change waits for (per-partition order is kept either way). */
  readonly partitionsConsumedConcurrently?: number;
  readonly maxBatchMessages?: number;
  readonly now?: () => number;
}

export interface ViewPipeline {
  readonly events: Emitter<ViewPipelineEvents>;
  /** The CDC consumer underneath (its events feed the cdc metrics). */
  readonly consumer: CdcConsumer;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A partition's backlog is forgotten after this long without news (it was revoked, or its topic went quiet). */
const LAG_MEMORY_MS = 10_000;
const SINK_ATTEMPTS = 3;

export function createViewPipeline(opts: ViewPipelineOptions): ViewPipeline {
  const { definition, store, tenant, log } = opts;
  const now = opts.now ?? Date.now;
  const tables = indexTables(definition);
  const heartbeats = opts.heartbeats ?? {};
  const sinks = opts.sinks ?? [];
  const events = createEmitter<ViewPipelineEvents>();
  /** "<topic>:<partition>" → the source it feeds and its backlog after the last batch. */
  const backlog = new Map<string, { source: string; lag: number; atMs: number }>();

  const behind = (source: string, at: number) => {
    for (const b of backlog.values()) if (b.source === source && b.lag > 0 && at - b.atMs < LAG_MEMORY_MS) return true;
    return false;
  };

  // Partitions are applied concurrently, but the store answers calls in the order it ran them (one connection), so
  // chaining each batch's publication as soon as its apply returns publishes views in version order: the compacted
  // topic then keeps each customer's latest view. (Across instances, order by `version`.)
  let publishChain: Promise<void> = Promise.resolve();
  const publishInOrder = (changes: ViewChange[]): Promise<void> => {
    const next = publishChain.then(() => publish(changes));
    publishChain = next.catch(() => {});
    return next;
  };

  async function publish(changes: ViewChange[]): Promise<void> {
    await Promise.all(
      sinks.map(async (sink) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await sink.publish(changes);
            return;
          } catch (error) {
            if (attempt >= SINK_ATTEMPTS) {
              // The views are right; the changefeed missed these changes (a rebuild republishes every view).
              events.emit('view.sink_failed', { sink: sink.name, error, views: changes.length });
              log.error({ err: error, sink: sink.name, views: changes.length }, 'views: a changefeed sink failed; its subscribers missed these changes');
              return;
            }
            await new Promise((r) => setTimeout(r, 100 * attempt));
          }
        }
      }),
    );
  }

  async function apply(batch: AppliedBatch): Promise<ApplyResult> {
    const t0 = now();
    const ops: RowOp[] = [];
    const reasons: ChangeReason[] = [];
    const rejected: Array<{ offset: string; reason: string }> = [];
    const marks = new Map<string, number>(); // source → newest source time seen in this batch
    let ignored = 0;
    let batchSource: string | undefined = heartbeats[batch.topic];

    for (const { offset, event } of batch.events) {
      if (event.kind === 'heartbeat') {
        const source = heartbeats[batch.topic];
        if (source !== undefined) marks.set(source, Math.max(marks.get(source) ?? 0, event.tsMs));
        continue;
      }
      if (event.kind !== 'change') {
        ignored++; // tombstones (the delete before them was applied) and logical messages
        continue;
      }
      const role = tables.get(`${event.schema ?? ''}.${event.table ?? ''}`);
      if (role === undefined) {
        ignored++;
        continue;
      }
      batchSource = role.source;
      if (event.op === 'truncate') {
        events.emit('view.truncated', { table: `${event.schema}.${event.table}` });
        log.warn({ table: `${event.schema}.${event.table}` }, 'views: a table feeding the views was truncated; run `npx unics views rebuild` to drop its rows from the views');
        continue;
      }
      try {
        ops.push(projectChange(role, event));
        reasons.push(describeChange(role, event));
        if (event.sourceTsMs !== null) marks.set(role.source, Math.max(marks.get(role.source) ?? 0, event.sourceTsMs));
      } catch (err) {
        if (!(err instanceof ProjectionError)) throw err;
        rejected.push({ offset, reason: `view ${definition.name}: ${err.message}` });
      }
    }

    const composed = await store.apply(tenant, ops);
    // Taken before any other await, so the order of publication is the order the store applied (see publishInOrder).
    let published: Promise<void> = Promise.resolve();
    const appliedAtMs = now();
    if (composed.length > 0) {
      const changes: ViewChange[] = composed.map((view) => {
        const why = view.ops.map((i) => reasons[i]).filter((r): r is ChangeReason => r !== undefined);
        let sourceTsMs: number | null = null;
        for (const i of view.ops) {
          const ts = ops[i]?.tsMs;
          if (ts !== null && ts !== undefined && (sourceTsMs === null || ts > sourceTsMs)) sourceTsMs = ts;
        }
        return { tenant, customerId: view.id, version: view.version, deleted: view.deleted, reasons: why, appliedAtMs, sourceTsMs };
      });
      published = publishInOrder(changes);
      for (const c of changes) {
        const source = c.reasons[0]?.source;
        if (c.sourceTsMs !== null && source !== undefined) events.emit('view.freshness', { source, lagMs: Math.max(0, appliedAtMs - c.sourceTsMs) });
      }
    }
    if (batchSource !== undefined) backlog.set(`${batch.topic}:${batch.partition}`, { source: batchSource, lag: batch.lagMessages, atMs: appliedAtMs });
    // A watermark never claims more than was applied, nor a time ahead of this clock (a source's stamps may be).
    // Written while the changefeed publishes (both after the apply): one round trip less on the critical path.
    const watermarks = [...marks]
      .filter(([source]) => !behind(source, appliedAtMs))
      .map(([source, tsMs]) => store.advanceWatermark(tenant, source, { tsMs: Math.min(tsMs, appliedAtMs), appliedAtMs }));
    await Promise.all([...watermarks, published]);
    events.emit('view.applied', { changes: ops.length, views: composed.length, ignored, durationMs: now() - t0 });
    return { rejected };
  }

  const consumerOptions = {
    groupId: opts.groupId ?? `unics-views-${definition.name}`,
    topics: [...opts.topics, ...Object.keys(heartbeats)],
    apply,
    log,
    clientId: `unics-views-${definition.name}`,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 16,
    ...(opts.maxBatchMessages !== undefined ? { maxBatchMessages: opts.maxBatchMessages } : {}),
    now,
  };
  const consumer = opts.changeLog ? opts.changeLog.consumer(consumerOptions) : createCdcConsumer({ ...consumerOptions, brokers: opts.brokers });

  return {
    events,
    consumer,
    start: () => consumer.start(),
    stop: () => consumer.stop(),
  };
}
