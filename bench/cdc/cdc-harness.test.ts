// The CDC benchmark's pure parts: joining commits with arrivals, Kafka's tool output, jcmd's thread list, the
// freshness join for the view pipeline hook, the progress bar and the report's goals. No services here.
import { describe, expect, it } from 'vitest';
import { goalLine, resultsSection, type CdcMeasurements } from './cdc-report.ts';
import { cpuOf, parseThreadCpu } from './connect-thread-cpu.ts';
import { parseEndToEndLatency } from './kafka-end-to-end-latency.ts';
import type { Arrival } from './latency-consumer.ts';
import { heartbeatReport, latencyReport } from './latency-report.ts';
import { freshnessOf, isoToMicros } from './pipeline-hooks.ts';
import { progressBar } from './prefill-topics.ts';
import type { Commit } from './steady-writer.ts';

const T = 1_795_462_866_000; // ms
const commit = (txId: number, at: number, extra: Partial<Commit> = {}): Commit => ({
  txId, op: 'u', orderId: `O${txId}`, customerNo: 'K0000001', updatedAtUs: (T + at) * 1000, sentAt: T + at - 2, committedAt: T + at, ...extra,
});
const arrival = (txId: number, sourceMs: number, eventMs: number, kafkaMs: number, receivedAt: number): Arrival => ({
  txId, op: 'u', sourceTsUs: sourceMs * 1000, eventTsUs: eventMs * 1000, kafkaTsMs: kafkaMs, receivedAt, partition: 0,
});

describe('latency report', () => {
  it('joins commits and arrivals by transaction id and splits the time into stretches', () => {
    const commits = [commit(1, 0), commit(2, 10_000), commit(3, 10_001)];
    const arrivals = [
      arrival(2, T + 9_999, T + 10_003, T + 10_006, T + 10_010), // commit tail 1, capture 4, connect 3, deliver 4
      arrival(2, T + 9_999, T + 10_003, T + 10_006, T + 10_050), // a redelivery: the first arrival counts
    ];
    const r = latencyReport(commits, arrivals, { warmupMs: 5_000 });
    expect(r.changes).toBe(2); // commit 1 falls in the warm-up
    expect(r.missing).toBe(1); // commit 3 never arrived
    expect(r.commitToConsumed.p50).toBe(10);
    expect(r.sourceToConsumed.p50).toBe(11);
    expect(r.stretches.commitTail.p50).toBe(1);
    expect(r.stretches.capture.p50).toBe(4);
    expect(r.stretches.connectProduce.p50).toBe(3);
    expect(r.stretches.deliver.p50).toBe(4);
  });

  it('reports p99 per second of the run, to show periodic stalls', () => {
    const commits = Array.from({ length: 30 }, (_, i) => commit(i + 1, i * 100));
    const arrivals = commits.map((c) => arrival(c.txId, c.committedAt - 1, c.committedAt, c.committedAt + 1, c.committedAt + (c.committedAt - T >= 2000 ? 50 : 5)));
    expect(latencyReport(commits, arrivals, { warmupMs: 0 }).p99BySecond).toEqual([5, 5, 50]);
  });

  it('measures heartbeat spacing and age', () => {
    const hb = heartbeatReport([{ tsMs: 1000, receivedAt: 1003 }, { tsMs: 1100, receivedAt: 1102 }, { tsMs: 1200, receivedAt: 1210 }]);
    expect(hb.count).toBe(3);
    expect(hb.intervalMs.p50).toBe(100);
    expect(hb.ageMs.max).toBe(10);
  });
});

describe("Kafka's EndToEndLatency output", () => {
  it('reads the average and the percentiles', () => {
    const out = '0\t41.2\n1000\t0.8\nAvg latency: 0.9123 ms\nPercentiles: 50th = 0, 99th = 2, 99.9th = 7\n';
    expect(parseEndToEndLatency(out)).toEqual({ avgMs: 0.9123, p50Ms: 0, p99Ms: 2, p999Ms: 7 });
  });

  it('says what it expected when the summary is missing', () => {
    expect(() => parseEndToEndLatency('Exception in thread "main"')).toThrow(/expected "Avg latency: \.\.\. ms" and "Percentiles: \.\.\."/);
  });
});

describe('jcmd thread CPU', () => {
  const dump = [
    '"task-thread-bench-cdc-x-0" #143 prio=5 os_prio=0 cpu=1200.50ms elapsed=839.51s tid=0x1 nid=0x7423 waiting on condition',
    '"debezium-postgresconnector-bench_cdc_x-change-event-source-coordinator" #59 prio=5 os_prio=0 cpu=300.25ms elapsed=1.0s tid=0x2 nid=0x1 runnable',
    '"kafka-producer-network-thread | connector-producer-bench-cdc-x-0" #51 daemon prio=5 os_prio=0 cpu=99.25ms elapsed=1s tid=0x3 nid=0x2 runnable',
    '"task-thread-unics-postgres-0" #53 prio=5 os_prio=0 cpu=161118.95ms elapsed=1552.50s tid=0x4 nid=0x3 waiting on condition',
    '"GC Thread#1" os_prio=0 cpu=2222.54ms elapsed=1562.90s tid=0x5 nid=0x4926 runnable',
    '   java.lang.Thread.State: WAITING (parking)',
  ].join('\n');

  it("sums the threads of one connector by its name and logical name, and nothing else", () => {
    const threads = parseThreadCpu(dump);
    expect(threads.size).toBe(5);
    expect(cpuOf(threads, ['bench-cdc-x', 'bench_cdc_x'])).toBeCloseTo(1600, 6);
    expect(cpuOf(threads, ['unics-postgres'])).toBeCloseTo(161118.95, 6);
  });
});

describe('freshness join for the view pipeline hook', () => {
  it('reads ISO timestamps to the microsecond', () => {
    expect(isoToMicros('2026-11-23T19:41:06.504758Z')).toBe(1_795_462_866_504_758);
    expect(isoToMicros('2026-11-23T19:41:06.5Z')).toBe(1_795_462_866_500_000);
    expect(isoToMicros('2026-11-23T20:41:06.504758+01:00')).toBe(1_795_462_866_504_758);
    expect(isoToMicros('yesterday')).toBeNaN();
  });

  it('matches each commit with the first time its order and updated_at (to the millisecond, as GraphQL serves it) were seen', () => {
    const c = commit(7, 10_000, { orderId: 'O0000007', updatedAtUs: 1_795_462_876_000_123 });
    const seen = [
      { orderId: 'O0000007', updatedAt: '2026-11-23T19:41:16.000Z', visibleAt: T + 10_040 },
      { orderId: 'O0000007', updatedAt: '2026-11-23T19:41:16.000123Z', visibleAt: T + 10_020 },
      { orderId: 'O0000007', updatedAt: '2026-11-23T19:41:16.001Z', visibleAt: T + 10_001 }, // another update
    ];
    expect(freshnessOf([commit(1, 0), c], seen, 5_000)).toEqual({ samples: [20], missing: 0 });
    expect(freshnessOf([c], [], 0)).toEqual({ samples: [], missing: 1 });
  });
});

describe('report', () => {
  const base: CdcMeasurements = {
    command: 'npm run bench -- cdc', date: '2026-11-23', versions: { unics: '0.1.0 (abc)' }, loadAvg1: [1.5, 3],
    kafkaTool: [{ records: 10_000, recordBytes: 100, avgMs: 0.9, p50Ms: 0, p99Ms: 2, p999Ms: 5 }],
    kafkajsPing: [], debezium: [], freshness: [], throughput: null, rawFile: 'bench/results/cdc-2026-11-23.json',
  };

  it('says the goals are not measured until the view pipeline is wired', () => {
    expect(goalLine(base)).toBe('Goals: freshness through views: not measured (no view pipeline wired); throughput into views: not measured (no view pipeline wired).');
    expect(resultsSection(base)).toContain('| Kafka EndToEndLatency (Java), 100 B records, one at a time | 1 | 0 | 2 |');
    expect(resultsSection(base)).toContain('load average 1.5–3');
  });

  it('judges both goals against their figures', () => {
    const row = (contender: string, changesPerSecond: number) => ({ contender, rounds: 2, changesPerSecond, cpuUsPerChange: 5, peakRssMb: 100, startupMs: 300, vsBareKafkajs: '' });
    const m: CdcMeasurements = {
      ...base,
      freshness: [{ commits: 30_000, seen: 25_000, commitToVisible: { n: 25_000, p50: 20, p90: 40, p99: 120, max: 300 }, loadAvg1: 2 }],
      throughput: { changes: 1_000_000, prefillMs: 20_000, rows: [row('kafkajs (bare, count)', 100_000), row('UniCS view pipeline', 60_000)] },
    };
    expect(goalLine(m)).toBe("Goals: freshness p99 120 ms (goal <= 100 ms: missed); views fold 60 % of the bare consumer's rate (goal >= 50 %: met).");
  });
});

describe('progress bar', () => {
  it('draws the share done and the rate', () => {
    expect(progressBar(250_000, 1_000_000, 51_234.4, 20)).toBe('[#####...............]  25% 250,000/1,000,000 51,234 changes/s');
  });
});
