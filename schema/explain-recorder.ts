// The explain report of one request (`extensions.unics` when the client sends the explain header): per source, what
// the connector layer did for this request, from the CallContext.observe events its loads and calls produced, and
// how many customers' parts of it came from materialized views; plus the request's reads of the view store.
import type { Clock } from '../common/clock.ts';
import type { CallObservation } from '../connectors/connector.ts';

export interface SourceExplain {
  /** "live": read through the connector only; "view": every part of it came from materialized views; "mixed": both. */
  readonly mode: 'live' | 'view' | 'mixed';
  /** Customers whose part of this source came from a materialized view (each customer once). */
  readonly viewReads: number;
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

/** The request's reads of the view store (CustomerViews.read): one per tick in which customers were resolved. */
export interface ViewStoreExplain {
  readonly reads: number;
  /** Customer ids per read, in the order they were sent. */
  readonly batchSizes: readonly number[];
  /** Ids the store had a view for. */
  readonly found: number;
  /** Reads that rejected (store down, request aborted); their customers were read live. */
  readonly failures: number;
  /** Time spent in store reads, summed. */
  readonly ms: number;
}

export interface ExplainReport {
  readonly sources: Readonly<Record<string, SourceExplain>>;
  /** Present when the request read the view store. */
  readonly views?: ViewStoreExplain;
  /** From the start of the request (createContext) to the report. */
  readonly totalMs: number;
}

export interface ExplainRecorder {
  observe(event: CallObservation): void;
  /** A resolver loaded `entity` of `source` live (through the request's loader; the connector may answer from its cache). */
  recordLive(source: string, entity: string): void;
  /** A part of `source` for this customer came from its materialized view. */
  recordView(source: string, customerId: string): void;
  /** One read of the view store: how many ids, how many views it had, how long, whether it answered. */
  recordViewStore(keys: number, found: number, ms: number, outcome: 'success' | 'failure'): void;
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
  viewCustomers: Set<string>;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function createExplainRecorder(clock: Clock): ExplainRecorder {
  const startedMs = clock.monotonicMs();
  const bySource = new Map<string, Tally>();
  let store: { reads: number; batchSizes: number[]; found: number; failures: number; ms: number } | undefined;
  const tally = (source: string): Tally => {
    let t = bySource.get(source);
    if (t === undefined) {
      t = { operations: new Set(), calls: 0, batchSizes: [], cacheHits: 0, cacheMisses: 0, singleflightShared: 0, failures: 0, ms: 0, viewCustomers: new Set() };
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
    recordLive(source, entity) {
      tally(source).operations.add(entity);
    },
    recordView(source, customerId) {
      tally(source).viewCustomers.add(customerId);
    },
    recordViewStore(keys, found, ms, outcome) {
      store ??= { reads: 0, batchSizes: [], found: 0, failures: 0, ms: 0 };
      store.reads++;
      store.batchSizes.push(keys);
      store.found += found;
      store.ms += ms;
      if (outcome === 'failure') store.failures++;
    },
    report() {
      const sources: Record<string, SourceExplain> = {};
      for (const [source, t] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
        // Every live load and call names its entity or command (recordLive, observations of the connector layer).
        const live = t.operations.size > 0;
        sources[source] = {
          mode: t.viewCustomers.size === 0 ? 'live' : live ? 'mixed' : 'view',
          viewReads: t.viewCustomers.size,
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
      const views = store === undefined ? {} : { views: { ...store, batchSizes: [...store.batchSizes], ms: round(store.ms) } };
      return { sources, ...views, totalMs: round(clock.monotonicMs() - startedMs) };
    },
  };
}
