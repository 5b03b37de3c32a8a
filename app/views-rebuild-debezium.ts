// `npx unics views rebuild --via debezium`, the PostgreSQL part: instead of reading the tables itself, the command asks
// Debezium for an incremental snapshot of them (cdc/run-incremental-snapshot.ts). Debezium re-sends every row as a
// read on the tables' own topics, interleaved with the stream and de-duplicated against it by its snapshot windows;
// the running view pipeline applies them like any change (a row changed meanwhile keeps its newer version). The
// command then waits until the views' consumer group has applied everything Debezium sent, so "done" means visible.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type pg from 'pg';
import { cdcErr } from '../cdc/error-catalogue.ts';
import { runIncrementalSnapshot } from '../cdc/run-incremental-snapshot.ts';

export interface DebeziumRebuildOptions {
  readonly pool: pg.Pool;
  readonly brokers: readonly string[];
  /** "schema.table" of every table to re-read. */
  readonly tables: readonly string[];
  readonly signalTable: string;
  readonly notificationTopic: string;
  /** Debezium's topic.prefix: a table's topic is `<prefix>.<schema>.<table>`. */
  readonly topicPrefix: string;
  /** The view pipeline's consumer group, whose progress says when the rows are in the views. */
  readonly viewsGroupId: string;
  readonly onProgress: (label: string, done: number, total: number) => void;
  /** Give up when Debezium reports no progress for this long. Default 60 s. */
  readonly idleTimeoutMs?: number;
  /** Longest wait for the pipeline to apply what Debezium sent. Default 10 min. */
  readonly applyTimeoutMs?: number;
}

export async function rebuildTablesViaDebezium(opts: DebeziumRebuildOptions): Promise<{ rows: number; ms: number }> {
  const started = Date.now();
  const totals: Record<string, number> = {};
  for (const table of opts.tables) {
    const { rows } = await opts.pool.query<{ n: string }>(`select count(*)::text as n from ${table}`);
    totals[table] = Number(rows[0]?.n ?? 0);
  }
  const kafka = new Kafka({ clientId: 'unics-views-rebuild', brokers: [...opts.brokers], logLevel: logLevel.NOTHING });
  const snapshot = await runIncrementalSnapshot({
    db: opts.pool,
    kafka,
    signalTable: opts.signalTable,
    notificationTopic: opts.notificationTopic,
    collections: opts.tables,
    totals,
    onProgress: opts.onProgress,
    ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
  });

  // Everything Debezium sent is now on the topics, before their current ends: wait for the pipeline to get there.
  const topics = opts.tables.map((t) => `${opts.topicPrefix}.${t}`);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, Array<{ partition: number; high: string }>>();
    let total = 0n;
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends.set(topic, offsets);
      for (const o of offsets) total += BigInt(o.high);
    }
    const label = `applied by ${opts.viewsGroupId}`;
    const timeoutMs = opts.applyTimeoutMs ?? 600_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let behind = 0n;
      for (const topic of topics) {
        const [group] = await admin.fetchOffsets({ groupId: opts.viewsGroupId, topics: [topic] });
        for (const end of ends.get(topic) ?? []) {
          const committed = BigInt(group?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1');
          const high = BigInt(end.high);
          if (committed < high) behind += committed < 0n ? high : high - committed;
        }
      }
      opts.onProgress(label, Number(total - behind), Number(total));
      if (behind === 0n) break;
      if (Date.now() > deadline) {
        throw cdcErr.CDC_ERR_SIGNAL_FAILED(
          `Debezium sent the snapshot, but the view pipeline (consumer group ${opts.viewsGroupId}) did not apply it within ${Math.round(timeoutMs / 1000)} s (${behind} messages behind); is a gateway with views.consume running?`,
        );
      }
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
  return { rows: Object.values(snapshot.rows).reduce((a, b) => a + b, 0), ms: Date.now() - started };
}
