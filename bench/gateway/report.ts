// Turns the gateway benchmark's measurements into medians, ratios against Hive Gateway, goal checks and Markdown.
// Pure: the numbers in, text out (unit-tested in gateway-harness.test.ts).
import { markdownTable, round } from '../lib/stats.ts';
import type { ProcessStats } from './process-stats.ts';
import { VIEW_CONTENDERS, type ContenderName, type QueryName } from './queries.ts';
import { perClientRequest, SOURCES, type SourceCounts } from './upstream-counter.ts';

export interface ThroughputRound {
  readonly round: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly responses: number;
  /** Upstream work requests during the round. */
  readonly upstream: SourceCounts;
  /** CPU time of the contender's process tree during the run, per response. */
  readonly cpuMsPerRequest: number;
  readonly settled?: Settled;
}

/** How the run started: after how long the upstreams were quiet (or not), and the machine's 1-minute load. */
export interface Settled {
  readonly waitedMs: number;
  readonly quiet: boolean;
  readonly loadAvg1m: number;
}

export interface RateRound {
  readonly round: number;
  readonly targetRps: number;
  readonly achievedRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly settled?: Settled;
  /** Set when the run was skipped: the closed-loop throughput of the round (req/s) was too far below the rate. */
  readonly saturatedAtRps?: number;
  /** What the contender's own process measured during the run (UniCS: event-loop delay, GC pauses). */
  readonly process?: ProcessStats;
  /** What the simulators' process measured during the same run (their event-loop delay and GC pauses). */
  readonly simulators?: ProcessStats;
}

export interface Cell {
  readonly contender: ContenderName;
  readonly query: QueryName;
  /** Why the contender could not run this query (the exact error), when it could not. */
  readonly failure?: string;
  readonly throughput: readonly ThroughputRound[];
  readonly rate: readonly RateRound[];
  /** Requests sent one at a time and the upstream requests they cost. */
  readonly sequential?: { readonly requests: number; readonly upstream: SourceCounts };
  readonly peakRssBytes: number;
}

export interface Row {
  readonly contender: ContenderName;
  readonly query: QueryName;
  readonly failure?: string;
  readonly rps: number;
  readonly p50AtRateMs: number;
  readonly p99AtRateMs: number;
  readonly achievedRps: number;
  readonly targetRps: number;
  /** True when every latency run was skipped because the contender could not sustain the rate. */
  readonly saturated: boolean;
  readonly errors: number;
  readonly upstreamPerRequest: { readonly perSource: SourceCounts; readonly total: number; readonly sourcesTouched: number } | undefined;
  readonly upstreamPerRequestUnderLoad: number;
  readonly cpuMsPerRequest: number;
  readonly peakRssMb: number;
}

/** The median, averaging the two middle values of an even count (two rounds give their mean, not the lower one). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const QUERY_LABELS: Record<QueryName, string> = {
  profile: 'profile (1 customer)',
  list: 'list (50 customers)',
  'profile-distinct': 'profile, another customer each request',
};

export const LABELS: Record<ContenderName, string> = {
  unics: 'UniCS',
  'plain-apollo': 'plain Apollo Server',
  hive: 'Hive Gateway (Mesh)',
  'unics-views': 'UniCS, views in Redis',
  'unics-memory-views': 'UniCS, views in process memory (ceiling)',
};

export function summarize(cell: Cell): Row {
  const t = cell.throughput;
  const r = cell.rate.filter((x) => x.saturatedAtRps === undefined);
  const loadResponses = t.reduce((s, x) => s + x.responses, 0);
  const loadUpstream = t.reduce((s, x) => s + SOURCES.reduce((a, src) => a + x.upstream[src], 0), 0);
  return {
    contender: cell.contender,
    query: cell.query,
    ...(cell.failure ? { failure: cell.failure } : {}),
    rps: t.length ? median(t.map((x) => x.rps)) : Number.NaN,
    p50AtRateMs: r.length ? median(r.map((x) => x.p50Ms)) : Number.NaN,
    p99AtRateMs: r.length ? median(r.map((x) => x.p99Ms)) : Number.NaN,
    achievedRps: r.length ? median(r.map((x) => x.achievedRps)) : Number.NaN,
    targetRps: cell.rate[0]?.targetRps ?? Number.NaN,
    saturated: cell.rate.length > 0 && r.length === 0,
    errors: t.reduce((s, x) => s + x.errors, 0) + r.reduce((s, x) => s + x.errors, 0),
    upstreamPerRequest: cell.sequential ? perClientRequest(cell.sequential.upstream, cell.sequential.requests) : undefined,
    upstreamPerRequestUnderLoad: loadResponses > 0 ? loadUpstream / loadResponses : Number.NaN,
    cpuMsPerRequest: t.length ? median(t.map((x) => x.cpuMsPerRequest)) : Number.NaN,
    peakRssMb: cell.peakRssBytes / 1024 / 1024,
  };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? String(round(n, digits)) : '–');

function upstreamText(u: Row['upstreamPerRequest']): string {
  if (!u) return '–';
  const parts = SOURCES.filter((s) => u.perSource[s] > 0).map((s) => `${s} ${fmt(u.perSource[s], 2)}`);
  return `${fmt(u.total, 2)} (${parts.join(', ') || 'none'})`;
}

/** Throughput of a contender on a query relative to Hive Gateway's (NaN when either is missing). */
export function ratioVsHive(rows: readonly Row[], contender: ContenderName, query: QueryName): number {
  const a = rows.find((r) => r.contender === contender && r.query === query);
  const h = rows.find((r) => r.contender === 'hive' && r.query === query);
  return a && h && !a.failure && !h.failure ? a.rps / h.rps : Number.NaN;
}

function latencyText(r: Row): string {
  if (r.failure) return '–';
  if (!Number.isFinite(r.targetRps)) return 'not measured for this query';
  if (r.saturated) return `saturated (< ${fmt(r.targetRps * 0.8)} req/s closed loop)`;
  return `${fmt(r.p50AtRateMs, 1)} / ${fmt(r.p99AtRateMs, 1)} @${fmt(r.targetRps)} req/s (achieved ${fmt(r.achievedRps)})`;
}

export function resultsTable(rows: readonly Row[], connections: number): string {
  return markdownTable(
    rows.map((r) => ({
      query: QUERY_LABELS[r.query],
      contender: LABELS[r.contender],
      [`req/s @${connections} conn`]: r.failure ? 'failed' : fmt(r.rps),
      '× Hive': r.failure ? '–' : fmt(ratioVsHive(rows, r.contender, r.query), 2),
      'p50 / p99 ms at a fixed rate (open loop)': latencyText(r),
      'upstream req per client req (alone)': upstreamText(r.upstreamPerRequest),
      'upstream per client req under load': r.failure ? '–' : fmt(r.upstreamPerRequestUnderLoad, 2),
      'CPU ms per req': r.failure ? '–' : fmt(r.cpuMsPerRequest, 2),
      errors: r.failure ? '–' : r.errors,
      'peak RSS MB': fmt(r.peakRssMb),
    })),
  );
}

/** Requests/s of UniCS with views in Redis over the same server with the views in process memory (the ceiling). */
export function viewRatio(rows: readonly Row[], query: QueryName): number {
  const v = rows.find((r) => r.contender === 'unics-views' && r.query === query && !r.failure);
  const m = rows.find((r) => r.contender === 'unics-memory-views' && r.query === query && !r.failure);
  return v && m ? v.rps / m.rps : Number.NaN;
}

/** The view path: both view contenders per query, with the ratio to the ceiling. */
export function viewPathTable(rows: readonly Row[], connections: number): string {
  return markdownTable(
    rows
      .filter((r) => VIEW_CONTENDERS.includes(r.contender))
      .map((r) => ({
        query: QUERY_LABELS[r.query],
        contender: LABELS[r.contender],
        [`req/s @${connections} conn`]: r.failure ? 'failed' : fmt(r.rps),
        '× ceiling': r.failure ? '–' : fmt(r.contender === 'unics-views' ? viewRatio(rows, r.query) : 1, 2),
        'p50 / p99 ms at a fixed rate (open loop)': latencyText(r),
        'upstream req per client req (alone)': upstreamText(r.upstreamPerRequest),
        'upstream per client req under load': r.failure ? '–' : fmt(r.upstreamPerRequestUnderLoad, 2),
        'CPU ms per req': r.failure ? '–' : fmt(r.cpuMsPerRequest, 2),
        errors: r.failure ? '–' : r.errors,
        'peak RSS MB': fmt(r.peakRssMb),
      })),
  );
}

/** The goal for the view path: at least half the ceiling's throughput, per query. */
export function viewGoalChecks(rows: readonly Row[]): GoalCheck[] {
  return (['profile', 'list'] as const).map((q) => {
    const ratio = viewRatio(rows, q);
    return {
      goal: `views in Redis ≥ 0.5× the same server with the views in process memory (${q})`,
      value: Number.isFinite(ratio) ? `${fmt(ratio, 2)}×` : 'not measured',
      met: Number.isFinite(ratio) ? ratio >= 0.5 : undefined,
    };
  });
}

export interface GoalCheck {
  readonly goal: string;
  readonly value: string;
  readonly met: boolean | undefined;
}

/** The goals for UniCS's live path, checked against the rows (met undefined: not measured). */
export function goalChecks(rows: readonly Row[]): GoalCheck[] {
  const u = (q: QueryName) => rows.find((r) => r.contender === 'unics' && r.query === q && !r.failure);
  const checks: GoalCheck[] = [];
  for (const q of ['profile', 'list'] as const) {
    const ratio = ratioVsHive(rows, 'unics', q);
    checks.push({ goal: `throughput ≥ 5× Hive Gateway (${q})`, value: Number.isFinite(ratio) ? `${fmt(ratio, 2)}×` : 'not measured', met: Number.isFinite(ratio) ? ratio >= 5 : undefined });
  }
  const p = u('profile');
  const pMeasured = p && Number.isFinite(p.p99AtRateMs);
  checks.push({
    goal: `p99 ≤ 30 ms on the profile query at ${p ? fmt(p.targetRps) : 300} req/s`,
    value: pMeasured ? `${fmt(p.p99AtRateMs, 1)} ms` : p?.saturated ? 'saturated' : 'not measured',
    met: pMeasured ? p.p99AtRateMs <= 30 : p?.saturated ? false : undefined,
  });
  const rss = Math.max(...rows.filter((r) => r.contender === 'unics').map((r) => r.peakRssMb));
  checks.push({ goal: 'peak RSS < 250 MB', value: Number.isFinite(rss) && rss > 0 ? `${fmt(rss)} MB` : 'not measured', met: Number.isFinite(rss) && rss > 0 ? rss < 250 : undefined });
  for (const q of ['profile', 'list'] as const) {
    const up = u(q)?.upstreamPerRequest;
    checks.push({
      goal: `upstream requests per client request ≤ sources touched (${q})`,
      value: up ? `${fmt(up.total, 2)} for ${up.sourcesTouched} sources` : 'not measured',
      met: up ? up.total <= up.sourcesTouched : undefined,
    });
  }
  return checks;
}

export function goalsTable(checks: readonly GoalCheck[]): string {
  return markdownTable(checks.map((c) => ({ goal: c.goal, UniCS: c.value, met: c.met === undefined ? 'not measured' : c.met ? 'yes' : 'NO' })));
}
