// withCache: answers keys from a shared CacheStore and sends only the missing ones upstream. Found values are kept
// for ttlMs, "not found" for notFoundTtlMs (usually shorter: a record may appear soon), errors never. Every entry is
// scoped by tenant, connector and entity (STYLE.md 11), so one tenant never reads another's answers.
//
// The cache is an optimisation, never a point of failure: a store that cannot be read counts as all misses, and a
// failed write is reported and otherwise ignored; writes do not delay the answer.
import type { BatchResult, KeyResult } from '../connector.ts';
import type { CacheStore, CachedResult } from './cache-store.ts';
import { checkOption, type BatchLoad } from './operation.ts';

export interface CacheLookup {
  readonly entity: string;
  readonly tenant: string;
  readonly hits: number;
  readonly misses: number;
}

export interface CacheOptions {
  /** The connector's name: part of every cache key. */
  readonly connector: string;
  readonly store: CacheStore;
  /** Time to live of found values (0 = not cached). */
  readonly ttlMs: number;
  /** Time to live of not_found (0 = not cached). */
  readonly notFoundTtlMs: number;
  /** Called for every load with how many keys the cache answered. */
  readonly onLookup?: (lookup: CacheLookup) => void;
  /** A store read or write failed; the load went on without the cache. */
  readonly onStoreError?: (error: unknown, operation: 'get' | 'set', entity: string) => void;
}

/** The key of one cached answer; NUL cannot occur in names, so the parts cannot run into each other. */
export function cacheKey(tenant: string, connector: string, entity: string, key: string): string {
  return `${tenant}\u0000${connector}\u0000${entity}\u0000${key}`;
}

export function withCache(load: BatchLoad, options: CacheOptions): BatchLoad {
  const { connector, store, ttlMs, notFoundTtlMs, onLookup, onStoreError } = options;
  checkOption('withCache', 'ttlMs', ttlMs);
  checkOption('withCache', 'notFoundTtlMs', notFoundTtlMs);

  const write = (entries: Map<string, CachedResult>, ttl: number, entity: string) => {
    if (entries.size === 0 || !(ttl > 0)) return;
    try {
      store.set(entries, ttl).catch((error: unknown) => onStoreError?.(error, 'set', entity));
    } catch (error) {
      onStoreError?.(error, 'set', entity);
    }
  };

  return async (entity, keys, ctx) => {
    const distinct = [...new Set(keys)];
    const scoped = distinct.map((key) => cacheKey(ctx.tenant, connector, entity, key));
    let cached: Map<string, CachedResult>;
    try {
      cached = await store.get(scoped);
    } catch (error) {
      onStoreError?.(error, 'get', entity);
      cached = new Map();
    }

    const answers = new Map<string, KeyResult>();
    const misses: string[] = [];
    const missScoped = new Map<string, string>();
    distinct.forEach((key, i) => {
      const hit = cached.get(scoped[i] as string);
      if (hit !== undefined) answers.set(key, hit);
      else {
        misses.push(key);
        missScoped.set(key, scoped[i] as string);
      }
    });
    onLookup?.({ entity, tenant: ctx.tenant, hits: distinct.length - misses.length, misses: misses.length });
    ctx.observe?.({ type: 'cache', connector, entity, hits: distinct.length - misses.length, misses: misses.length });
    if (misses.length === 0) return answers;

    const fetched: BatchResult = await load(entity, misses, ctx);
    const found = new Map<string, CachedResult>();
    const notFound = new Map<string, CachedResult>();
    for (const key of misses) {
      const result = fetched.get(key);
      const at = missScoped.get(key) as string;
      if (result?.status === 'ok') found.set(at, result);
      else if (result?.status === 'not_found') notFound.set(at, result);
    }
    write(found, ttlMs, entity);
    write(notFound, notFoundTtlMs, entity);

    // Answer in the order asked; a key the inner load left out stays out (the caller's contract check reports it).
    const out = new Map<string, KeyResult>();
    for (const key of distinct) {
      const result = answers.get(key) ?? fetched.get(key);
      if (result !== undefined) out.set(key, result);
    }
    return out;
  };
}
