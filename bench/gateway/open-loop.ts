// An open-loop load generator for latency at a fixed rate, run as its own process:
//   node bench/gateway/open-loop.ts '<json LoadOptions with overallRate>'   -> prints one JSON LoadSummary line
// Requests are scheduled every 1000/rate ms whatever the answers do, and each latency is measured from its
// scheduled time, so a slow server cannot slow the sender down and hide its own queueing (no coordinated
// omission). Why not autocannon --overallRate: it releases each connection's share of the rate in bursts; against
// a server that always answers in 5 ms it reported p99 39 ms at 100 connections and 16 ms at 32 (this machine,
// autocannon 9), which would swamp the 30 ms goal. autocannon still measures throughput (closed loop).
import { Pool } from 'undici';
import { percentile } from '../lib/stats.ts';
import type { LoadOptions, LoadSummary } from './autocannon-run.ts';

/** Send times (ms from start) of a run at `rate` requests per second for `seconds`. */
export function schedule(rate: number, seconds: number): number[] {
  const n = Math.round(rate * seconds);
  return Array.from({ length: n }, (_, i) => (i * 1000) / rate);
}

export function summarizeOpenLoop(latenciesMs: readonly number[], errors: number, sent: number, elapsedSeconds: number): LoadSummary {
  return {
    rps: latenciesMs.length / elapsedSeconds,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    maxMs: latenciesMs.length ? Math.max(...latenciesMs) : Number.NaN,
    responses: latenciesMs.length + errors,
    errors: errors + Math.max(0, sent - latenciesMs.length - errors),
    durationSeconds: elapsedSeconds,
  };
}

export async function runOpenLoop(o: LoadOptions & { overallRate: number }): Promise<LoadSummary> {
  const url = new URL(o.url);
  const pool = new Pool(url.origin, { connections: o.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const times = schedule(o.overallRate, o.durationSeconds);
  const latencies: number[] = [];
  let errors = 0;
  const timeoutMs = (o.timeoutSeconds ?? 10) * 1000;
  const start = performance.now();
  const inFlight: Array<Promise<void>> = [];
  const fire = (scheduledAt: number) =>
    pool
      // The deadline runs from the scheduled time, so a request still queued in the pool when it passes is
      // dropped (an error) instead of being sent late.
      .request({ path: url.pathname + url.search, method: 'POST', headers: o.headers, body: o.body, signal: AbortSignal.timeout(timeoutMs) })
      .then(async (res) => {
        await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - start - scheduledAt);
        else errors++;
      })
      .catch(() => {
        errors++;
      });
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now() - start;
      while (next < times.length && times[next]! <= now) inFlight.push(fire(times[next++]!));
      if (next >= times.length) return resolve();
      setTimeout(tick, Math.max(0, times[next]! - (performance.now() - start)));
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  return summarizeOpenLoop(latencies, errors, times.length, Math.max(o.durationSeconds, elapsed));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = JSON.parse(process.argv[2] ?? '{}') as LoadOptions & { overallRate: number };
  process.stdout.write(`${JSON.stringify(await runOpenLoop(o))}\n`);
}
