// `npm run bench -- cdc --tune`: the Debezium latency floor under each setting that could move it, in alternating
// rounds on the shared stack, so the stack's choices in stack/settings.ts rest on measurements. Each variant is the
// stack's connector config plus the overrides listed; Connect worker settings are tried per connector through
// producer.override.* (Connect's default client override policy, All, allows it).
import { median, round } from '../lib/stats.ts';
import type { BenchStack } from './bench-stack.ts';
import { measureDebeziumLatency, type DebeziumLatencyOptions, type DebeziumLatencyRun } from './debezium-latency.ts';

export interface TuningVariant extends Omit<DebeziumLatencyOptions, 'progress'> {
  /** What the variant tests, for the report. */
  readonly why: string;
}

export const tuningVariants: readonly TuningVariant[] = [
  { label: 'debezium-defaults', why: "Debezium's poll.interval.ms (500 ms) and Kafka 4's producer linger.ms (5 ms)", overrides: { 'poll.interval.ms': '500', 'producer.override.linger.ms': '5' } },
  { label: 'stack', why: 'the stack as configured (stack/settings.ts)', overrides: {} },
  { label: 'poll-1', why: 'poll.interval.ms=1', overrides: { 'poll.interval.ms': '1' } },
  { label: 'poll-5', why: 'poll.interval.ms=5 (the stack before this tuning)', overrides: { 'poll.interval.ms': '5' } },
  { label: 'poll-25', why: 'poll.interval.ms=25', overrides: { 'poll.interval.ms': '25' } },
  { label: 'linger-5', why: "Kafka 4's default producer linger.ms=5 (the worker sets 0)", overrides: { 'producer.override.linger.ms': '5' } },
  { label: 'heartbeat-10s', why: 'heartbeat.interval.ms=10000 (the stack before this tuning): what 100 ms heartbeats cost', overrides: { 'heartbeat.interval.ms': '10000' } },
  { label: 'async-commit', why: 'the writer with synchronous_commit=off (WAL flushed by the WAL writer every wal_writer_delay, 10 ms)', overrides: {}, synchronousCommit: 'off' },
  { label: 'kafkajs-maxwait-5000', why: "the consumer with kafkajs' default maxWaitTimeInMs=5000 instead of 50 (minBytes 1)", overrides: {}, consumer: { maxWaitTimeInMs: 5000 } },
];

export interface TuningRow {
  readonly variant: string;
  readonly why: string;
  readonly rounds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly captureP50Ms: number;
  readonly connectProduceP50Ms: number;
  readonly deliverP50Ms: number;
  readonly commitTailP50Ms: number;
  readonly connectorCpuMsPer1000: number;
  readonly kafkaCpuMsPer1000: number;
  readonly idleConnectorCpuMsPerS: number | null;
  readonly heartbeatsPerS: number;
  /** Changes/s the writer achieved (median); under the target the machine could not keep the rate. */
  readonly writerRate: number;
  readonly loadAvg1: string;
}

export async function runDebeziumTuning(
  stack: BenchStack,
  o: { rounds: number; durationMs: number; idleMs: number; only?: readonly string[]; progress: (m: string) => void },
): Promise<{ runs: DebeziumLatencyRun[]; rows: TuningRow[] }> {
  const variants = tuningVariants.filter((v) => !o.only?.length || o.only.includes(v.label));
  const runs: DebeziumLatencyRun[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    for (const v of order) {
      const run = await measureDebeziumLatency(stack, { durationMs: o.durationMs, idleMs: o.idleMs, ...v, progress: o.progress });
      runs.push(run);
      o.progress(`round ${round} ${v.label}: commit->consumed p50 ${run.latency.commitToConsumed.p50} ms, p99 ${run.latency.commitToConsumed.p99} ms (load ${run.loadAvg1})`);
    }
  }
  const rows = variants.map((v): TuningRow => {
    const rs = runs.filter((r) => r.label === v.label);
    const m = (f: (r: DebeziumLatencyRun) => number) => round(median(rs.map(f)), 1);
    const idle = rs.filter((r) => r.idleCpuMsPerSecond !== null);
    return {
      variant: v.label,
      why: v.why,
      rounds: rs.length,
      p50Ms: m((r) => r.latency.commitToConsumed.p50),
      p99Ms: m((r) => r.latency.commitToConsumed.p99),
      captureP50Ms: m((r) => r.latency.stretches.capture.p50),
      connectProduceP50Ms: m((r) => r.latency.stretches.connectProduce.p50),
      deliverP50Ms: m((r) => r.latency.stretches.deliver.p50),
      commitTailP50Ms: m((r) => r.latency.stretches.commitTail.p50),
      connectorCpuMsPer1000: m((r) => r.cpuMsPer1000.connector),
      kafkaCpuMsPer1000: m((r) => r.cpuMsPer1000.kafka),
      idleConnectorCpuMsPerS: idle.length ? round(median(idle.map((r) => r.idleCpuMsPerSecond!.connector)), 1) : null,
      heartbeatsPerS: m((r) => r.heartbeats.count / ((o.durationMs + o.idleMs) / 1000)),
      writerRate: m((r) => r.writer.achievedRate),
      loadAvg1: rs.map((r) => r.loadAvg1).join('/'),
    };
  });
  return { runs, rows };
}
