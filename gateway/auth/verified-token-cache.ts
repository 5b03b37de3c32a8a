// Tokens already verified, so a client sending the same bearer token on every request costs one signature check
// per token, not one per request (HS256 through WebCrypto was ~9 % of the gateway's CPU on the profile query).
// Only successful verifications go in, keyed by the exact token string: a token with a wrong signature, an unknown
// tenant or bad claims is refused every time by the full check. An entry is served only while the clock is before
// the token's `exp` (checked on every hit, not by a timer) and before `maxAgeMs` after it was verified, so a key
// rotated out of a JWKS stops being honoured within that bound. Tokens without `exp` are not cached.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../common/clock.ts';
import type { Principal } from '../../schema/schema-module.ts';

export interface VerifiedTokenCacheOptions {
  /** Most tokens kept; the least recently used go first. Default 10,000. */
  readonly maxEntries?: number;
  /** Most bytes of token text kept (UTF-16 length as an estimate). Default 8 MiB. */
  readonly maxBytes?: number;
  /** Longest time an entry is served after its verification, in milliseconds. Default 10 minutes. */
  readonly maxAgeMs?: number;
  readonly clock: Clock;
}

export interface VerifiedTokenCache {
  /** The principal of a token verified earlier and not yet expired, else undefined (an expired entry is dropped). */
  get(token: string): Principal | undefined;
  /** Remembers a verified token until its `exp` (seconds since the epoch); without `exp`, nothing is kept. */
  set(token: string, principal: Principal, exp: number | undefined): void;
  readonly size: number;
}

interface Entry {
  readonly principal: Principal;
  /** Wall-clock milliseconds after which the entry is not served. */
  readonly servedUntilMs: number;
}

export const VERIFIED_TOKEN_CACHE_DEFAULTS = Object.freeze({ maxEntries: 10_000, maxBytes: 8 * 1024 * 1024, maxAgeMs: 10 * 60_000 });

export function createVerifiedTokenCache(options: VerifiedTokenCacheOptions): VerifiedTokenCache {
  const { clock } = options;
  const maxAgeMs = options.maxAgeMs ?? VERIFIED_TOKEN_CACHE_DEFAULTS.maxAgeMs;
  const lru = new LRUCache<string, Entry>({
    max: options.maxEntries ?? VERIFIED_TOKEN_CACHE_DEFAULTS.maxEntries,
    maxSize: options.maxBytes ?? VERIFIED_TOKEN_CACHE_DEFAULTS.maxBytes,
    sizeCalculation: (_entry, token) => Math.max(1, token.length),
  });
  return {
    get(token) {
      const entry = lru.get(token);
      if (entry === undefined) return undefined;
      if (clock.now() < entry.servedUntilMs) return entry.principal;
      lru.delete(token);
      return undefined;
    },
    set(token, principal, exp) {
      if (typeof exp !== 'number' || !Number.isFinite(exp)) return;
      const now = clock.now();
      const servedUntilMs = Math.min(exp * 1000, now + maxAgeMs);
      if (servedUntilMs <= now) return;
      lru.set(token, { principal, servedUntilMs });
    },
    get size() {
      return lru.size;
    },
  };
}
