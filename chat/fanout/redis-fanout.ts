// Fan-out across instances through Redis pub/sub: one channel per topic (`<prefix><topic>`), subscribed while this
// instance has a local subscriber for it, so an instance hears only the conversations its sockets are in.
// Pub/sub may lose messages (while the subscriber reconnects); that is fine because every stored entry carries its
// seq: a session that sees a gap reads the missing entries from the store, and on every reconnect onResync tells all
// sessions to re-read. Decision and alternatives: docs/adr/0021-chat-fanout-redis-pubsub.md.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../common/logger.ts';
import { createLocalTopics, type ChatFanout, type FanoutMessage } from './chat-fanout.ts';

export interface RedisFanoutOptions {
  /** For PUBLISH. May be shared with other users. */
  readonly publisher: Redis;
  /** Used only for SUBSCRIBE (a connection in subscriber mode can do nothing else); the fan-out owns it. */
  readonly subscriber: Redis;
  /** Channel prefix; default "unics:chat:". Tests use a random one. */
  readonly prefix?: string;
  /** This process's id; its own messages coming back from Redis are skipped (they were delivered locally). */
  readonly instanceId?: string;
  readonly log: Logger;
}

interface Envelope {
  /** Origin instance. */
  readonly o: string;
  readonly m: FanoutMessage;
}

export function createRedisFanout(options: RedisFanoutOptions): ChatFanout {
  const { publisher, subscriber, log } = options;
  const prefix = options.prefix ?? 'unics:chat:';
  const instanceId = options.instanceId ?? randomUUID();
  const local = createLocalTopics((err) => log.error({ err }, 'chat fan-out: a listener failed'));
  const resyncs = new Set<() => void>();
  let readyBefore = false;
  let closed = false;

  subscriber.on('message', (channel: string, payload: string) => {
    if (!channel.startsWith(prefix)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch (err) {
      log.warn({ err, channel }, 'chat fan-out: dropped a message that is not JSON');
      return;
    }
    if (envelope.o === instanceId) return;
    local.deliver(channel.slice(prefix.length), envelope.m);
  });
  subscriber.on('ready', () => {
    // ioredis re-subscribes by itself after a reconnect; messages published meanwhile are gone: re-read them.
    if (readyBefore) {
      log.info({ topics: local.size }, 'chat fan-out: Redis subscription reconnected; sessions re-read their conversations');
      for (const fn of resyncs) fn();
    }
    readyBefore = true;
  });
  subscriber.on('error', (err: Error) => log.warn({ err: { message: err.message } }, 'chat fan-out: Redis subscriber error'));

  return {
    publish(topic, message) {
      local.deliver(topic, message);
      if (closed) return;
      publisher.publish(prefix + topic, JSON.stringify({ o: instanceId, m: message } satisfies Envelope)).catch((err: unknown) => {
        // Other instances will see the gap at their next message or resync; nothing stored is lost.
        log.warn({ err, topic }, 'chat fan-out: publish to Redis failed');
      });
    },
    subscribe(topic, listener) {
      const { first, remove } = local.add(topic, listener);
      if (first && !closed) subscriber.subscribe(prefix + topic).catch((err: unknown) => log.warn({ err, topic }, 'chat fan-out: subscribe failed'));
      return () => {
        if (remove() && !closed) subscriber.unsubscribe(prefix + topic).catch((err: unknown) => log.warn({ err, topic }, 'chat fan-out: unsubscribe failed'));
      };
    },
    onResync(fn) {
      resyncs.add(fn);
      return () => void resyncs.delete(fn);
    },
    get topicCount() {
      return local.size;
    },
    async close() {
      closed = true;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
