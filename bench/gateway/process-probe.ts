// Loaded into UniCS by the gateway benchmark (`node --import bench/gateway/process-probe.ts app/main.ts`, see
// contenders.ts), never by UniCS itself. On SIGUSR2 it appends one JSON line to $UNICS_BENCH_PROBE_FILE: the
// event-loop delay and GC pauses the process measured since the previous SIGUSR2, and its memory now; then it
// starts a new window. Costs: a 10 ms event-loop timer and a performance observer for GC entries.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { summarizeGc, type ProcessStats } from './process-stats.ts';

const file = process.env.UNICS_BENCH_PROBE_FILE;
if (file) {
  // Node 24's histogram holds the whole interval between the timer's runs (10.1 ms on an idle loop at resolution
  // 10): the delay is what exceeds the resolution.
  const RESOLUTION_MS = 10;
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let gc: Array<{ kind: number; durationMs: number }> = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push({ kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0, durationMs: e.duration });
  }).observe({ entryTypes: ['gc'] });
  let since = performance.now();
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  process.on('SIGUSR2', () => {
    const m = process.memoryUsage();
    const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
    const stats: ProcessStats = {
      windowMs: Math.round(performance.now() - since),
      eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      gc: summarizeGc(gc),
      memoryMb: { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external) },
    };
    appendFileSync(file, `${JSON.stringify(stats)}\n`);
    delay.reset();
    gc = [];
    since = performance.now();
  });
}
