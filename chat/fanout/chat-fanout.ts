// Fan-out: what one instance appends reaches the sockets of every instance. Topics are strings
// (conversationTopic, participantTopic); a message is a stored entry (delivered in seq order by the session, gaps
// read from the store) or a transient frame (typing, queue position: not stored, no seq). The local fan-out serves
// one process; redis-fanout.ts bridges several through Redis pub/sub (docs/adr/0021-chat-fanout-redis-pubsub.md).
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

/** How long a topic holds entries that arrived ahead of a missing seq before passing them on (sessions then read the gap). */
export const REORDER_WAIT_MS = 50;

interface Topic {
  readonly listeners: Set<FanoutListener>;
  /** The seq expected next; undefined until the first entry. */
  next: number | undefined;
  /** Entries that arrived ahead of `next` (from another instance's publish overtaking this one's, or vice versa). */
  held: Map<number, FanoutMessage> | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Entries of one conversation come from every instance that appends to it, each publishing after its own commit,
 * so they may arrive out of seq order. A topic passes entries on in seq order: one that arrives ahead of a missing
 * seq waits up to REORDER_WAIT_MS for it (one timer per topic with a gap, none otherwise); repeats are dropped.
 */
export function createLocalTopics(onListenerError: (err: unknown) => void = (err) => process.emitWarning(`chat fan-out listener failed: ${String(err)}`)): LocalTopics {
  const topics = new Map<string, Topic>();

  const dispatch = (topic: Topic, message: FanoutMessage) => {
    for (const listener of topic.listeners) {
      try {
        listener(message);
      } catch (err) {
        onListenerError(err);
      }
    }
  };
  const drain = (topic: Topic) => {
    while (topic.held !== undefined && topic.next !== undefined) {
      const message = topic.held.get(topic.next);
      if (message === undefined) break;
      topic.held.delete(topic.next);
      topic.next++;
      dispatch(topic, message);
    }
    if (topic.held?.size === 0) {
      topic.held = undefined;
      if (topic.timer !== undefined) clearTimeout(topic.timer);
      topic.timer = undefined;
    }
  };
  const giveUpWaiting = (topic: Topic) => {
    topic.timer = undefined;
    const held = topic.held;
    topic.held = undefined;
    if (held === undefined) return;
    for (const seq of [...held.keys()].sort((a, b) => a - b)) {
      topic.next = seq + 1;
      dispatch(topic, held.get(seq) as FanoutMessage);
    }
  };

  return {
    add(topicName, listener) {
      let topic = topics.get(topicName);
      const first = topic === undefined;
      if (topic === undefined) topics.set(topicName, (topic = { listeners: new Set(), next: undefined, held: undefined, timer: undefined }));
      topic.listeners.add(listener);
      let removed = false;
      return {
        first,
        /** Removes the listener; true when it was the topic's last. */
        remove() {
          if (removed) return false;
          removed = true;
          const current = topics.get(topicName);
          if (current === undefined) return false;
          current.listeners.delete(listener);
          if (current.listeners.size > 0) return false;
          if (current.timer !== undefined) clearTimeout(current.timer);
          topics.delete(topicName);
          return true;
        },
      };
    },
    deliver(topicName, message) {
      const topic = topics.get(topicName);
      if (topic === undefined) return;
      if (message.kind !== 'entry') return dispatch(topic, message);
      const seq = message.entry.seq;
      if (topic.next === undefined || seq === topic.next) {
        topic.next = seq + 1;
        dispatch(topic, message);
        drain(topic);
        return;
      }
      if (seq < topic.next) return; // a repeat: every listener had it
      (topic.held ??= new Map()).set(seq, message);
      if (topic.timer === undefined) {
        topic.timer = setTimeout(() => giveUpWaiting(topic), REORDER_WAIT_MS);
        topic.timer.unref();
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
