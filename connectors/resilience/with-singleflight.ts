// withSingleflight: per key, at most one upstream request in flight. A load whose keys are already being fetched
// for the same tenant and entity joins those requests instead of sending its own; only its other keys go upstream.
// So 1,000 concurrent loads of one key cost one upstream call, and overlapping batches share the keys they have in
// common.
//
// A shared request belongs to no single caller: it runs with its own AbortSignal, which aborts only when every
// caller waiting on it has given up. A caller who gives up gets CONN_ERR_ABORTED for its keys still pending at once,
// without disturbing the others.
import type { BatchResult, CallContext, KeyResult } from '../connector.ts';
import { abortedError, failAll, missingKeyError } from './to-connector-error.ts';
import type { BatchLoad } from './operation.ts';

export interface SharedInfo {
  readonly entity: string;
  readonly tenant: string;
  /** Keys of this load that joined a request already in flight. */
  readonly shared: number;
  readonly requested: number;
}

export interface SingleflightOptions {
  /** The connector's name, for messages. */
  readonly connector: string;
  /** Called for every load, with how many of its keys joined requests already in flight. */
  readonly onShared?: (info: SharedInfo) => void;
}

interface Flight {
  readonly entity: string;
  readonly controller: AbortController;
  /** Scoped keys this flight owns in the in-flight table. */
  readonly scoped: readonly string[];
  /** Callers still waiting on this flight. */
  waiters: number;
  settled: boolean;
  result: BatchResult | undefined;
  failure: { readonly error: unknown } | undefined;
  done: Promise<void>;
}

export function withSingleflight(load: BatchLoad, options: SingleflightOptions): BatchLoad {
  const { connector, onShared } = options;
  const inflight = new Map<string, Flight>();

  const forget = (flight: Flight) => {
    for (const scoped of flight.scoped) if (inflight.get(scoped) === flight) inflight.delete(scoped);
  };

  const start = (entity: string, keys: string[], caller: CallContext, prefix: string): Flight => {
    const flight: Flight = {
      entity,
      controller: new AbortController(),
      scoped: keys.map((key) => prefix + key),
      waiters: 0,
      settled: false,
      result: undefined,
      failure: undefined,
      done: Promise.resolve(),
    };
    for (const scoped of flight.scoped) inflight.set(scoped, flight);
    // The attempts are told to the caller who started the flight; joiners hear only that they shared it.
    const ctx: CallContext = { tenant: caller.tenant, signal: flight.controller.signal, observe: caller.observe };
    flight.done = (async () => load(entity, keys, ctx))().then(
      (result) => {
        flight.result = result;
      },
      (error: unknown) => {
        flight.failure = { error };
      },
    ).finally(() => {
      flight.settled = true;
      forget(flight);
    });
    return flight;
  };

  const valueOf = (flight: Flight, key: string): KeyResult =>
    flight.result?.get(key) ?? { status: 'error', error: missingKeyError(connector, flight.entity, key) };

  // Waits for every flight this caller needs, or for the caller's signal, whichever comes first.
  const join = (needs: Map<Flight, string[]>, keys: readonly string[], signal: AbortSignal): Promise<BatchResult> =>
    new Promise((resolve, reject) => {
      let open = true;
      let pending = needs.size;
      for (const flight of needs.keys()) flight.waiters++;
      const compose = (): Map<string, KeyResult> => {
        const byKey = new Map<string, KeyResult>();
        for (const [flight, wanted] of needs) {
          if (flight.settled && flight.failure === undefined) for (const key of wanted) byKey.set(key, valueOf(flight, key));
        }
        const out = new Map<string, KeyResult>();
        const aborted = signal.aborted ? abortedError(connector, signal) : undefined;
        for (const key of keys) {
          const value = byKey.get(key);
          if (value !== undefined) out.set(key, value);
          else if (aborted) failAll([key], aborted, out);
        }
        return out;
      };
      const onAbort = () => {
        if (!open) return;
        open = false;
        for (const flight of needs.keys()) {
          if (flight.settled || --flight.waiters > 0) continue;
          // The last caller left: nobody wants this answer any more, so cancel it and let new callers start afresh.
          forget(flight);
          flight.controller.abort(signal.reason);
        }
        resolve(compose());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      for (const flight of needs.keys()) {
        void flight.done.then(() => {
          if (!open || --pending > 0) return;
          open = false;
          signal.removeEventListener('abort', onAbort);
          const failure = [...needs.keys()].find((f) => f.failure !== undefined)?.failure;
          if (failure) reject(failure.error);
          else resolve(compose());
        });
      }
    });

  return (entity, keys, ctx) => {
    const { tenant, signal } = ctx;
    if (signal.aborted) return Promise.resolve(failAll(keys, abortedError(connector, signal)));
    const prefix = `${tenant}\u0000${entity}\u0000`;
    const needs = new Map<Flight, string[]>();
    const fresh: string[] = [];
    let shared = 0;
    for (const key of new Set(keys)) {
      const flight = inflight.get(prefix + key);
      if (flight === undefined) fresh.push(key);
      else {
        shared++;
        const wanted = needs.get(flight);
        if (wanted) wanted.push(key);
        else needs.set(flight, [key]);
      }
    }
    onShared?.({ entity, tenant, shared, requested: fresh.length + shared });
    ctx.observe?.({ type: 'singleflight', connector, entity, shared, requested: fresh.length + shared });
    if (fresh.length > 0) needs.set(start(entity, fresh, ctx, prefix), fresh);
    return join(needs, keys, signal);
  };
}
