// One run of the Debezium latency floor: a fresh bench source (own schema, connector, slot, topics) with the
// connector overrides under test, the bare kafkajs latency consumer subscribed first, then the steady writer in its
// own process. Reports commit -> consumed per change (latency-report.ts), the heartbeats, and the CPU time the
// run cost Kafka Connect, the broker and the connector's walsender (shared processes: deltas, so other work on
// the machine lands in them too).
import { treeCpuSeconds } from '../gateway/cpu-time.ts';
import { cpuOf, findJcmd, threadCpu } from './connect-thread-cpu.ts';
import { round } from '../lib/stats.ts';
import type { BenchStack } from './bench-stack.ts';
import { createBenchSource } from './bench-source.ts';
import { startLatencyConsumer } from './latency-consumer.ts';
import { heartbeatReport, latencyReport, type LatencyReport } from './latency-report.ts';
import { startSteadyWriter, type SteadyWriterOptions } from './steady-writer.ts';

export interface DebeziumLatencyOptions {
  readonly label: string;
  readonly overrides?: Readonly<Record<string, string>>;
  readonly rate?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly synchronousCommit?: SteadyWriterOptions['synchronousCommit'];
  readonly consumer?: { readonly maxWaitTimeInMs?: number; readonly minBytes?: number };
  readonly timestampType?: 'CreateTime' | 'LogAppendTime';
  /** An idle window before writing, to measure what the connector costs with no changes (heartbeats, polling). */
  readonly idleMs?: number;
  readonly progress?: (m: string) => void;
}

export interface DebeziumLatencyRun {
  readonly label: string;
  readonly overrides: Readonly<Record<string, string>>;
  readonly rate: number;
  readonly writer: { readonly commits: number; readonly errors: number; readonly maxLatenessMs: number; readonly achievedRate: number };
  readonly latency: LatencyReport;
  readonly heartbeats: ReturnType<typeof heartbeatReport>;
  /** CPU ms per 1,000 changes during the run: the bench connector's own threads in Connect (jcmd), the whole broker
   * (shared: other work lands in it too), the connector's walsender, and the consumer process. */
  readonly cpuMsPer1000: CpuSplit;
  /** CPU ms per second with no changes (the idle window): what the connector costs just by running. */
  readonly idleCpuMsPerSecond: CpuSplit | null;
  readonly loadAvg1: number;
}

export interface CpuSplit {
  readonly connector: number;
  readonly kafka: number;
  readonly walsender: number;
  readonly consumer: number;
}

const suffix = () => `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;

export async function measureDebeziumLatency(stack: BenchStack, o: DebeziumLatencyOptions): Promise<DebeziumLatencyRun> {
  const progress = o.progress ?? (() => {});
  const rate = o.rate ?? 1000;
  const durationMs = o.durationMs ?? 30_000;
  const existingOrders = 10_000;
  const source = await createBenchSource({
    connectUrl: stack.env.CONNECT_URL,
    databaseUrl: stack.env.DATABASE_URL,
    brokers: stack.brokers,
    name: `bench_cdc_${suffix()}`,
    overrides: o.overrides ?? {},
    seedOrders: existingOrders,
    timestampType: o.timestampType ?? 'LogAppendTime',
    progress,
  });
  try {
    const consumer = await startLatencyConsumer({
      brokers: stack.brokers,
      topics: [source.topics.orders],
      heartbeatTopic: source.topics.heartbeat,
      groupId: `${source.connector}-latency`,
      ...o.consumer,
    });
    try {
      const walsender = await source.walsenderPid();
      const jcmd = findJcmd(stack.java);
      // Seconds of CPU, so every field divides the same way.
      const cpu = async () => ({
        connector: jcmd && stack.pids.connect ? cpuOf(await threadCpu(jcmd, stack.pids.connect), [source.connector, source.topicPrefix]) / 1000 : 0,
        kafka: stack.pids.kafka ? treeCpuSeconds(stack.pids.kafka) : 0,
        walsender: walsender ? treeCpuSeconds(walsender) : 0,
        consumer: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
      });
      let idle: DebeziumLatencyRun['idleCpuMsPerSecond'] = null;
      if (o.idleMs) {
        await new Promise((r) => setTimeout(r, 2_000)); // the connector's start-up work settles
        const a = await cpu();
        await new Promise((r) => setTimeout(r, o.idleMs));
        const b = await cpu();
        const perSecond = (k: keyof typeof a) => round(((b[k] - a[k]) * 1000 * 1000) / o.idleMs!, 1);
        idle = { connector: perSecond('connector'), kafka: perSecond('kafka'), walsender: perSecond('walsender'), consumer: perSecond('consumer') };
      }
      const before = await cpu();
      progress(`${o.label}: writing ${rate}/s for ${durationMs / 1000} s`);
      const writer = startSteadyWriter({ databaseUrl: source.databaseUrl, schema: source.schema, rate, durationMs, existingOrders, synchronousCommit: o.synchronousCommit ?? 'on' });
      const result = await writer.done;
      // Let the last events arrive.
      const deadline = Date.now() + 10_000;
      const wanted = new Set(result.commits.map((c) => c.txId));
      while (Date.now() < deadline && consumer.arrivals.filter((a) => wanted.has(a.txId)).length < wanted.size) await new Promise((r) => setTimeout(r, 100));
      const after = await cpu();
      const per1000 = (k: keyof typeof before) => round(((after[k] - before[k]) * 1000 * 1000) / Math.max(1, result.commits.length), 1);
      const latency = latencyReport(result.commits, consumer.arrivals, { warmupMs: o.warmupMs ?? 5_000 });
      const { loadavg } = await import('node:os');
      return {
        label: o.label,
        overrides: o.overrides ?? {},
        rate,
        writer: {
          commits: result.commits.length,
          errors: result.errors,
          maxLatenessMs: round(result.maxLatenessMs, 1),
          achievedRate: round(result.commits.length / (result.elapsedMs / 1000), 0),
        },
        latency,
        heartbeats: heartbeatReport(consumer.heartbeats),
        cpuMsPer1000: { connector: per1000('connector'), kafka: per1000('kafka'), walsender: per1000('walsender'), consumer: per1000('consumer') },
        idleCpuMsPerSecond: idle,
        loadAvg1: round(loadavg()[0] ?? 0, 2),
      };
    } finally {
      await consumer.stop();
    }
  } finally {
    await source.close();
  }
}
