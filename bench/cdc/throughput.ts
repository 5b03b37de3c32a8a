// (b) Throughput: pre-fill topics with generated Debezium changes (prefill-topics.ts), then read them with each
// contender in its own process (throughput-reader.ts), contender order alternating between rounds. Each read uses
// a fresh consumer group, so every contender reads the same 1,000,000 messages from the beginning.
import { Kafka, logLevel } from 'kafkajs';
import { median, round } from '../lib/stats.ts';
import type { BenchStack } from './bench-stack.ts';
import { prefillTopics, type PrefillResult } from './prefill-topics.ts';
import { runThroughputReader, type ReaderClient, type ReaderReport } from './throughput-reader.ts';

export interface ThroughputContender {
  readonly name: string;
  /** The peer the goal compares with (the bare kafkajs consumer with its defaults). */
  readonly bare?: boolean;
  readonly client: ReaderClient;
  readonly kafkajs?: Readonly<Record<string, number>>;
  readonly platformatic?: Readonly<Record<string, number>>;
  readonly pipeline?: { readonly module: string; readonly export: string };
}

/** Bigger fetches than kafkajs' defaults (1 MB per partition, 10 MB per fetch); no clear gain here (within noise). */
export const kafkajsLargeFetch = Object.freeze({ maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 32 * 1024 * 1024 });
/** @platformatic/kafka's default maxBytes (50 MB per fetch) read at ~39k changes/s with 555 MB RSS here; 10 MB with
 * 4 MB per partition reads at ~135k (docs/adr/0008). */
export const platformaticFetch = Object.freeze({ maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 4 * 1024 * 1024 });

export const defaultContenders: readonly ThroughputContender[] = [
  { name: 'kafkajs (bare, count)', client: 'kafkajs', bare: true },
  { name: 'kafkajs + JSON.parse', client: 'kafkajs-parse' },
  { name: 'kafkajs + CDC decoder', client: 'kafkajs-decode' },
  { name: 'kafkajs (count), 4 MB fetches per partition', client: 'kafkajs', kafkajs: kafkajsLargeFetch },
  { name: '@platformatic/kafka (count), 10 MB fetches', client: 'platformatic', platformatic: platformaticFetch },
  { name: '@platformatic/kafka + JSON.parse, 10 MB fetches', client: 'platformatic-parse', platformatic: platformaticFetch },
  { name: 'reference: createCdcConsumer + one Redis HSET per change', client: 'pipeline', pipeline: { module: 'bench/cdc/reference-pipeline.ts', export: 'createReferenceThroughputPipeline' } },
];

export interface ThroughputRow {
  readonly contender: string;
  readonly rounds: number;
  readonly changesPerSecond: number;
  readonly cpuUsPerChange: number;
  readonly peakRssMb: number;
  readonly startupMs: number;
  readonly vsBareKafkajs: string;
}

export async function runThroughput(
  stack: BenchStack,
  o: { changes: number; rounds: number; contenders: readonly ThroughputContender[]; progress: (m: string) => void },
): Promise<{ prefill: PrefillResult; reports: Array<ReaderReport & { name: string; round: number }>; rows: ThroughputRow[] }> {
  const prefix = `bench_cdc_tp_${Date.now().toString(36)}`;
  o.progress(`pre-filling ${o.changes.toLocaleString('en-US')} changes into ${prefix}.shop.{orders,order_items,payments}`);
  const prefill = await prefillTopics({ brokers: stack.brokers, topicPrefix: prefix, changes: o.changes });
  o.progress(`pre-filled in ${(prefill.elapsedMs / 1000).toFixed(1)} s (${round(prefill.bytes / 1024 / 1024, 0)} MB of values and keys; ${JSON.stringify(prefill.byTable)})`);
  const reports: Array<ReaderReport & { name: string; round: number }> = [];
  try {
    for (let r = 0; r <= o.rounds; r++) {
      const order = r % 2 === 0 ? o.contenders : [...o.contenders].reverse();
      for (const c of order) {
        const report = await runThroughputReader({
          client: c.client,
          brokers: stack.brokers,
          topics: prefill.topics,
          groupId: `${prefix}-${o.contenders.indexOf(c)}-${c.client}-${r}`,
          expected: prefill.changes,
          ...(c.kafkajs ? { kafkajs: c.kafkajs } : {}),
          ...(c.platformatic ? { platformatic: c.platformatic } : {}),
          ...(c.pipeline ? { pipeline: { ...c.pipeline, redisUrl: stack.env.REDIS_URL } } : {}),
        });
        o.progress(`${r === 0 ? 'warm-up' : `round ${r}`} ${c.name}: ${report.messagesPerSecond.toLocaleString('en-US')} changes/s, ${round((report.cpuMs * 1000) / report.messages, 1)} µs CPU/change, RSS ${report.peakRssMb} MB`);
        if (r > 0) reports.push({ ...report, name: c.name, round: r });
      }
    }
  } finally {
    const kafka = new Kafka({ clientId: 'unics-bench-cdc-cleanup', brokers: stack.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [...prefill.topics], timeout: 60_000 }).catch(() => undefined);
    await admin.disconnect();
  }
  const bareName = (o.contenders.find((c) => c.bare) ?? o.contenders[0])?.name;
  const bare = median(reports.filter((x) => x.name === bareName).map((x) => x.messagesPerSecond));
  const rows = o.contenders.map((c): ThroughputRow => {
    const rs = reports.filter((x) => x.name === c.name);
    const rate = median(rs.map((x) => x.messagesPerSecond));
    return {
      contender: c.name,
      rounds: rs.length,
      changesPerSecond: rate,
      cpuUsPerChange: round(median(rs.map((x) => (x.cpuMs * 1000) / x.messages)), 1),
      peakRssMb: Math.max(...rs.map((x) => x.peakRssMb)),
      startupMs: median(rs.map((x) => x.startupMs)),
      vsBareKafkajs: `${round((rate / bare) * 100, 0)} %`,
    };
  });
  return { prefill, reports, rows };
}
