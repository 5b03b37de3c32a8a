// Integration tests: Redis fan-outs on the stack's Redis under a random channel prefix, one per chat instance.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../../common/logger.ts';
import type { ChatFanout } from '../fanout/chat-fanout.ts';
import { createRedisFanout } from '../fanout/redis-fanout.ts';

export interface RedisFanouts {
  readonly prefix: string;
  /** The subscriber connection of each fan-out created, in order (tests drop them to simulate a Redis outage). */
  readonly subscribers: Redis[];
  /** A fan-out for one instance (its own subscriber connection, a shared publisher). */
  create(): ChatFanout;
  close(): Promise<void>;
}

export function createRedisFanouts(url: string): RedisFanouts {
  const prefix = `test:chat:${randomBytes(5).toString('hex')}:`;
  const publishers: Redis[] = [];
  const subscribers: Redis[] = [];
  return {
    prefix,
    subscribers,
    create() {
      const publisher = new Redis(url, { maxRetriesPerRequest: 1 });
      publishers.push(publisher);
      const subscriber = new Redis(url);
      subscribers.push(subscriber);
      return createRedisFanout({ publisher, subscriber, prefix, log: createLogger({ level: 'silent' }) });
    },
    async close() {
      await Promise.all(publishers.map((p) => p.quit().catch(() => p.disconnect())));
    },
  };
}
