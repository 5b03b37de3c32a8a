// A CacheStore in Redis, shared by every UniCS instance: one MGET per lookup, one pipeline of SET … PX per write.
// Values are stored as JSON, so they must be JSON-safe (connector results are: they come from JSON/XML answers).
// An entry that cannot be read back (not JSON, unknown shape) counts as a miss and is fetched again.
import type { Redis } from 'ioredis';
import type { CacheStore, CachedResult } from './cache-store.ts';

export interface RedisCacheStoreOptions {
  /** Prepended to every key, e.g. "unics:conn:"; lets several deployments share one Redis. */
  readonly prefix: string;
}

type Stored = { readonly s: 'ok'; readonly v: unknown } | { readonly s: 'nf' };

function encode(result: CachedResult): string {
  const stored: Stored = result.status === 'ok' ? { s: 'ok', v: result.value } : { s: 'nf' };
  return JSON.stringify(stored);
}

function decode(text: string): CachedResult | undefined {
  try {
    const stored = JSON.parse(text) as Partial<{ s: string; v: unknown }> | null;
    if (stored?.s === 'ok' && 'v' in stored) return { status: 'ok', value: stored.v };
    if (stored?.s === 'nf') return { status: 'not_found' };
  } catch {
    // fall through: unreadable entries are misses
  }
  return undefined;
}

export function createRedisCacheStore(redis: Redis, options: RedisCacheStoreOptions): CacheStore {
  const { prefix } = options;
  return {
    async get(keys) {
      const found = new Map<string, CachedResult>();
      if (keys.length === 0) return found;
      const texts = await redis.mget(keys.map((key) => prefix + key));
      keys.forEach((key, i) => {
        const text = texts[i];
        const result = typeof text === 'string' ? decode(text) : undefined;
        if (result !== undefined) found.set(key, result);
      });
      return found;
    },
    async set(entries, ttlMs) {
      const ttl = Math.ceil(ttlMs);
      if (entries.size === 0 || !(ttl > 0)) return;
      const pipeline = redis.pipeline();
      for (const [key, value] of entries) pipeline.set(prefix + key, encode(value), 'PX', ttl);
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([error]) => error !== null);
      if (failed) throw failed[0];
    },
  };
}
