// What a contender's own process did during a run, apart from the machine: event-loop delay and GC pauses, as the
// process itself measured them (process-probe.ts, loaded into UniCS by the benchmark). Pure: parsing and summaries.
import { markdownTable, median, round } from '../lib/stats.ts';

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

export interface PauseSummary {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

/** One window of process-probe.ts: from one SIGUSR2 to the next. */
export interface ProcessStats {
  readonly windowMs: number;
  /** Event-loop delay in the window: how late a 10 ms timer ran (perf_hooks.monitorEventLoopDelay less its resolution). */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly gc: Readonly<Partial<Record<GcKind, PauseSummary>>>;
  /** process.memoryUsage() at the end of the window, in MB. */
  readonly memoryMb: { readonly rss: number; readonly heapTotal: number; readonly heapUsed: number; readonly external: number };
}

/** perf_hooks' GC kinds (constants.NODE_PERFORMANCE_GC_*): 1 minor, 2 major, 4 incremental, 8 weak callbacks. */
const KINDS: Readonly<Record<number, GcKind>> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/** GC pauses by kind from `gc` performance entries ({ kind, duration }). */
export function summarizeGc(entries: ReadonlyArray<{ readonly kind: number; readonly durationMs: number }>): Partial<Record<GcKind, PauseSummary>> {
  const out: Partial<Record<GcKind, { count: number; totalMs: number; maxMs: number }>> = {};
  for (const e of entries) {
    const kind = KINDS[e.kind];
    if (kind === undefined) continue;
    const s = (out[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    s.count += 1;
    s.totalMs += e.durationMs;
    s.maxMs = Math.max(s.maxMs, e.durationMs);
  }
  for (const s of Object.values(out)) {
    s.totalMs = round(s.totalMs, 1);
    s.maxMs = round(s.maxMs, 1);
  }
  return out;
}

/** The last complete line of the probe's file, or undefined. */
export function lastStats(fileText: string): ProcessStats | undefined {
  const line = fileText.trimEnd().split('\n').at(-1);
  if (!line) return undefined;
  try {
    return JSON.parse(line) as ProcessStats;
  } catch {
    return undefined;
  }
}

/** All GC pauses of a window (every kind), for the "share of the run spent paused" figure. */
export function gcTotals(s: ProcessStats): PauseSummary {
  const all = Object.values(s.gc);
  return { count: all.reduce((n, p) => n + p.count, 0), totalMs: round(all.reduce((n, p) => n + p.totalMs, 0), 1), maxMs: Math.max(0, ...all.map((p) => p.maxMs)) };
}

/** One Markdown table row per window (round): what the process contributed to the latency of that run. */
export function processStatsTable(windows: ReadonlyArray<{ readonly label: string; readonly p99Ms: number; readonly stats: ProcessStats }>): string {
  return markdownTable(
    windows.map(({ label, p99Ms, stats }) => {
      const all = gcTotals(stats);
      const minor = stats.gc.minor;
      const major = stats.gc.major;
      return {
        run: label,
        'p99 ms': round(p99Ms, 1),
        'event-loop delay p99 / max ms': `${round(stats.eventLoopDelayMs.p99, 1)} / ${round(stats.eventLoopDelayMs.max, 1)}`,
        'GC pauses (count, total ms, share of the run)': `${all.count}, ${all.totalMs}, ${round((all.totalMs / stats.windowMs) * 100, 1)} %`,
        'longest minor / major GC ms': `${minor ? minor.maxMs : '–'} / ${major ? major.maxMs : '–'}`,
        'heap used / RSS MB at the end': `${round(stats.memoryMb.heapUsed)} / ${round(stats.memoryMb.rss)}`,
      };
    }),
  );
}

/** Median of a figure over windows (NaN when none). */
export const medianOf = (windows: readonly ProcessStats[], pick: (s: ProcessStats) => number): number => (windows.length ? median(windows.map(pick)) : Number.NaN);
