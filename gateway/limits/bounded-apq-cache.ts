// Automatic persisted queries (APQ) keep query texts by hash. Clients choose what is stored, so the store is bounded
// both in entries and in bytes; the least recently used queries go first (a client then re-sends the full query).
// Implements Apollo's KeyValueCache interface (get, set, delete) over lru-cache.
import { LRUCache } from 'lru-cache';

export interface BoundedApqCacheOptions {
  readonly maxEntries: number;
  /** Most bytes of stored text (UTF-16 length as an estimate). */
  readonly maxBytes: number;
}

export interface BoundedApqCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean>;
  readonly size: number;
}

export function createBoundedApqCache(options: BoundedApqCacheOptions): BoundedApqCache {
  const lru = new LRUCache<string, string>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    // A key plus its text; an entry larger than maxSize is simply not stored.
    sizeCalculation: (value, key) => Math.max(1, value.length + key.length),
  });
  return {
    get: async (key) => lru.get(key),
    async set(key, value, setOptions) {
      const ttlSeconds = setOptions?.ttl;
      lru.set(key, value, typeof ttlSeconds === 'number' && ttlSeconds > 0 ? { ttl: ttlSeconds * 1000 } : {});
    },
    delete: async (key) => lru.delete(key),
    get size() {
      return lru.size;
    },
  };
}
