// Integration tier: the Redis CacheStore against the real Redis of the local stack.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import { uniqueName, waitFor } from '../../test/support/wait-for.ts';
import { createConnectorEmitter } from '../connector-events.ts';
import type { BatchResult } from '../connector.ts';
import type { CachedResult } from './cache-store.ts';
import { defaultPolicy } from './policy.ts';
import { createRedisCacheStore } from './redis-cache-store.ts';
import { answer, createFakeConnector, ctxFor } from './test-fakes.ts';
import { cacheKey } from './with-cache.ts';
import { withResilience } from './with-resilience.ts';

const env = inject('stackEnv');

describe('createRedisCacheStore (real Redis)', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });
  afterAll(() => redis.disconnect());

  it('stores found values and not_found under the prefix with a PX TTL, and reads them back with one MGET', async () => {
    const prefix = `${uniqueName('unics_test')}:`;
    const store = createRedisCacheStore(redis, { prefix });
    const entries = new Map<string, CachedResult>([
      ['t\u0000crm\u0000Contact\u0000C1', { status: 'ok', value: { id: 'C1', name: 'Ada', tags: ['vip'], balanceCents: 1200 } }],
      ['t\u0000crm\u0000Contact\u0000C2', { status: 'not_found' }],
    ]);
    await store.set(entries, 60_000);

    const found = await store.get([...entries.keys(), 't\u0000crm\u0000Contact\u0000C3']);
    expect(found).toEqual(entries);
    const ttl = await redis.pttl(`${prefix}t\u0000crm\u0000Contact\u0000C1`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('lets entries expire after their TTL', async () => {
    const store = createRedisCacheStore(redis, { prefix: `${uniqueName('unics_test')}:` });
    await store.set(new Map<string, CachedResult>([['k', { status: 'ok', value: 1 }]]), 100);
    expect((await store.get(['k'])).size).toBe(1);
    await waitFor(async () => ((await store.get(['k'])).size === 0 ? true : undefined), { timeoutMs: 3000, intervalMs: 20, what: 'expiry' });
  });

  it('treats an entry it cannot read as a miss', async () => {
    const prefix = `${uniqueName('unics_test')}:`;
    await redis.set(`${prefix}garbled`, '{not json', 'PX', 60_000);
    await redis.set(`${prefix}alien`, JSON.stringify({ something: 'else' }), 'PX', 60_000);
    const store = createRedisCacheStore(redis, { prefix });
    expect((await store.get(['garbled', 'alien'])).size).toBe(0);
  });

  it('shares answers between two UniCS instances, per tenant', async () => {
    const store = createRedisCacheStore(redis, { prefix: `${uniqueName('unics_test')}:` });
    const policy = { ...defaultPolicy, cache: { ttlMs: 60_000, notFoundTtlMs: 5_000, maxEntries: 10 } };
    const instance = () => {
      const raw = createFakeConnector({ load: async (entity, keys) => answer(entity, keys, ['C404']) });
      return { raw, connector: withResilience(raw, policy, { clock: createFakeClock(), events: createConnectorEmitter(), cacheStore: store }) };
    };
    const one = instance();
    const two = instance();
    const status = (r: BatchResult, k: string) => {
      const v = r.get(k);
      return v?.status === 'ok' ? v.value : v?.status;
    };

    await one.connector.load('Contact', ['C1', 'C404'], ctxFor('tenant-a'));
    // The write does not delay the answer; wait until it is visible.
    await waitFor(async () => ((await store.get([cacheKey('tenant-a', 'crm', 'Contact', 'C404')])).size === 1 ? true : undefined), {
      timeoutMs: 3000,
      what: 'the cache write',
    });
    const fromCache = await two.connector.load('Contact', ['C1', 'C404'], ctxFor('tenant-a'));
    expect([status(fromCache, 'C1'), status(fromCache, 'C404')]).toEqual(['Contact:C1', 'not_found']);
    expect(two.raw.loads).toHaveLength(0);

    await two.connector.load('Contact', ['C1'], ctxFor('tenant-b'));
    expect(two.raw.loads.map((l) => l.ctx.tenant)).toEqual(['tenant-b']);
    await Promise.all([one.connector.close(), two.connector.close()]);
  });
});
