// Runs one Debezium incremental snapshot to its end: writes the signal, follows the connector's notifications for
// that signal's id, reports progress per table, and resolves when Debezium says COMPLETED (rejects when it aborts,
// or when nothing is heard for `idleTimeoutMs`). It does not wait for consumers to apply the rows it sent.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { ensureTopics } from './ensure-topics.ts';
import { ensureSignalTable, parseSnapshotNotification, requestIncrementalSnapshot, type SignalQueryable } from './debezium-signal.ts';
import { cdcErr } from './error-catalogue.ts';

export interface IncrementalSnapshotOptions {
  readonly db: SignalQueryable;
  readonly kafka: Kafka;
  /** "schema.table" of Debezium's signal table (the connector's signal.data.collection); created when missing. */
  readonly signalTable: string;
  /** The connector's notification.sink.topic.name. */
  readonly notificationTopic: string;
  /** The tables to read, "schema.table". */
  readonly collections: readonly string[];
  /** Rows per table when asked (for the progress), e.g. from count(*). */
  readonly totals: Readonly<Record<string, number>>;
  /** Debezium's incremental.snapshot.chunk.size (rows per IN_PROGRESS notification). Default 1024. */
  readonly chunkSize?: number;
  readonly onProgress?: (collection: string, done: number, total: number) => void;
  /** Give up when no notification of this snapshot arrives for this long. Default 60 s. */
  readonly idleTimeoutMs?: number;
}

export interface IncrementalSnapshotReport {
  readonly signalId: string;
  /** Rows Debezium said it scanned, per table. */
  readonly rows: Readonly<Record<string, number>>;
  readonly ms: number;
}

export async function runIncrementalSnapshot(opts: IncrementalSnapshotOptions): Promise<IncrementalSnapshotReport> {
  const started = Date.now();
  const chunk = opts.chunkSize ?? 1024;
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  const done = new Map<string, number>(opts.collections.map((c) => [c, 0]));
  const report = (c: string) => opts.onProgress?.(c, done.get(c) ?? 0, opts.totals[c] ?? 0);
  opts.collections.forEach(report);

  await ensureSignalTable(opts.db, opts.signalTable);
  const admin = opts.kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic: opts.notificationTopic, numPartitions: 1 }]);
  } finally {
    await admin.disconnect();
  }
  // A group of its own, from the beginning: the notifications are few, and ours are told apart by the signal's id.
  const consumer = opts.kafka.consumer({ groupId: `unics-incremental-snapshot-${randomUUID()}`, maxWaitTimeInMs: 100 });
  let signalId: string | undefined;
  const early: string[] = []; // notifications read before the signal's id was known
  let settle!: { resolve: () => void; reject: (err: Error) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  let lastHeard = Date.now();

  const handle = (value: string) => {
    const n = parseSnapshotNotification(value);
    if (n === null || n.id !== signalId) return;
    lastHeard = Date.now();
    if (n.kind === 'in_progress' && n.collection !== null && done.has(n.collection)) {
      // Each IN_PROGRESS follows a chunk; the exact count comes with TABLE_SCAN_COMPLETED.
      done.set(n.collection, Math.min((done.get(n.collection) ?? 0) + chunk, Math.max(0, (opts.totals[n.collection] ?? 0) - 1)));
      report(n.collection);
    } else if (n.kind === 'table_done' && done.has(n.collection)) {
      done.set(n.collection, n.rows ?? opts.totals[n.collection] ?? 0);
      report(n.collection);
    } else if (n.kind === 'completed') {
      settle.resolve();
    } else if (n.kind === 'aborted') {
      settle.reject(cdcErr.CDC_ERR_SIGNAL_FAILED(`Debezium aborted the incremental snapshot ${signalId}; the views keep what they had — run the rebuild again`));
    }
  };

  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [opts.notificationTopic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value?.toString() ?? '';
        if (signalId === undefined) early.push(value);
        else handle(value);
      },
    });
    signalId = await requestIncrementalSnapshot(opts.db, opts.signalTable, opts.collections);
    early.splice(0).forEach(handle);
    const watchdog = setInterval(() => {
      if (Date.now() - lastHeard > idleMs) {
        settle.reject(cdcErr.CDC_ERR_SIGNAL_FAILED(
          `no progress from Debezium for ${Math.round(idleMs / 1000)} s on the incremental snapshot ${signalId} (notifications on ${opts.notificationTopic}); is the connector running, with signal.data.collection=${opts.signalTable} and notification.enabled.channels=sink?`,
        ));
      }
    }, 1_000);
    try {
      await finished;
    } finally {
      clearInterval(watchdog);
    }
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return { signalId, rows: Object.fromEntries(done), ms: Date.now() - started };
}
