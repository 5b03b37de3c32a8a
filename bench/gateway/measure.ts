// The gateway benchmark's measurements of one contender on one query: the answer checked against the demo data,
// the upstream cost of one request alone, a throughput run at fixed concurrency and a latency run at a fixed rate,
// each with the simulators' counters read once the upstream traffic has stopped.
import { runLoad, type LoadSummary } from './autocannon-run.ts';
import type { RunningContender } from './contenders.ts';
import { canonicalAnswer, firstDifference, requestBody, type CanonicalCustomer, type QueryName } from './queries.ts';
import type { RateRound, ThroughputRound } from './report.ts';
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

/** Waits until the simulators' counters stop moving (in-flight upstream calls of the last run are done). */
export async function quiesce(counter: UpstreamCounter, maxMs = 15_000): Promise<SourceCounts> {
  let last = await counter.read();
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await counter.read();
    if (SOURCES.every((s) => now[s] === last[s])) return now;
    last = now;
  }
  return last;
}

/** Upstream requests of `n` client requests sent one at a time. */
export async function sequentialCost(c: RunningContender, query: QueryName, counter: UpstreamCounter, n: number): Promise<{ requests: number; upstream: SourceCounts }> {
  await quiesce(counter);
  await counter.reset();
  for (let i = 0; i < n; i++) {
    const { status } = await postQuery(c, query);
    if (status !== 200) throw new Error(`${c.name} ${query}: HTTP ${status} while measuring the sequential cost`);
  }
  return { requests: n, upstream: await quiesce(counter) };
}

export interface RunSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly rate: number;
  readonly rateConnections: number;
}

const load = (c: RunningContender, query: QueryName, o: { connections: number; durationSeconds: number; overallRate?: number }): Promise<LoadSummary> =>
  runLoad({ url: c.url, body: requestBody(c.name, query), headers: c.headers, ...o });

export async function throughputRound(c: RunningContender, query: QueryName, counter: UpstreamCounter, s: RunSettings, round: number): Promise<ThroughputRound> {
  await quiesce(counter);
  await counter.reset();
  const r = await load(c, query, { connections: s.connections, durationSeconds: s.durationSeconds });
  const upstream = await quiesce(counter);
  return { round, rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, responses: r.responses, upstream };
}

export async function rateRound(c: RunningContender, query: QueryName, counter: UpstreamCounter, s: RunSettings, round: number): Promise<RateRound> {
  await quiesce(counter);
  const r = await load(c, query, { connections: s.rateConnections, durationSeconds: s.durationSeconds, overallRate: s.rate });
  return { round, targetRps: s.rate, achievedRps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors };
}

/** A short closed-loop run whose numbers are thrown away (JIT, connection pools, WSDL and token fetches). */
export async function warmUp(c: RunningContender, query: QueryName, s: RunSettings, seconds: number): Promise<void> {
  await load(c, query, { connections: s.connections, durationSeconds: seconds });
}
