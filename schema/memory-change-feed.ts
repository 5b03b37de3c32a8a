// An in-process ChangeFeed: publish() hands a change to every subscriber of that tenant and customer at once.
// Each subscriber has its own bounded queue, so one slow reader costs at most `maxQueue` changes of memory and never
// slows the publisher or other readers: when its queue is full the oldest change is dropped, and the reader gets one
// marker change (source "unics") telling it how many it missed, before the changes that were kept.
import type { ChangeFeed, CustomerChange } from './schema-module.ts';

export interface MemoryChangeFeedOptions {
  /** Changes kept per subscriber that has not read them yet. Default 100. */
  readonly maxQueue?: number;
}

export interface MemoryChangeFeed extends ChangeFeed {
  /** Subscribers currently listening, for tests and /metrics. */
  subscriberCount(): number;
}

interface Subscriber {
  readonly queue: CustomerChange[];
  dropped: number;
  lastDropped: CustomerChange | undefined;
  wake: (() => void) | undefined;
  done: boolean;
}

const scope = (tenant: string, customerId: string) => `${tenant}\u0000${customerId}`;

export function createMemoryChangeFeed(options: MemoryChangeFeedOptions = {}): MemoryChangeFeed {
  const maxQueue = options.maxQueue ?? 100;
  if (!Number.isInteger(maxQueue) || maxQueue < 1) {
    throw new TypeError(`createMemoryChangeFeed: maxQueue must be an integer >= 1, but got ${String(maxQueue)}`);
  }
  const subscribers = new Map<string, Set<Subscriber>>();

  const marker = (sub: Subscriber, change: CustomerChange): CustomerChange => ({
    tenant: change.tenant,
    customerId: change.customerId,
    source: 'unics',
    at: change.at,
    reason: `${sub.dropped} earlier ${sub.dropped === 1 ? 'change was' : 'changes were'} dropped because this subscriber read too slowly; reload the customer`,
  });

  return {
    publish(change) {
      const subs = subscribers.get(scope(change.tenant, change.customerId));
      if (subs === undefined) return;
      for (const sub of subs) {
        if (sub.queue.length >= maxQueue) {
          sub.lastDropped = sub.queue.shift();
          sub.dropped++;
        }
        sub.queue.push(change);
        const wake = sub.wake;
        sub.wake = undefined;
        wake?.();
      }
    },

    subscribe(tenant, customerId, signal) {
      const key = scope(tenant, customerId);
      const sub: Subscriber = { queue: [], dropped: 0, lastDropped: undefined, wake: undefined, done: false };
      const finish = () => {
        if (sub.done) return;
        sub.done = true;
        signal.removeEventListener('abort', finish);
        const subs = subscribers.get(key);
        subs?.delete(sub);
        if (subs?.size === 0) subscribers.delete(key);
        const wake = sub.wake;
        sub.wake = undefined;
        wake?.();
      };
      // Registered at once, not on the first next(): a change published right after subscribing is not lost.
      if (signal.aborted) sub.done = true;
      else {
        const subs = subscribers.get(key) ?? new Set<Subscriber>();
        subs.add(sub);
        subscribers.set(key, subs);
        signal.addEventListener('abort', finish, { once: true });
      }

      const iterator: AsyncIterableIterator<CustomerChange> = {
        async next(): Promise<IteratorResult<CustomerChange>> {
          for (;;) {
            if (sub.done) return { done: true, value: undefined };
            if (sub.dropped > 0 && sub.lastDropped !== undefined) {
              const value = marker(sub, sub.lastDropped);
              sub.dropped = 0;
              sub.lastDropped = undefined;
              return { done: false, value };
            }
            const value = sub.queue.shift();
            if (value !== undefined) return { done: false, value };
            await new Promise<void>((resolve) => {
              sub.wake = resolve;
            });
          }
        },
        // A consumer that stops early (graphql-ws `complete`, `break` in for await) ends the subscription at once,
        // even while a next() is waiting.
        async return(): Promise<IteratorResult<CustomerChange>> {
          finish();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },

    subscriberCount() {
      let n = 0;
      for (const subs of subscribers.values()) n += subs.size;
      return n;
    },
  };
}
