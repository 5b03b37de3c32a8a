// The public surface of connectors/resilience: the generic decorators, the batch-aware ones, the cache stores and
// withResilience, which composes them around a Connector.
export { defaultPolicy, type BreakerPolicy, type CachePolicy, type ConcurrencyPolicy, type ResiliencePolicy, type RetryPolicy } from './policy.ts';
export type { BatchLoad, Operation } from './operation.ts';
export { withTimeout, type TimeoutOptions } from './with-timeout.ts';
export { backoffCapMs, withRetry, type RetryInfo, type RetryOptions } from './with-retry.ts';
export { defaultIsFailure, withBreaker, type BreakerControl, type BreakerOptions, type BreakerState } from './with-breaker.ts';
export { withConcurrencyLimit, type ConcurrencyControl, type ConcurrencyOptions } from './with-concurrency-limit.ts';
export { withSingleflight, type SharedInfo, type SingleflightOptions } from './with-singleflight.ts';
export { cacheKey, withCache, type CacheLookup, type CacheOptions } from './with-cache.ts';
export { createMemoryCacheStore, type CachedResult, type CacheStore, type MemoryCacheStoreOptions } from './cache-store.ts';
export { createRedisCacheStore, type RedisCacheStoreOptions } from './redis-cache-store.ts';
export { abortedError, toConnectorError } from './to-connector-error.ts';
export { withResilience, type ResilienceDeps } from './with-resilience.ts';
