import { describe, expect, it } from 'vitest';
import { createMemoryChangeFeed } from './memory-change-feed.ts';
import type { CustomerChange } from './schema-module.ts';

const change = (n: number, over: Partial<CustomerChange> = {}): CustomerChange => ({
  tenant: 'demo', customerId: 'C000001', source: 'shop', at: `2026-11-01T12:00:0${n}.000Z`, reason: `change ${n}`, ...over,
});

describe('createMemoryChangeFeed', () => {
  it('delivers the changes of one tenant and customer only, in order, including one published before the first read', async () => {
    const feed = createMemoryChangeFeed();
    const controller = new AbortController();
    const it1 = feed.subscribe('demo', 'C000001', controller.signal)[Symbol.asyncIterator]();
    feed.publish(change(1));
    feed.publish(change(2, { tenant: 'other' }));
    feed.publish(change(3, { customerId: 'C000002' }));
    feed.publish(change(4));
    expect((await it1.next()).value?.reason).toBe('change 1');
    expect((await it1.next()).value?.reason).toBe('change 4');
    controller.abort();
  });

  it('wakes a waiting reader when a change arrives, and gives every subscriber its own copy', async () => {
    const feed = createMemoryChangeFeed();
    const controller = new AbortController();
    const a = feed.subscribe('demo', 'C000001', controller.signal)[Symbol.asyncIterator]();
    const b = feed.subscribe('demo', 'C000001', controller.signal)[Symbol.asyncIterator]();
    const pending = Promise.all([a.next(), b.next()]);
    feed.publish(change(1));
    const [ra, rb] = await pending;
    expect([ra.value?.reason, rb.value?.reason]).toEqual(['change 1', 'change 1']);
    expect(feed.subscriberCount()).toBe(2);
    controller.abort();
    expect(feed.subscriberCount()).toBe(0);
  });

  it('keeps at most maxQueue changes for a slow reader: drops the oldest and says how many it dropped', async () => {
    const feed = createMemoryChangeFeed({ maxQueue: 3 });
    const controller = new AbortController();
    const slow = feed.subscribe('demo', 'C000001', controller.signal)[Symbol.asyncIterator]();
    for (let n = 1; n <= 5; n++) feed.publish(change(n));
    const first = (await slow.next()).value as CustomerChange;
    expect(first).toMatchObject({ source: 'unics', customerId: 'C000001', tenant: 'demo', at: '2026-11-01T12:00:02.000Z' });
    expect(first.reason).toBe('2 earlier changes were dropped because this subscriber read too slowly; reload the customer');
    const rest = [(await slow.next()).value, (await slow.next()).value, (await slow.next()).value].map((c) => c?.reason);
    expect(rest).toEqual(['change 3', 'change 4', 'change 5']);
    controller.abort();
  });

  it('ends a waiting read when the signal aborts, and unsubscribes', async () => {
    const feed = createMemoryChangeFeed();
    const controller = new AbortController();
    const sub = feed.subscribe('demo', 'C000001', controller.signal)[Symbol.asyncIterator]();
    const waiting = sub.next();
    controller.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(feed.subscriberCount()).toBe(0);
    feed.publish(change(1));
    expect((await sub.next()).done).toBe(true);
  });

  it('ends at once on return() (a client completing its subscription), even while a read waits', async () => {
    const feed = createMemoryChangeFeed();
    const sub = feed.subscribe('demo', 'C000001', new AbortController().signal)[Symbol.asyncIterator]();
    const waiting = sub.next();
    await sub.return?.();
    expect((await waiting).done).toBe(true);
    expect(feed.subscriberCount()).toBe(0);
  });

  it('gives an already aborted subscription nothing', async () => {
    const feed = createMemoryChangeFeed();
    const sub = feed.subscribe('demo', 'C000001', AbortSignal.abort())[Symbol.asyncIterator]();
    expect(feed.subscriberCount()).toBe(0);
    expect((await sub.next()).done).toBe(true);
  });

  it('refuses a maxQueue below 1', () => {
    expect(() => createMemoryChangeFeed({ maxQueue: 0 })).toThrow('createMemoryChangeFeed: maxQueue must be an integer >= 1, but got 0');
  });
});
