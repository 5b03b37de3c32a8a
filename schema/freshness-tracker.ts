// Customer.freshness: one entry per source this request read for one customer. Every resolver of the customer's
// subtree (profile, orders, tickets, and each order's shipment) passes its load through track(); the freshness
// resolver waits until the subtree has gone quiet (no load pending after the resolvers it triggers have run), so
// it reports the sources that were really read, wherever freshness sits in the selection.
import type { Clock } from '../common/clock.ts';

export type FreshnessMode = 'LIVE' | 'VIEW' | 'UNAVAILABLE';

export interface SourceFreshness {
  readonly source: string;
  readonly mode: FreshnessMode;
  /** When the data was read (ISO); null when the source was unavailable. */
  readonly asOf: string | null;
  readonly lagMs: number | null;
}

export interface FreshnessTracker {
  /** Records that `work` reads `source` for this customer; returns `work` unchanged. */
  track<T>(source: string, work: Promise<T>): Promise<T>;
  /** The entries, sorted by source name, once no tracked read is pending. */
  report(): Promise<SourceFreshness[]>;
}

interface SourceState {
  /** The earliest time a read of this source answered (a later read of the same data is not fresher). */
  readAtMs: number | undefined;
  failed: boolean;
}

/** Lets every resolver that is ready to run do so (GraphQL execution is promise-driven; a macrotask drains it). */
const afterPendingCallbacks = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createFreshnessTracker(clock: Clock, settle: () => Promise<void> = afterPendingCallbacks): FreshnessTracker {
  const sources = new Map<string, SourceState>();
  const pending = new Set<Promise<unknown>>();
  return {
    track(source, work) {
      let state = sources.get(source);
      if (state === undefined) {
        state = { readAtMs: undefined, failed: false };
        sources.set(source, state);
      }
      const s = state;
      const watched = work.then(
        () => {
          const now = clock.now();
          if (s.readAtMs === undefined || now < s.readAtMs) s.readAtMs = now;
        },
        () => {
          s.failed = true;
        },
      );
      pending.add(watched);
      void watched.finally(() => pending.delete(watched));
      return work;
    },
    async report() {
      for (;;) {
        await settle();
        if (pending.size === 0) break;
        await Promise.allSettled([...pending]);
      }
      return [...sources]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([source, s]): SourceFreshness =>
          s.failed || s.readAtMs === undefined
            ? { source, mode: 'UNAVAILABLE', asOf: null, lagMs: null }
            : { source, mode: 'LIVE', asOf: new Date(s.readAtMs).toISOString(), lagMs: 0 },
        );
    },
  };
}
