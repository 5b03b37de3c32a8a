// A kafkajs consumer group over Debezium-format topics: at-least-once delivery with offsets committed only after the
// decoded changes were applied, poison messages sent to a dead-letter topic with the reason in headers (the pipeline
// keeps going), per-partition order kept, and events for metrics and logs (STYLE.md 10).
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import { isUnicsError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { createEmitter, type Emitter } from '../common/typed-events.ts';
import { decodeChangeEvent, type DecodedEvent } from './decode-change-event.ts';
import { ensureTopics } from './ensure-topics.ts';

export interface AppliedBatch {
  readonly topic: string;
  readonly partition: number;
  /** Decoded events of one partition, in offset order (poison messages already removed). */
  readonly events: ReadonlyArray<{ readonly offset: string; readonly event: DecodedEvent }>;
  /** Messages of this partition after these events, as the broker said when they were fetched (0: caught up). */
  readonly lagMessages: number;
}

/** What `apply` may answer: events it could decode but never apply (they go to the dead-letter topic). */
export interface ApplyResult {
  readonly rejected?: ReadonlyArray<{ readonly offset: string; readonly reason: string }>;
}

export interface CdcConsumerEvents {
  'cdc.applied': { topic: string; partition: number; count: number; ops: Record<string, number>; durationMs: number };
  /** Source commit to applied, per change with a source timestamp (ms). */
  'cdc.lag': { topic: string; lagMs: number };
  'cdc.dead_letter': { topic: string; partition: number; offset: string; reason: string };
  'cdc.apply_failed': { topic: string; partition: number; error: unknown; attempt: number };
}

export interface CdcConsumerOptions {
  readonly brokers: readonly string[];
  readonly groupId: string;
  /** Topic names, or regular expressions (e.g. /^unics\.shop\./). */
  readonly topics: ReadonlyArray<string | RegExp>;
  /** Applies one partition's batch; must be idempotent (a batch may be delivered again after a crash or rebalance). */
  readonly apply: (batch: AppliedBatch) => Promise<ApplyResult | void>;
  /** Where poison messages go. Default `<groupId>.dlq`. */
  readonly deadLetterTopic?: string;
  readonly log: Logger;
  readonly clientId?: string;
  /** Named topics that do not exist yet are created with this many partitions before subscribing (a consumer
   * cannot subscribe to a topic before it exists). Default 4; 0 leaves them alone. Patterns are never created. */
  readonly createMissingTopicPartitions?: number;
  /** Start from the earliest offset when the group has none. Default true. */
  readonly fromBeginning?: boolean;
  /** Partitions processed at once (order is kept within each). Default 4. */
  readonly partitionsConsumedConcurrently?: number;
  /** Most messages handed to `apply` at once; bounds in-flight work. Default 500. */
  readonly maxBatchMessages?: number;
  /** Wait between attempts when `apply` fails (the batch is retried, never skipped). Default 500 ms. */
  readonly retryDelayMs?: number;
  readonly now?: () => number;
}

export interface CdcConsumer {
  readonly events: Emitter<CdcConsumerEvents>;
  start(): Promise<void>;
  /** Stops fetching, lets the slices being applied finish, commits what was applied, and disconnects. */
  stop(): Promise<void>;
}

export function createCdcConsumer(opts: CdcConsumerOptions): CdcConsumer {
  const events = createEmitter<CdcConsumerEvents>();
  const now = opts.now ?? Date.now;
  const dlqTopic = opts.deadLetterTopic ?? `${opts.groupId}.dlq`;
  const maxBatch = opts.maxBatchMessages ?? 500;
  const kafka = new Kafka({ clientId: opts.clientId ?? 'unics-cdc', brokers: [...opts.brokers], logLevel: logLevel.WARN, logCreator: () => ({ level, log }) => {
    if (level <= logLevel.WARN) opts.log.warn({ kafkajs: log.message, namespace: log.namespace }, 'kafkajs');
  } });
  const consumer: Consumer = kafka.consumer({ groupId: opts.groupId, maxWaitTimeInMs: 50, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let stopping = false;

  // Offsets are committed after their changes were applied, in the background: the next fetch does not wait for the
  // commit's round trip (a crash replays at most the batches whose commit was in flight; apply is idempotent). One
  // commit in flight at a time, carrying the newest applied offset of every partition since the last one.
  const pending = new Map<string, { topic: string; partition: number; offset: string }>();
  let committing: Promise<void> = Promise.resolve();
  let commitQueued = false;
  function commitApplied(): Promise<void> {
    if (!commitQueued) {
      commitQueued = true;
      committing = committing.then(async () => {
        commitQueued = false;
        const offsets = [...pending.values()];
        pending.clear();
        if (offsets.length === 0) return;
        try {
          await consumer.commitOffsets(offsets);
        } catch (err) {
          // Kept for the next commit unless a newer offset came meanwhile (e.g. during a rebalance).
          for (const o of offsets) if (!pending.has(`${o.topic}\u0000${o.partition}`)) pending.set(`${o.topic}\u0000${o.partition}`, o);
          opts.log.warn({ err, partitions: offsets.length }, 'cdc: committing applied offsets failed; retried with the next commit');
        }
      });
    }
    return committing;
  }

  async function deadLetter(batch: EachBatchPayload['batch'], offset: string, key: Buffer | null, value: Buffer | null, reason: string): Promise<void> {
    await producer.send({
      topic: dlqTopic,
      messages: [{
        key,
        value,
        headers: {
          'unics-dlq-reason': reason,
          'unics-dlq-topic': batch.topic,
          'unics-dlq-partition': String(batch.partition),
          'unics-dlq-offset': offset,
          'unics-dlq-at': new Date(now()).toISOString(),
        },
      }],
    });
    events.emit('cdc.dead_letter', { topic: batch.topic, partition: batch.partition, offset, reason });
  }

  /**
   * Applies one decoded slice of a partition: retried until it applies (never skipped), then its offset is queued for
   * commit. Answers false when it gave up because this consumer is stopping or lost the partition (nothing of the
   * slice is committed then; whoever reads the partition next reads it again).
   */
  async function applySlice(payload: EachBatchPayload, slice: EachBatchPayload['batch']['messages'], decoded: Array<{ offset: string; event: DecodedEvent }>): Promise<boolean> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const t0 = now();
    const lastOffset = BigInt(slice[slice.length - 1]!.offset);
    const lagMessages = Math.max(0, Number(BigInt(batch.highWatermark) - lastOffset - 1n));
    for (let attempt = 1; ; attempt++) {
      try {
        const result = decoded.length > 0 ? await opts.apply({ topic: batch.topic, partition: batch.partition, events: decoded, lagMessages }) : undefined;
        for (const { offset, reason } of result?.rejected ?? []) {
          const m = slice.find((x) => x.offset === offset);
          await deadLetter(batch, offset, m?.key ?? null, m?.value ?? null, reason);
        }
        break;
      } catch (error) {
        // Never skip a batch: retry until it applies or this consumer loses the partition (then another retries it).
        events.emit('cdc.apply_failed', { topic: batch.topic, partition: batch.partition, error, attempt });
        if (stopping || !isRunning() || isStale()) return false;
        await heartbeat().catch(() => {});
        await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 500));
      }
    }
    const ops: Record<string, number> = {};
    const applied = now();
    for (const { event } of decoded) {
      const op = event.kind === 'change' ? event.op : event.kind;
      ops[op] = (ops[op] ?? 0) + 1;
      if (event.kind === 'change' && event.sourceTsMs !== null) events.emit('cdc.lag', { topic: batch.topic, lagMs: Math.max(0, applied - event.sourceTsMs) });
    }
    events.emit('cdc.applied', { topic: batch.topic, partition: batch.partition, count: decoded.length, ops, durationMs: applied - t0 });
    // Offsets are committed only past what was applied (or dead-lettered), in the background while running, waited
    // for when stopping (a clean stop leaves nothing to replay).
    const last = slice[slice.length - 1]!.offset;
    pending.set(`${batch.topic}\u0000${batch.partition}`, { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() });
    const commit = commitApplied();
    if (stopping || !isRunning()) await commit;
    await heartbeat().catch(() => {}); // kafkajs heartbeats (and handles a rebalance) in its own loop too
    return true;
  }

  /** Per partition: the apply of its latest slice, which runs while kafkajs fetches and this decodes the next one, and
   * the group generation it belongs to (a slice of an earlier generation that gave up says nothing about this one). */
  const applying = new Map<string, { generation: number; run: Promise<boolean> }>();
  let generation = 0;
  /** Partitions whose slice gave up (stopping, or lost): nothing after it applies until the group is joined again. */
  const broken = new Set<string>();

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    const key = `${batch.topic}\u0000${batch.partition}`;
    for (let start = 0; start < batch.messages.length; start += maxBatch) {
      if (stopping || !isRunning() || isStale() || broken.has(key)) return;
      const slice = batch.messages.slice(start, start + maxBatch);
      const decoded: Array<{ offset: string; event: DecodedEvent }> = [];
      for (const m of slice) {
        try {
          decoded.push({ offset: m.offset, event: decodeChangeEvent({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value }) });
        } catch (err) {
          if (!isUnicsError(err) || err.code !== 'CDC_ERR_POISON') throw err;
          await deadLetter(batch, m.offset, m.key, m.value, err.message);
        }
      }
      // One slice per partition applies at a time, in offset order: wait for the one before (bounded in-flight work).
      const before = applying.get(key);
      if (before !== undefined && !(await before.run) && before.generation === generation) broken.add(key);
      if (stopping || !isRunning() || isStale() || broken.has(key)) return;
      const run = applySlice(payload, slice, decoded);
      run.catch(() => {}); // awaited by the partition's next slice or by stop(); never an unhandled rejection
      applying.set(key, { generation, run });
      // The next fetch of this partition starts after this slice while it applies; its offset is committed only
      // once applied (applySlice), so a crash or rebalance meanwhile re-reads it.
      resolveOffset(slice[slice.length - 1]!.offset);
      if (stopping || !isRunning()) await run;
    }
  }

  return {
    events,
    async start() {
      const partitions = opts.createMissingTopicPartitions ?? 4;
      const named = opts.topics.filter((t): t is string => typeof t === 'string');
      if (partitions > 0 && named.length > 0) {
        const admin = kafka.admin();
        await admin.connect();
        try {
          await ensureTopics(admin, named.map((topic) => ({ topic, numPartitions: partitions })));
        } finally {
          await admin.disconnect();
        }
      }
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [...opts.topics], fromBeginning: opts.fromBeginning ?? true });
      // After a rebalance, offsets of partitions this member lost are not committed any more (their new owner's
      // commits must not be overwritten by older ones).
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const assigned = new Set<string>();
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) for (const p of partitions) assigned.add(`${topic}\u0000${p}`);
        for (const key of [...pending.keys()]) if (!assigned.has(key)) pending.delete(key);
        generation++;
        broken.clear(); // the new generation reads every partition from its committed offset
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
        eachBatch,
      });
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      await Promise.allSettled([...applying.values()].map((a) => a.run)); // slices in flight finish (or give up: not committed)
      await commitApplied(); // what was applied so far
      await consumer.disconnect(); // the batch in hand returns without applying more
      await committing;
      await producer.disconnect();
    },
  };
}
