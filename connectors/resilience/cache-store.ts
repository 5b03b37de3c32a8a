// Where withCache keeps answers: one small interface (STYLE.md 1), an in-process LRU here and Redis in
// redis-cache-store.ts. Keys arrive fully scoped (tenant, connector, entity, key); a store only keeps what it is given.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../common/clock.ts';
import { checkOption } from './operation.ts';

/** What may be cached: found values and "not found". Errors never are. */
export type CachedResult = { readonly status: 'ok'; readonly value: unknown } | { readonly status: 'not_found' };

export interface CacheStore {
  /** The entries found for these keys; missing or expired keys are simply absent from the map. */
  get(keys: readonly string[]): Promise<Map<string, CachedResult>>;
  /** Stores every entry with the same time to live. */
  set(entries: ReadonlyMap<string, CachedResult>, ttlMs: number): Promise<void>;
}

export interface MemoryCacheStoreOptions {
  /** Most entries kept; the least recently used go first. */
  readonly maxEntries: number;
  /** Source of time for expiry (a fake clock in tests). */
  readonly clock: Clock;
}

/**
 * An in-process LRU with a time to live per entry. Values are kept by reference and handed to every reader, so
 * they must be treated as immutable (connectors build fresh objects per answer and no one mutates them).
 */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions): CacheStore & { readonly size: number } {
  checkOption('createMemoryCacheStore', 'maxEntries', options.maxEntries, { min: 1, integer: true });
  const { clock } = options;
  const lru = new LRUCache<string, CachedResult>({
    max: options.maxEntries,
    // lru-cache treats a start time of 0 as "no TTL", and a fake clock starts at 0: shift the origin by one.
    perf: { now: () => clock.monotonicMs() + 1 },
    // Read the time on every check, so expiry follows the clock exactly rather than a cached reading.
    ttlResolution: 0,
  });
  return {
    async get(keys) {
      const found = new Map<string, CachedResult>();
      for (const key of keys) {
        const hit = lru.get(key);
        if (hit !== undefined) found.set(key, hit);
      }
      return found;
    },
    async set(entries, ttlMs) {
      if (!(ttlMs > 0)) return;
      for (const [key, value] of entries) lru.set(key, value, { ttl: ttlMs });
    },
    get size() {
      return lru.size;
    },
  };
}
