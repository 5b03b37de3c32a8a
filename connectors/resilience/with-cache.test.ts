import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import { failed, notFound, ok, type BatchResult, type CallContext, type KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { createMemoryCacheStore, type CachedResult, type CacheStore } from './cache-store.ts';
import { ctxFor } from './test-fakes.ts';
import { cacheKey, withCache, type CacheLookup } from './with-cache.ts';

// An upstream whose answer per key the test sets: a value, 'missing' (not_found) or 'fail' (a per-key error).
function scriptedUpstream(script: Record<string, string>) {
  const calls: Array<{ keys: readonly string[]; tenant: string }> = [];
  const load = async (entity: string, keys: readonly string[], ctx: CallContext): Promise<BatchResult> => {
    calls.push({ keys: [...keys], tenant: ctx.tenant });
    const out = new Map<string, KeyResult>();
    for (const key of keys) {
      const s = script[key];
      out.set(key, s === 'missing' ? notFound : s === 'fail' ? failed(connErr.CONN_ERR_UNAVAILABLE('HTTP 503')) : ok(`${ctx.tenant}:${entity}:${s ?? key}`));
    }
    return out;
  };
  return { calls, load };
}

function setup(script: Record<string, string> = {}, store?: CacheStore) {
  const clock = createFakeClock();
  const upstream = scriptedUpstream(script);
  const lookups: CacheLookup[] = [];
  const storeErrors: Array<{ operation: string; error: unknown }> = [];
  const load = withCache(upstream.load, {
    connector: 'crm',
    store: store ?? createMemoryCacheStore({ maxEntries: 100, clock }),
    ttlMs: 60_000,
    notFoundTtlMs: 1_000,
    onLookup: (l) => lookups.push(l),
    onStoreError: (error, operation) => storeErrors.push({ operation, error }),
  });
  return { clock, upstream, lookups, storeErrors, load };
}

const statusOf = (result: BatchResult, key: string) => {
  const r = result.get(key);
  return r?.status === 'ok' ? r.value : r?.status;
};

describe('withCache', () => {
  it('serves the second load from the cache and sends only missing keys upstream', async () => {
    const { upstream, lookups, load } = setup();
    const first = await load('Contact', ['a'], ctxFor());
    const second = await load('Contact', ['a', 'b'], ctxFor());
    expect(upstream.calls.map((c) => c.keys)).toEqual([['a'], ['b']]);
    expect(statusOf(first, 'a')).toBe('acme:Contact:a');
    expect([...second.keys()]).toEqual(['a', 'b']);
    expect(statusOf(second, 'a')).toBe('acme:Contact:a');
    expect(lookups.map(({ hits, misses }) => ({ hits, misses }))).toEqual([
      { hits: 0, misses: 1 },
      { hits: 1, misses: 1 },
    ]);
    await load('Contact', ['a', 'b'], ctxFor());
    expect(upstream.calls).toHaveLength(2);
  });

  it("keeps tenants apart: tenant A's entry is invisible to tenant B", async () => {
    const { upstream, load } = setup();
    await load('Contact', ['a'], ctxFor('tenant-a'));
    const b = await load('Contact', ['a'], ctxFor('tenant-b'));
    expect(upstream.calls.map((c) => c.tenant)).toEqual(['tenant-a', 'tenant-b']);
    expect(statusOf(b, 'a')).toBe('tenant-b:Contact:a');
  });

  it('never caches errors', async () => {
    const { upstream, load } = setup({ bad: 'fail' });
    const first = await load('Contact', ['bad'], ctxFor());
    expect(first.get('bad')?.status).toBe('error');
    await load('Contact', ['bad'], ctxFor());
    expect(upstream.calls).toHaveLength(2);
  });

  it('remembers not_found for notFoundTtlMs and found values for ttlMs', async () => {
    const { clock, upstream, load } = setup({ gone: 'missing' });
    await load('Contact', ['gone', 'here'], ctxFor());
    const cached = await load('Contact', ['gone', 'here'], ctxFor());
    expect(statusOf(cached, 'gone')).toBe('not_found');
    expect(upstream.calls).toHaveLength(1);

    clock.advance(1_000); // an entry lives through its whole TTL…
    await load('Contact', ['gone'], ctxFor());
    expect(upstream.calls).toHaveLength(1);
    clock.advance(1); // …and is gone right after
    await load('Contact', ['gone', 'here'], ctxFor());
    expect(upstream.calls.map((c) => c.keys)).toEqual([['gone', 'here'], ['gone']]);

    clock.advance(59_000); // 'here' was stored at 0 with a 60 s TTL; now 60 001
    await load('Contact', ['here'], ctxFor());
    expect(upstream.calls.at(-1)?.keys).toEqual(['here']);
  });

  it('caches nothing of a kind whose TTL is 0', async () => {
    const clock = createFakeClock();
    const upstream = scriptedUpstream({ gone: 'missing' });
    const load = withCache(upstream.load, { connector: 'crm', store: createMemoryCacheStore({ maxEntries: 10, clock }), ttlMs: 1000, notFoundTtlMs: 0 });
    await load('Contact', ['gone', 'here'], ctxFor());
    await load('Contact', ['gone', 'here'], ctxFor());
    expect(upstream.calls.map((c) => c.keys)).toEqual([['gone', 'here'], ['gone']]);
  });

  it('goes on without the cache when the store fails, and reports it', async () => {
    const broken: CacheStore = {
      get: async () => Promise.reject(new Error('redis down')),
      set: async () => Promise.reject(new Error('redis still down')),
    };
    const { upstream, storeErrors, load } = setup({}, broken);
    const result = await load('Contact', ['a'], ctxFor());
    expect(statusOf(result, 'a')).toBe('acme:Contact:a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(storeErrors.map((e) => [e.operation, (e.error as Error).message])).toEqual([
      ['get', 'redis down'],
      ['set', 'redis still down'],
    ]);
    expect(upstream.calls).toHaveLength(1);
  });

  it('scopes cache keys by tenant, connector, entity and key', () => {
    expect(cacheKey('t', 'crm', 'Contact', 'C1')).toBe('t\u0000crm\u0000Contact\u0000C1');
    expect(cacheKey('t', 'crm', 'Contact', 'C1')).not.toBe(cacheKey('t', 'crm', 'ContactC', '1'));
  });
});

describe('createMemoryCacheStore', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const store = createMemoryCacheStore({ maxEntries: 2, clock: createFakeClock() });
    await store.set(new Map<string, CachedResult>([['a', { status: 'ok', value: 1 }], ['b', { status: 'ok', value: 2 }]]), 1000);
    await store.get(['a']); // a is now more recent than b
    await store.set(new Map<string, CachedResult>([['c', { status: 'ok', value: 3 }]]), 1000);
    expect([...(await store.get(['a', 'b', 'c'])).keys()]).toEqual(['a', 'c']);
    expect(store.size).toBe(2);
  });

  it('expires entries by the clock it was given', async () => {
    const clock = createFakeClock();
    const store = createMemoryCacheStore({ maxEntries: 10, clock });
    await store.set(new Map<string, CachedResult>([['a', { status: 'ok', value: 1 }]]), 100);
    clock.advance(100);
    expect((await store.get(['a'])).get('a')).toEqual(ok(1));
    clock.advance(1);
    expect((await store.get(['a'])).size).toBe(0);
  });
});
