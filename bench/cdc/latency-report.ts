// Pure: joins the writer's commits with the consumer's arrivals by transaction id and splits each change's
// commit -> consumed time into the stretches the events' own timestamps allow:
//   commit tail      source.ts_us (PostgreSQL's commit timestamp) -> the writer saw COMMIT return
//   capture          source.ts_us -> event ts_us (walsender decoding, Debezium reading and building the event)
//   connect+produce  event ts_us -> Kafka record timestamp (Debezium's queue, Connect's poll, converter, producer;
//                    the broker's append on a LogAppendTime topic)
//   deliver          Kafka record timestamp -> the consumer's eachBatch
// Record timestamps are whole milliseconds, so the last two stretches carry up to 1 ms of rounding each.
import { percentile, round } from '../lib/stats.ts';
import type { Arrival, HeartbeatArrival } from './latency-consumer.ts';
import type { Commit } from './steady-writer.ts';

export interface Distribution {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface LatencyReport {
  readonly changes: number;
  /** Commits never seen by the consumer (after the warm-up). */
  readonly missing: number;
  readonly commitToConsumed: Distribution;
  readonly sourceToConsumed: Distribution;
  readonly stretches: { readonly commitTail: Distribution; readonly capture: Distribution; readonly connectProduce: Distribution; readonly deliver: Distribution };
  /** p99 of commit -> consumed per second of the run, to show periodic stalls. */
  readonly p99BySecond: number[];
}

export function distribution(samples: readonly number[]): Distribution {
  return {
    n: samples.length,
    p50: round(percentile(samples, 50), 2),
    p90: round(percentile(samples, 90), 2),
    p99: round(percentile(samples, 99), 2),
    max: round(samples.length ? Math.max(...samples) : Number.NaN, 2),
  };
}

export function latencyReport(commits: readonly Commit[], arrivals: readonly Arrival[], opts: { warmupMs: number }): LatencyReport {
  const byTx = new Map<number, Arrival>();
  for (const a of arrivals) if (!byTx.has(a.txId)) byTx.set(a.txId, a);
  const first = commits.reduce((m, c) => Math.min(m, c.sentAt), Infinity);
  const measured = commits.filter((c) => c.sentAt >= first + opts.warmupMs);
  const e2e: number[] = [];
  const s2c: number[] = [];
  const tail: number[] = [];
  const capture: number[] = [];
  const connect: number[] = [];
  const deliver: number[] = [];
  const bySecond = new Map<number, number[]>();
  let missing = 0;
  for (const c of measured) {
    const a = byTx.get(c.txId);
    if (!a) {
      missing++;
      continue;
    }
    const sourceMs = a.sourceTsUs / 1000;
    const eventMs = a.eventTsUs / 1000;
    const latency = a.receivedAt - c.committedAt;
    e2e.push(latency);
    s2c.push(a.receivedAt - sourceMs);
    tail.push(c.committedAt - sourceMs);
    capture.push(eventMs - sourceMs);
    connect.push(a.kafkaTsMs - eventMs);
    deliver.push(a.receivedAt - a.kafkaTsMs);
    const second = Math.floor((c.sentAt - first) / 1000);
    (bySecond.get(second) ?? bySecond.set(second, []).get(second)!).push(latency);
  }
  const seconds = [...bySecond.keys()].sort((x, y) => x - y);
  return {
    changes: measured.length,
    missing,
    commitToConsumed: distribution(e2e),
    sourceToConsumed: distribution(s2c),
    stretches: { commitTail: distribution(tail), capture: distribution(capture), connectProduce: distribution(connect), deliver: distribution(deliver) },
    p99BySecond: seconds.map((s) => round(percentile(bySecond.get(s)!, 99), 1)),
  };
}

/** Heartbeats: how often they came, and how old each was when it arrived (its ts_ms -> eachBatch). */
export function heartbeatReport(heartbeats: readonly HeartbeatArrival[]): { count: number; intervalMs: Distribution; ageMs: Distribution } {
  const sorted = [...heartbeats].sort((a, b) => a.tsMs - b.tsMs);
  const gaps = sorted.slice(1).map((h, i) => h.tsMs - sorted[i]!.tsMs);
  return { count: heartbeats.length, intervalMs: distribution(gaps), ageMs: distribution(heartbeats.map((h) => h.receivedAt - h.tsMs)) };
}
