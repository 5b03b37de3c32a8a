// The gateway benchmark's measurements of one contender on one query: the answer checked against the demo data,
// the upstream cost of one request alone, a throughput run at fixed concurrency and a latency run at a fixed rate,
// each started only once the upstream traffic of the previous one has stopped, with the contender's CPU time.
import { loadavg } from 'node:os';
import { runLoad, type LoadSummary } from './autocannon-run.ts';
import type { RunningContender } from './contenders.ts';
import { canonicalAnswer, firstDifference, requestBody, type CanonicalCustomer, type QueryName } from './queries.ts';
import type { RateRound, ThroughputRound } from './report.ts';
import { treeCpuSeconds } from './cpu-time.ts';
import type { ProcessStats } from './process-stats.ts';
import { SOURCES, type SourceCounts, type UpstreamCounter } from './upstream-counter.ts';

export async function postQuery(c: RunningContender, query: QueryName): Promise<{ status: number; body: unknown }> {
  const res = await fetch(c.url, { method: 'POST', headers: c.headers, body: requestBody(c.name, query), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: text };
  }
}

/** Null when the contender answers the query exactly like the demo data; otherwise what went wrong. */
export async function checkAnswer(c: RunningContender, query: QueryName, expected: CanonicalCustomer[]): Promise<string | null> {
  let answer: { status: number; body: unknown };
  try {
    answer = await postQuery(c, query);
  } catch (err) {
    return `request failed: ${(err as Error).message}`;
  }
  if (answer.status !== 200) return `HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`;
  try {
    const diff = firstDifference(canonicalAnswer(c.name, answer.body), expected);
    return diff ? `the answer differs from the demo data at ${diff}` : null;
  } catch (err) {
    return `${(err as Error).message}; answer: ${JSON.stringify(answer.body).slice(0, 500)}`;
  }
}

/**
 * Waits until the simulators' counters stop moving: the upstream calls a contender still makes for requests its
 * client gave up on (plain Apollo's 50-customer list leaves thousands) must not land in the next measurement.
 * Quiet means two reads 500 ms apart agree; gives up after maxMs and says so.
 */
export async function quiesce(counter: UpstreamCounter, maxMs = 120_000): Promise<{ counts: SourceCounts; waitedMs: number; quiet: boolean }> {
  const t0 = Date.now();
  let last = await counter.read();
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await counter.read();
    if (SOURCES.every((s) => now[s] === last[s])) return { counts: now, waitedMs: Date.now() - t0, quiet: true };
    if (Date.now() - t0 > maxMs) return { counts: now, waitedMs: Date.now() - t0, quiet: false };
    last = now;
  }
}

/** Upstream requests of `n` client requests sent one at a time. */
export async function sequentialCost(c: RunningContender, query: QueryName, counter: UpstreamCounter, n: number): Promise<{ requests: number; upstream: SourceCounts }> {
  await quiesce(counter);
  await counter.reset();
  for (let i = 0; i < n; i++) {
    const { status } = await postQuery(c, query);
    if (status !== 200) throw new Error(`${c.name} ${query}: HTTP ${status} while measuring the sequential cost`);
  }
  return { requests: n, upstream: (await quiesce(counter)).counts };
}

export interface RunSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  /** Fixed request rate of the latency run, per query (req/s); no latency run for a query without one. */
  readonly rate: Readonly<Partial<Record<QueryName, number>>>;
  readonly rateConnections: number;
}

const load = (c: RunningContender, query: QueryName, o: { connections: number; durationSeconds: number; overallRate?: number }): Promise<LoadSummary> =>
  runLoad({ url: c.url, body: requestBody(c.name, query), headers: c.headers, ...o, ...(query === 'profile-distinct' ? { distinctProfilesFor: c.name } : {}) });

/** Waits for quiet upstreams, then notes the machine's load (other processes share its two cores). */
async function settle(counter: UpstreamCounter): Promise<{ waitedMs: number; quiet: boolean; loadAvg1m: number }> {
  const q = await quiesce(counter);
  return { waitedMs: q.waitedMs, quiet: q.quiet, loadAvg1m: loadavg()[0] ?? Number.NaN };
}

export async function throughputRound(c: RunningContender, query: QueryName, counter: UpstreamCounter, s: RunSettings, round: number): Promise<ThroughputRound> {
  const before = await settle(counter);
  await counter.reset();
  const cpu0 = treeCpuSeconds(c.service.pid);
  const r = await load(c, query, { connections: s.connections, durationSeconds: s.durationSeconds });
  const cpuSeconds = treeCpuSeconds(c.service.pid) - cpu0;
  const upstream = (await quiesce(counter)).counts;
  return { round, rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, responses: r.responses, upstream, cpuMsPerRequest: r.responses > 0 ? (cpuSeconds * 1000) / r.responses : Number.NaN, settled: before };
}

/** Below this share of the fixed rate in the closed-loop run, the contender is saturated and the latency run skipped. */
export const SATURATED_BELOW = 0.8;

/**
 * The latency run at the query's fixed rate; skipped (saturated) when the round's closed-loop throughput stayed
 * under 80 % of that rate: an open loop beyond capacity measures only its own queue, and the contender's
 * abandoned work would keep the upstreams busy long after.
 */
export async function rateRound(
  c: RunningContender,
  query: QueryName,
  counter: UpstreamCounter,
  s: RunSettings,
  round: number,
  closedLoopRps: number,
  /** The simulators' own probe (simulators.ts), read over the same window. */
  simulatorStats?: () => Promise<ProcessStats | undefined>,
): Promise<RateRound | undefined> {
  const rate = s.rate[query];
  if (rate === undefined) return undefined;
  if (closedLoopRps < rate * SATURATED_BELOW) {
    return { round, targetRps: rate, achievedRps: Number.NaN, p50Ms: Number.NaN, p99Ms: Number.NaN, errors: 0, saturatedAtRps: closedLoopRps };
  }
  const before = await settle(counter);
  await Promise.all([c.processStats?.(), simulatorStats?.()]); // start the processes' measurement windows
  const r = await load(c, query, { connections: s.rateConnections, durationSeconds: s.durationSeconds, overallRate: rate });
  const [own, sims] = await Promise.all([c.processStats?.(), simulatorStats?.()]);
  return { round, targetRps: rate, achievedRps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, settled: before, ...(own ? { process: own } : {}), ...(sims ? { simulators: sims } : {}) };
}

/** A short closed-loop run whose numbers are thrown away (JIT, connection pools, WSDL and token fetches). */
export async function warmUp(c: RunningContender, query: QueryName, s: RunSettings, seconds: number): Promise<void> {
  await load(c, query, { connections: s.connections, durationSeconds: seconds });
}
