// The explain report of one request (`extensions.unics` when the client sends the explain header): per source, what
// the connector layer did for this request, from the CallContext.observe events its loads and calls produced.
import type { Clock } from '../common/clock.ts';
import type { CallObservation } from '../connectors/connector.ts';

export interface SourceExplain {
  /** "live": read through the connector during this request (views come later and will say "view"). */
  readonly mode: 'live' | 'view';
  /** Entities and commands of this source the request used. */
  readonly operations: readonly string[];
  /** Upstream requests this request caused, retries included. */
  readonly calls: number;
  /** Keys per upstream request, in the order they were sent. */
  readonly batchSizes: readonly number[];
  /** Keys answered by the connector's shared cache, and keys it did not have. */
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Keys that joined an upstream request another caller already had in flight. */
  readonly singleflightShared: number;
  /** Upstream requests that failed (timeout, error, breaker open …). */
  readonly failures: number;
  /** Time spent in this source's upstream requests, summed (parallel requests each count). */
  readonly ms: number;
}

export interface ExplainReport {
  readonly sources: Readonly<Record<string, SourceExplain>>;
  /** From the start of the request (createContext) to the report. */
  readonly totalMs: number;
}

export interface ExplainRecorder {
  observe(event: CallObservation): void;
  report(): ExplainReport;
}

interface Tally {
  operations: Set<string>;
  calls: number;
  batchSizes: number[];
  cacheHits: number;
  cacheMisses: number;
  singleflightShared: number;
  failures: number;
  ms: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function createExplainRecorder(clock: Clock): ExplainRecorder {
  const startedMs = clock.monotonicMs();
  const bySource = new Map<string, Tally>();
  const tally = (source: string): Tally => {
    let t = bySource.get(source);
    if (t === undefined) {
      t = { operations: new Set(), calls: 0, batchSizes: [], cacheHits: 0, cacheMisses: 0, singleflightShared: 0, failures: 0, ms: 0 };
      bySource.set(source, t);
    }
    return t;
  };
  return {
    observe(event) {
      const t = tally(event.connector);
      switch (event.type) {
        case 'cache':
          t.operations.add(event.entity);
          t.cacheHits += event.hits;
          t.cacheMisses += event.misses;
          break;
        case 'singleflight':
          t.operations.add(event.entity);
          t.singleflightShared += event.shared;
          break;
        case 'attempt':
          t.operations.add(event.operation);
          t.calls++;
          t.batchSizes.push(event.batchSize);
          t.ms += event.durationMs;
          if (event.outcome !== 'success') t.failures++;
          break;
      }
    },
    report() {
      const sources: Record<string, SourceExplain> = {};
      for (const [source, t] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
        sources[source] = {
          mode: 'live',
          operations: [...t.operations].sort(),
          calls: t.calls,
          batchSizes: [...t.batchSizes],
          cacheHits: t.cacheHits,
          cacheMisses: t.cacheMisses,
          singleflightShared: t.singleflightShared,
          failures: t.failures,
          ms: round(t.ms),
        };
      }
      return { sources, totalMs: round(clock.monotonicMs() - startedMs) };
    },
  };
}
