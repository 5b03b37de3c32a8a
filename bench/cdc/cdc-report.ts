// Pure: the CDC benchmark's Markdown section from its measurements (medians of rounds), with the issue's goals:
// (a) freshness p99 <= 100 ms at a steady 1,000 changes/s, beside the floors under it (Kafka's EndToEndLatency,
// a kafkajs ping, Debezium to a bare kafkajs consumer); (b) views fold >= 50 % of the bare kafkajs consumer's rate.
import { markdownTable, median, round } from '../lib/stats.ts';
import type { DebeziumLatencyRun } from './debezium-latency.ts';
import type { EndToEndLatencyResult } from './kafka-end-to-end-latency.ts';
import type { PingResult } from './kafkajs-ping.ts';
import type { FreshnessResult } from './pipeline-hooks.ts';
import type { ThroughputRow } from './throughput.ts';

export const goals = Object.freeze({ freshnessP99Ms: 100, throughputShareOfBare: 0.5, rate: 1000 });

export interface CdcMeasurements {
  readonly command: string;
  readonly date: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly loadAvg1: readonly number[];
  readonly kafkaTool: readonly EndToEndLatencyResult[];
  readonly kafkajsPing: readonly PingResult[];
  readonly debezium: readonly DebeziumLatencyRun[];
  readonly freshness: readonly FreshnessResult[];
  readonly throughput: { readonly rows: readonly ThroughputRow[]; readonly changes: number; readonly prefillMs: number } | null;
  readonly rawFile: string;
}

const med = <T>(xs: readonly T[], f: (x: T) => number) => (xs.length ? round(median(xs.map(f)), 1) : Number.NaN);
const fmt = (n: number) => (Number.isNaN(n) ? '–' : String(n));

export function freshnessRows(m: CdcMeasurements): Array<Record<string, string | number>> {
  const rows: Array<Record<string, string | number>> = [];
  for (const bytes of [...new Set(m.kafkaTool.map((k) => k.recordBytes))]) {
    const ks = m.kafkaTool.filter((k) => k.recordBytes === bytes);
    rows.push({ path: `Kafka EndToEndLatency (Java), ${bytes} B records, one at a time`, rounds: ks.length, 'p50 ms': fmt(med(ks, (k) => k.p50Ms)), 'p99 ms': fmt(med(ks, (k) => k.p99Ms)), note: 'whole ms, truncated; the floor' });
  }
  if (m.kafkajsPing.length) {
    rows.push({ path: 'kafkajs produce -> kafkajs consumer, one at a time', rounds: m.kafkajsPing.length, 'p50 ms': fmt(med(m.kafkajsPing, (p) => p.p50Ms)), 'p99 ms': fmt(med(m.kafkajsPing, (p) => p.p99Ms)), note: 'what kafkajs adds' });
  }
  if (m.debezium.length) {
    rows.push({
      path: `PostgreSQL commit -> Debezium -> bare kafkajs consumer, ${goals.rate}/s`,
      rounds: m.debezium.length,
      'p50 ms': fmt(med(m.debezium, (r) => r.latency.commitToConsumed.p50)),
      'p99 ms': fmt(med(m.debezium, (r) => r.latency.commitToConsumed.p99)),
      note: `the stack's connector config; writer at ${med(m.debezium, (r) => r.writer.achievedRate)}/s; the floor for views`,
    });
  }
  for (const f of m.freshness.length ? [m.freshness] : []) {
    rows.push({ path: `PostgreSQL commit -> visible through GraphQL (UniCS views), ${goals.rate}/s`, rounds: f.length, 'p50 ms': fmt(med(f, (r) => r.commitToVisible.p50)), 'p99 ms': fmt(med(f, (r) => r.commitToVisible.p99)), note: `goal p99 <= ${goals.freshnessP99Ms} ms` });
  }
  return rows;
}

export function stretchRows(runs: readonly DebeziumLatencyRun[]): Array<Record<string, string | number>> {
  const names = [
    ['commitTail', 'PostgreSQL commit timestamp -> COMMIT returned to the writer'],
    ['capture', 'commit timestamp -> Debezium built the event (walsender, streaming loop)'],
    ['connectProduce', 'event built -> broker append (Debezium queue, Connect poll, producer)'],
    ['deliver', 'broker append -> kafkajs eachBatch'],
  ] as const;
  return names.map(([k, what]) => ({
    stretch: what,
    'p50 ms': fmt(med(runs, (r) => r.latency.stretches[k].p50)),
    'p99 ms': fmt(med(runs, (r) => r.latency.stretches[k].p99)),
  }));
}

export function resultsSection(m: CdcMeasurements): string {
  const lines = [
    `Command: \`${m.command}\` · ${m.date} · ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(' · ')} · ` +
      `1-minute load average ${Math.min(...m.loadAvg1)}–${Math.max(...m.loadAvg1)} on 2 shared cores · raw: \`${m.rawFile}\``,
    '',
    `### (a) Freshness at a steady ${goals.rate.toLocaleString('en-US')} changes/s`,
    '',
    markdownTable(freshnessRows(m)),
  ];
  if (m.debezium.length) {
    const cpu = (k: 'connector' | 'walsender' | 'consumer') => med(m.debezium, (r) => r.cpuMsPer1000[k]);
    const idle = m.debezium.filter((r) => r.idleCpuMsPerSecond);
    lines.push(
      '', 'Where the Debezium floor goes (per change, from the events\' own timestamps):', '', markdownTable(stretchRows(m.debezium)), '',
      `CPU per 1,000 changes: the connector's threads in Connect ${cpu('connector')} ms, its walsender ${cpu('walsender')} ms, the kafkajs consumer ${cpu('consumer')} ms` +
        (idle.length ? `; idle, the connector costs ${med(idle, (r) => r.idleCpuMsPerSecond!.connector)} ms of CPU per second.` : '.'),
    );
  }
  if (m.throughput) {
    lines.push('', `### (b) Throughput: ${m.throughput.changes.toLocaleString('en-US')} pre-filled changes (generated Debezium envelopes for shop.orders, order_items, payments; 3 topics × 4 partitions; filled in ${round(m.throughput.prefillMs / 1000, 1)} s)`, '',
      markdownTable(m.throughput.rows.map((r) => ({ contender: r.contender, rounds: r.rounds, 'changes/s': r.changesPerSecond.toLocaleString('en-US'), 'vs bare kafkajs': r.vsBareKafkajs, 'CPU µs/change': r.cpuUsPerChange, 'peak RSS MB': r.peakRssMb }))));
  }
  lines.push('', goalLine(m));
  return lines.join('\n');
}

export function goalLine(m: CdcMeasurements): string {
  const parts: string[] = [];
  if (m.freshness.length) {
    const p99 = med(m.freshness, (r) => r.commitToVisible.p99);
    parts.push(`freshness p99 ${p99} ms (goal <= ${goals.freshnessP99Ms} ms: ${p99 <= goals.freshnessP99Ms ? 'met' : 'missed'})`);
  } else parts.push('freshness through views: not measured (no view pipeline wired)');
  const rows = m.throughput?.rows ?? [];
  const bare = rows.find((r) => r.contender.startsWith('kafkajs (bare'));
  const views = rows.find((r) => r.contender.startsWith('UniCS'));
  if (bare && views) {
    const share = views.changesPerSecond / bare.changesPerSecond;
    parts.push(`views fold ${round(share * 100, 0)} % of the bare consumer's rate (goal >= ${goals.throughputShareOfBare * 100} %: ${share >= goals.throughputShareOfBare ? 'met' : 'missed'})`);
  } else parts.push('throughput into views: not measured (no view pipeline wired)');
  return `Goals: ${parts.join('; ')}.`;
}
