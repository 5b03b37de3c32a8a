// Customer.freshness: one entry per source this request read for one customer. Every resolver of the customer's
// subtree (profile, orders, tickets, and each order's shipment) passes its live load through track() or records the
// view part it used with recordView(); the freshness resolver waits until the subtree has gone quiet (no read
// pending after the resolvers it triggers have run), so it reports the sources that were really read, wherever
// freshness sits in the selection.
//
// One entry per source, so when a source's parts were read in different ways the entry is the weakest guarantee:
// UNAVAILABLE if any read failed, else VIEW (the largest lag) if any part came from a view, else LIVE. Every value
// of that source in the customer's answer is then at least as fresh as its entry says.
import type { Clock } from '../common/clock.ts';
import type { ViewSourceFreshness } from './schema-module.ts';

export type FreshnessMode = 'LIVE' | 'VIEW' | 'UNAVAILABLE';

export interface SourceFreshness {
  readonly source: string;
  readonly mode: FreshnessMode;
  /** LIVE: when the data was read; VIEW: when the view was known to equal the source (ISO); null when unavailable. */
  readonly asOf: string | null;
  /** 0 for LIVE, the view's lag (whole ms, rounded up) for VIEW, null when unavailable. */
  readonly lagMs: number | null;
}

export interface FreshnessTracker {
  /** Records that `work` reads `source` live for this customer; returns `work` unchanged. */
  track<T>(source: string, work: Promise<T>): Promise<T>;
  /** Records that a part of `source` came from a materialized view this fresh. */
  recordView(source: string, part: ViewSourceFreshness): void;
  /** Makes report() wait for `work` (a view read that decides between recordView and track); returns it unchanged. */
  hold<T>(work: Promise<T>): Promise<T>;
  /** The entries, sorted by source name, once no tracked read is pending. */
  report(): Promise<SourceFreshness[]>;
}

interface SourceState {
  /** The earliest time a live read of this source answered (a later read of the same data is not fresher). */
  readAtMs: number | undefined;
  failed: boolean;
  /** The stalest view part of this source used for the customer. */
  view: ViewSourceFreshness | undefined;
}

/** Lets every resolver that is ready to run do so (GraphQL execution is promise-driven; a macrotask drains it). */
const afterPendingCallbacks = () => new Promise<void>((resolve) => setImmediate(resolve));

const staler = (a: ViewSourceFreshness | undefined, b: ViewSourceFreshness): ViewSourceFreshness =>
  a === undefined || b.lagMs > a.lagMs || (b.lagMs === a.lagMs && b.asOfMs < a.asOfMs) ? b : a;

export function createFreshnessTracker(clock: Clock, settle: () => Promise<void> = afterPendingCallbacks): FreshnessTracker {
  const sources = new Map<string, SourceState>();
  const pending = new Set<Promise<unknown>>();
  const stateOf = (source: string): SourceState => {
    let state = sources.get(source);
    if (state === undefined) {
      state = { readAtMs: undefined, failed: false, view: undefined };
      sources.set(source, state);
    }
    return state;
  };
  const wait = (watched: Promise<unknown>) => {
    pending.add(watched);
    void watched.finally(() => pending.delete(watched));
  };
  return {
    track(source, work) {
      const s = stateOf(source);
      wait(
        work.then(
          () => {
            const now = clock.now();
            if (s.readAtMs === undefined || now < s.readAtMs) s.readAtMs = now;
          },
          () => {
            s.failed = true;
          },
        ),
      );
      return work;
    },
    recordView(source, part) {
      const s = stateOf(source);
      s.view = staler(s.view, part);
    },
    hold(work) {
      wait(work.then(
        () => undefined,
        () => undefined,
      ));
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
        .map(([source, s]): SourceFreshness => {
          if (s.failed) return { source, mode: 'UNAVAILABLE', asOf: null, lagMs: null };
          if (s.view !== undefined) return { source, mode: 'VIEW', asOf: new Date(s.view.asOfMs).toISOString(), lagMs: Math.ceil(s.view.lagMs) };
          if (s.readAtMs === undefined) return { source, mode: 'UNAVAILABLE', asOf: null, lagMs: null };
          return { source, mode: 'LIVE', asOf: new Date(s.readAtMs).toISOString(), lagMs: 0 };
        });
    },
  };
}
