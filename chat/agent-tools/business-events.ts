// Business events into conversations: when a customer's view changes in a way agents care about (order paid,
// refunded, shipped; ticket resolved), an `event` entry goes into that customer's open conversation(s), stored
// with a seq like a message, so `resume` replays it. Every instance hears every view change (Redis pub/sub); the
// event's id — view version, kind and subject — is its clientMsgId, which the store keeps once per conversation:
// the first instance to append stores it and delivers it, the others get `duplicate` and stay quiet.
import type { ViewChangeNotice } from '../../materialized-views/view-changefeed.ts';
import type { ChatDatabase } from '../db/chat-database.ts';
import type { ChatStore, EventEntry } from '../store/chat-store.ts';

/** The reasons (ChangeReason.kind) that become events in a conversation by default. */
export const DEFAULT_BUSINESS_EVENT_KINDS: readonly string[] = Object.freeze([
  'order.paid',
  'order.refunded',
  'payment.refunded',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'ticket.resolved',
]);

export interface BusinessEventData {
  readonly subject: string;
  readonly text: string;
  readonly source: string;
  /** The customer view's version that carried the change. */
  readonly viewVersion: number;
  readonly appliedAt: string;
}

export interface BusinessEventsOptions {
  readonly store: Pick<ChatStore, 'appendEvent'>;
  /** Ids of the customer's open conversations (see openConversationsOf). */
  readonly openConversations: (tenant: string, customerId: string) => Promise<readonly string[]>;
  /** Called once across all instances per stored event: deliver it (the core's fan-out). */
  readonly onStored: (tenant: string, entry: EventEntry) => void;
  readonly kinds?: readonly string[];
  /** Most notices waiting to be handled; beyond it new ones are dropped and counted. Default 10,000. */
  readonly maxPending?: number;
  /** A notice that could not be handled (store down): reported, then the next one goes on. */
  readonly onError?: (err: unknown, notice: ViewChangeNotice) => void;
}

export interface BusinessEvents {
  /** Handles one notice now; resolves with how many events it stored and how many another instance had stored. */
  handle(notice: ViewChangeNotice): Promise<{ stored: number; duplicates: number }>;
  /** Queues a notice (the changefeed callback is synchronous); notices are handled one at a time, in order. */
  enqueue(notice: ViewChangeNotice): void;
  /** Resolves when every queued notice is handled. */
  idle(): Promise<void>;
  readonly dropped: number;
}

/** The event's idempotency key: one per (view version, reason) in a conversation (the customer is the conversation's). */
export const businessEventId = (notice: ViewChangeNotice, kind: string, subject: string) => `view:${notice.version}:${kind}:${subject}`;

/** The customer's open conversations, read from the chat core's table. */
export function openConversationsOf(db: ChatDatabase): BusinessEventsOptions['openConversations'] {
  return async (tenant, customerId) => {
    const { rows } = await db.query<{ id: string }>(`select id from conversations where tenant = $1 and customer_id = $2 and state <> 'closed' order by created_at`, [tenant, customerId]);
    return rows.map((r) => r.id);
  };
}

export function createBusinessEvents(options: BusinessEventsOptions): BusinessEvents {
  const kinds = new Set(options.kinds ?? DEFAULT_BUSINESS_EVENT_KINDS);
  const maxPending = options.maxPending ?? 10_000;
  let pending = 0;
  let dropped = 0;
  let chain: Promise<void> = Promise.resolve();

  async function handle(notice: ViewChangeNotice): Promise<{ stored: number; duplicates: number }> {
    const wanted = notice.deleted ? [] : notice.reasons.filter((r) => kinds.has(r.kind));
    if (wanted.length === 0) return { stored: 0, duplicates: 0 };
    const conversations = await options.openConversations(notice.tenant, notice.customerId);
    let stored = 0;
    let duplicates = 0;
    for (const conversationId of conversations) {
      for (const reason of wanted) {
        const data: BusinessEventData = {
          subject: reason.subject,
          text: reason.text,
          source: reason.source,
          viewVersion: notice.version,
          appliedAt: new Date(notice.appliedAtMs).toISOString(),
        };
        try {
          const result = await options.store.appendEvent({
            tenant: notice.tenant,
            conversationId,
            eventKind: reason.kind,
            data,
            eventId: businessEventId(notice, reason.kind, reason.subject),
          });
          if (result.duplicate) duplicates++;
          else {
            stored++;
            options.onStored(notice.tenant, result.entry);
          }
        } catch (err) {
          // Closed between the read and the append: nothing to add there. Anything else is the caller's to report.
          if ((err as { code?: unknown }).code !== 'CHAT_ERR_CONVERSATION_CLOSED') throw err;
        }
      }
    }
    return { stored, duplicates };
  }

  return {
    handle,
    enqueue(notice) {
      if (pending >= maxPending) {
        dropped++;
        return;
      }
      pending++;
      chain = chain
        .then(() => handle(notice))
        .then(
          () => undefined,
          (err: unknown) => options.onError?.(err, notice),
        )
        .finally(() => {
          pending--;
        });
    },
    idle: () => chain,
    get dropped() {
      return dropped;
    },
  };
}
