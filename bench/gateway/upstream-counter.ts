// Upstream work counted at the upstream: the simulators' request counters (GET /__sim/stats, POST /__sim/reset).
// Token requests and WSDL downloads are counted apart: they are set-up, not per-request work.

export type SourceName = 'crm' | 'shop' | 'helpdesk' | 'wms';
export const SOURCES: readonly SourceName[] = ['crm', 'shop', 'helpdesk', 'wms'];

export type SourceCounts = Record<SourceName, number>;

/** Routes that are set-up traffic, not work done for a client request. */
const SETUP_ROUTES = new Set(['POST /oauth/token', 'GET wsdl', 'GET /api/v1', 'graphql __schema', 'graphql __typename']);

/** Per-request work in one simulator's stats: every route except set-up routes. */
export function workRequests(stats: { byRoute?: Record<string, number> }): number {
  let n = 0;
  for (const [route, count] of Object.entries(stats.byRoute ?? {})) if (!SETUP_ROUTES.has(route)) n += count;
  return n;
}

export interface UpstreamCounter {
  reset(): Promise<void>;
  /** Work requests per source since the last reset. */
  read(): Promise<SourceCounts>;
}

export function createUpstreamCounter(urls: Readonly<Record<SourceName, string>>): UpstreamCounter {
  return {
    async reset() {
      await Promise.all(SOURCES.map(async (s) => (await fetch(`${urls[s]}/__sim/reset`, { method: 'POST' })).body?.cancel()));
    },
    async read() {
      const entries = await Promise.all(
        SOURCES.map(async (s) => [s, workRequests((await (await fetch(`${urls[s]}/__sim/stats`)).json()) as { byRoute?: Record<string, number> })] as const),
      );
      return Object.fromEntries(entries) as SourceCounts;
    },
  };
}

/** Counts divided by the number of client requests, and the number of sources touched. */
export function perClientRequest(counts: SourceCounts, clientRequests: number): { perSource: SourceCounts; total: number; sourcesTouched: number } {
  const perSource = Object.fromEntries(SOURCES.map((s) => [s, clientRequests > 0 ? counts[s] / clientRequests : 0])) as SourceCounts;
  return { perSource, total: SOURCES.reduce((sum, s) => sum + perSource[s], 0), sourcesTouched: SOURCES.filter((s) => counts[s] > 0).length };
}
