// The part of a connector definition every kind shares (name, kind, timeout, retry, breaker, cache, concurrency),
// validated once at load time with messages that name the connector and say how to fix the value (STYLE.md 5, 6).
// The rest of a definition belongs to its kind and is validated by that kind's own schema.
import { z } from 'zod';
import { parseDuration } from '../common/durations.ts';
import type { ResiliencePolicy } from './resilience/policy.ts';

/** Keys handled here; everything else in a definition goes to the kind's schema (with `name`). */
export const SHARED_KEYS = ['name', 'kind', 'timeout', 'retry', 'breaker', 'cacheTtl', 'cache', 'concurrency', 'maxQueue'] as const;

function duration(field: string, limits: { minMs?: number; maxMs?: number } = {}) {
  return z.unknown().transform((value, ctx) => {
    try {
      return parseDuration(value, field, limits);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message, params: { whole: true } });
      return z.NEVER;
    }
  });
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export const sharedConfigSchema = z
  .object({
    name: z.string().regex(NAME, 'must be lower-case letters, digits and dashes, starting with a letter (e.g. "crm")'),
    kind: z.string().min(1),
    timeout: duration('timeout', { minMs: 1, maxMs: 600_000 }).optional(),
    retry: z
      .discriminatedUnion('policy', [
        z.object({ policy: z.literal('none') }).strict(),
        z
          .object({
            policy: z.literal('exponential-backoff'),
            maxAttempts: z.number().int().min(1).max(10).default(3),
            baseDelay: duration('retry.baseDelay', { minMs: 1 }).optional(),
            maxDelay: duration('retry.maxDelay', { minMs: 1 }).optional(),
          })
          .strict(),
      ])
      .optional(),
    breaker: z
      .union([
        z.literal(false),
        z
          .object({
            errorThresholdPercentage: z.number().min(1).max(100).default(50),
            resetTimeout: duration('breaker.resetTimeout', { minMs: 10 }).optional(),
            volumeThreshold: z.number().int().min(1).default(10),
            rollingWindow: duration('breaker.rollingWindow', { minMs: 100 }).optional(),
          })
          .strict(),
      ])
      .optional(),
    cacheTtl: duration('cacheTtl').optional(),
    cache: z
      .object({
        maxEntries: z.number().int().min(1).default(10_000),
        notFoundTtl: duration('cache.notFoundTtl').optional(),
        store: z.enum(['memory', 'redis']).default('memory'),
      })
      .strict()
      .optional(),
    concurrency: z.number().int().min(1).max(10_000).optional(),
    maxQueue: z.number().int().min(0).max(1_000_000).optional(),
  })
  .loose();

export type SharedConfig = z.infer<typeof sharedConfigSchema>;

/** Maps the shared options to the policy `withResilience` applies, filling defaults from `defaults`. */
export function toResiliencePolicy(config: SharedConfig, defaults: ResiliencePolicy): ResiliencePolicy {
  const retry = config.retry === undefined
    ? defaults.retry
    : config.retry.policy === 'none'
      ? null
      : {
          maxAttempts: config.retry.maxAttempts,
          baseDelayMs: config.retry.baseDelay ?? defaults.retry?.baseDelayMs ?? 50,
          maxDelayMs: config.retry.maxDelay ?? defaults.retry?.maxDelayMs ?? 1000,
        };
  const breaker = config.breaker === undefined
    ? defaults.breaker
    : config.breaker === false
      ? null
      : {
          errorThresholdPercentage: config.breaker.errorThresholdPercentage,
          resetTimeoutMs: config.breaker.resetTimeout ?? defaults.breaker?.resetTimeoutMs ?? 10_000,
          volumeThreshold: config.breaker.volumeThreshold,
          rollingCountTimeoutMs: config.breaker.rollingWindow ?? defaults.breaker?.rollingCountTimeoutMs ?? 10_000,
        };
  const ttlMs = config.cacheTtl ?? defaults.cache?.ttlMs ?? 0;
  const cache = ttlMs > 0
    ? {
        ttlMs,
        notFoundTtlMs: config.cache?.notFoundTtl ?? Math.min(ttlMs, defaults.cache?.notFoundTtlMs ?? 5_000),
        maxEntries: config.cache?.maxEntries ?? defaults.cache?.maxEntries ?? 10_000,
      }
    : null;
  return {
    timeoutMs: config.timeout ?? defaults.timeoutMs,
    retry,
    breaker,
    cache,
    concurrency: {
      maxInFlight: config.concurrency ?? defaults.concurrency.maxInFlight,
      maxQueue: config.maxQueue ?? defaults.concurrency.maxQueue,
    },
  };
}

/** One line per zod issue: `connector "crm": retry.maxAttempts: Too big: expected number to be <=10, but got 50`. */
export function describeIssues(connector: string, issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((issue) => {
    const prefix = `connector "${connector}": `;
    if (issue.code === 'custom' && (issue.params as { whole?: boolean } | undefined)?.whole) return prefix + issue.message;
    const path = issue.path.join('.');
    let received: unknown = input;
    for (const key of issue.path) received = (received as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    const got = issue.code === 'unrecognized_keys' || received === undefined ? '' : `, but got ${JSON.stringify(received)}`;
    return `${prefix}${path ? `${path}: ` : ''}${issue.message}${got}`;
  });
}
