// Fan-out: what one instance appends reaches the sockets of every instance. Topics are strings
// (conversationTopic, participantTopic); a message is a stored entry (delivered in seq order by the session, gaps
// read from the store) or a transient frame (typing, queue position: not stored, no seq). The local fan-out serves
// one process; redis-fanout.ts bridges several through Redis pub/sub (docs/adr/0010-chat-fanout-redis-pubsub.md).
import type { Unsubscribe } from '../../common/typed-events.ts';
import type { ChatEntry, Participant } from '../store/chat-store.ts';

export type FanoutMessage =
  | { readonly kind: 'entry'; readonly entry: ChatEntry }
  | { readonly kind: 'frame'; readonly frame: { readonly type: string; readonly [field: string]: unknown } };

export type FanoutListener = (message: FanoutMessage) => void;

export interface ChatFanout {
  /** Delivers to every subscriber of the topic, here and on the other instances. */
  publish(topic: string, message: FanoutMessage): void;
  subscribe(topic: string, listener: FanoutListener): Unsubscribe;
  /**
   * fn runs when messages may have been lost (the Redis subscription reconnected): subscribers re-read their
   * conversations from the store.
   */
  onResync(fn: () => void): Unsubscribe;
  /** Topics with at least one local subscriber. */
  readonly topicCount: number;
  close(): Promise<void>;
}

export const conversationTopic = (conversationId: string) => `c:${conversationId}`;
export const participantTopic = (tenant: string, p: Participant) => `p:${tenant}:${p.role}:${p.id}`;

/** Listeners by topic, for one process. A throwing listener is reported and skipped. */
export interface LocalTopics {
  add(topic: string, listener: FanoutListener): { readonly first: boolean; readonly remove: () => boolean };
  deliver(topic: string, message: FanoutMessage): void;
  readonly size: number;
}

export function createLocalTopics(onListenerError: (err: unknown) => void = (err) => process.emitWarning(`chat fan-out listener failed: ${String(err)}`)): LocalTopics {
  const topics = new Map<string, Set<FanoutListener>>();
  return {
    add(topic, listener) {
      let set = topics.get(topic);
      const first = set === undefined;
      if (set === undefined) topics.set(topic, (set = new Set()));
      set.add(listener);
      let removed = false;
      return {
        first,
        /** Removes the listener; true when it was the topic's last. */
        remove() {
          if (removed) return false;
          removed = true;
          const current = topics.get(topic);
          if (current === undefined) return false;
          current.delete(listener);
          if (current.size > 0) return false;
          topics.delete(topic);
          return true;
        },
      };
    },
    deliver(topic, message) {
      const set = topics.get(topic);
      if (set === undefined) return;
      for (const listener of set) {
        try {
          listener(message);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    get size() {
      return topics.size;
    },
  };
}

export function createLocalFanout(): ChatFanout {
  const local = createLocalTopics();
  return {
    publish: (topic, message) => local.deliver(topic, message),
    subscribe(topic, listener) {
      const { remove } = local.add(topic, listener);
      return () => void remove();
    },
    onResync: () => () => {},
    get topicCount() {
      return local.size;
    },
    close: async () => {},
  };
}
