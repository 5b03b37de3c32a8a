// The connector contract: the one interface through which UniCS reaches a legacy system (STYLE.md 1, 2).
//
// A connector is batch-first. `load` takes many keys of one entity and answers with a map keyed by the requested
// keys, never by position: every key appears exactly once, a key the upstream does not know is `not_found`, and a
// key that failed on its own carries its error as a value, so one bad key never fails the batch. `load` rejects only
// when the whole call failed (timeout, upstream down, unreadable answer); the caller then fails every key the same way.
//
// Adapters (rest, soap, xml, graphql, sql) implement the raw I/O and honour `ctx.signal`. Resilience (timeout,
// retry, breaker, singleflight, cache, concurrency limit) is added around them by `withResilience`, never inside.
import type { z } from 'zod';
import type { Clock } from '../common/clock.ts';
import type { UnicsError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { RequestOutcome } from './connector-events.ts';

/** The caller's context for one call. */
export interface CallContext {
  /** The tenant the call is made for. Every cache key is scoped by it. */
  readonly tenant: string;
  /** Aborted when the caller gives up or a timeout fires; adapters pass it to their I/O so the request is cancelled. */
  readonly signal: AbortSignal;
  /**
   * Told what the resilience layer did for this call (cache lookups, singleflight joins, upstream attempts), so a
   * request can explain its own cost. Must not throw. Attempts of a request shared by singleflight are told to the
   * caller that started it.
   */
  readonly observe?: (event: CallObservation) => void;
}

/** What `CallContext.observe` hears: one event per cache lookup, singleflight join and upstream attempt. */
export type CallObservation =
  | { readonly type: 'cache'; readonly connector: string; readonly entity: string; readonly hits: number; readonly misses: number }
  | { readonly type: 'singleflight'; readonly connector: string; readonly entity: string; readonly shared: number; readonly requested: number }
  | {
      readonly type: 'attempt';
      readonly connector: string;
      readonly kind: 'load' | 'call';
      /** The entity (load) or command (call). */
      readonly operation: string;
      /** Keys sent upstream in this attempt (1 for a call). */
      readonly batchSize: number;
      /** 1 for the first try, 2 for the first retry, … */
      readonly attempt: number;
      readonly durationMs: number;
      readonly outcome: RequestOutcome;
      readonly code?: string;
    };

export type KeyResult<V = unknown> =
  | { readonly status: 'ok'; readonly value: V }
  | { readonly status: 'not_found' }
  | { readonly status: 'error'; readonly error: UnicsError };

/** One result per requested key, matched by key. */
export type BatchResult<V = unknown> = ReadonlyMap<string, KeyResult<V>>;

export interface EntityInfo {
  readonly name: string;
  /** One key maps to a list of records (the orders of a customer); an unknown key is then an empty list. */
  readonly many: boolean;
  /** The most keys one upstream call may carry; larger batches are split into several calls. */
  readonly maxBatchSize: number;
}

export interface CommandInfo {
  readonly name: string;
  /** Only idempotent commands are retried. Loads are always idempotent. */
  readonly idempotent: boolean;
}

export interface Connector {
  readonly name: string;
  readonly kind: string;
  readonly entities: ReadonlyMap<string, EntityInfo>;
  readonly commands: ReadonlyMap<string, CommandInfo>;
  /** Loads many keys of one entity. Keys are distinct; the answer has every one of them. */
  load(entity: string, keys: readonly string[], ctx: CallContext): Promise<BatchResult>;
  /** Runs a command (a write such as RefundOrder) and returns the upstream's answer, mapped. */
  call(command: string, input: Readonly<Record<string, unknown>>, ctx: CallContext): Promise<unknown>;
  /** A cheap reachability check for /readyz; rejects with a catalogued error when the upstream is unusable. */
  check(signal: AbortSignal): Promise<void>;
  /** Releases sockets, pools and timers. */
  close(): Promise<void>;
}

/** What every connector factory receives (STYLE.md 7: dependencies through parameters). */
export interface ConnectorDeps {
  readonly log: Logger;
  readonly clock: Clock;
}

/**
 * A kind of connector, registered by name. `configSchema` validates the kind-specific part of a connector's
 * definition at load time; `create` builds the raw (unwrapped) connector.
 */
export interface ConnectorKind<C = unknown> {
  readonly kind: string;
  readonly description: string;
  readonly configSchema: z.ZodType<C>;
  create(config: C, deps: ConnectorDeps): Connector;
}

/** Helpers for building results. */
export const ok = <V>(value: V): KeyResult<V> => ({ status: 'ok', value });
export const notFound: KeyResult<never> = Object.freeze({ status: 'not_found' });
export const failed = (error: UnicsError): KeyResult<never> => ({ status: 'error', error });

/**
 * Aligns upstream records to the requested keys by key (never by position). Records whose key was not requested
 * are ignored; requested keys without a record become `not_found` (or an empty list for a `many` entity).
 */
export function alignByKey<R>(
  keys: readonly string[],
  records: Iterable<R>,
  keyOf: (record: R) => string | undefined,
  many: boolean,
): Map<string, KeyResult<R | R[]>> {
  const wanted = new Set(keys);
  const grouped = new Map<string, R[]>();
  for (const record of records) {
    const key = keyOf(record);
    if (key === undefined || !wanted.has(key)) continue;
    const list = grouped.get(key);
    if (list) list.push(record);
    else grouped.set(key, [record]);
  }
  const out = new Map<string, KeyResult<R | R[]>>();
  for (const key of keys) {
    const list = grouped.get(key);
    if (many) out.set(key, ok(list ?? []));
    else out.set(key, list?.[0] !== undefined ? ok(list[0]) : notFound);
  }
  return out;
}
