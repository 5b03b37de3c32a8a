// The resilience settings of one connector, in one place (STYLE.md 6). The registry maps a connector's unics.yaml
// options (timeout, retry, breaker, cacheTtl, cache, concurrency, maxQueue) onto this shape, starting from
// defaultPolicy; withResilience reads nothing else.

export interface RetryPolicy {
  /** Attempts in total, the first one included (1 = never retry). */
  readonly maxAttempts: number;
  /** Backoff cap before the first retry; doubles per retry (full jitter: the real delay is random in [0, cap]). */
  readonly baseDelayMs: number;
  /** Upper bound of the backoff cap. */
  readonly maxDelayMs: number;
}

export interface BreakerPolicy {
  /** Opens when more than this share of the calls in the rolling window failed (0–100). */
  readonly errorThresholdPercentage: number;
  /** How long the breaker stays open before letting one trial call through. */
  readonly resetTimeoutMs: number;
  /** Fewest calls in the window before the breaker may open at all. */
  readonly volumeThreshold: number;
  /** Length of the rolling statistics window. */
  readonly rollingCountTimeoutMs: number;
}

export interface CachePolicy {
  /** How long a found value is served from the cache (0 = do not cache found values). */
  readonly ttlMs: number;
  /** How long "not found" is remembered (0 = do not cache not_found). */
  readonly notFoundTtlMs: number;
  /** Entries kept by the in-process LRU store (ignored when a shared store such as Redis is given). */
  readonly maxEntries: number;
}

export interface ConcurrencyPolicy {
  /** Upstream calls running at once for this connector. */
  readonly maxInFlight: number;
  /** Calls waiting for a slot; one more fails fast with CONN_ERR_OVERLOADED. */
  readonly maxQueue: number;
}

export interface ResiliencePolicy {
  /** Budget of one upstream attempt; the AbortSignal passed to the adapter aborts when it runs out. */
  readonly timeoutMs: number;
  /** null: never retry. */
  readonly retry: RetryPolicy | null;
  /** null: no circuit breaker. */
  readonly breaker: BreakerPolicy | null;
  /** null: no shared cache (the per-request DataLoader cache still applies). */
  readonly cache: CachePolicy | null;
  readonly concurrency: ConcurrencyPolicy;
}

export const defaultPolicy: ResiliencePolicy = Object.freeze({
  timeoutMs: 3000,
  retry: Object.freeze({ maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 1000 }),
  breaker: Object.freeze({ errorThresholdPercentage: 50, resetTimeoutMs: 10_000, volumeThreshold: 10, rollingCountTimeoutMs: 10_000 }),
  cache: null,
  concurrency: Object.freeze({ maxInFlight: 32, maxQueue: 1000 }),
});
