// The chat's persistence: one interface (held to one contract suite, chat-store-contract.ts, against PGlite and
// PostgreSQL). Every read and write names its tenant; a conversation of another tenant is "not found".
export type ParticipantRole = 'visitor' | 'agent' | 'system';

export interface Participant {
  readonly role: ParticipantRole;
  /** Visitors: the customer id; agents: the token's subject; system: "unics". */
  readonly id: string;
}

export interface Conversation {
  readonly id: string;
  readonly tenant: string;
  readonly customerId: string;
  /** 'open' or 'closed' for the core; chat/routing may keep finer states of its own. */
  readonly state: string;
  /** The last seq handed out (0: empty). */
  readonly lastSeq: number;
  /** ISO 8601 times. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly closedAt: string | undefined;
}

interface EntryBase {
  readonly conversationId: string;
  readonly seq: number;
  readonly from: Participant;
  readonly clientMsgId: string | undefined;
  /** ISO 8601 time it was stored. */
  readonly at: string;
}
export interface MessageEntry extends EntryBase {
  readonly kind: 'message';
  readonly text: string;
  /** Set on reads when its sender retracted it (chat/agent-tools); the text is then empty. */
  readonly retracted?: { readonly by: Participant; readonly at: string };
}
export interface EventEntry extends EntryBase {
  readonly kind: 'event';
  /** What happened: "order_paid", "ticket_resolved" … */
  readonly eventKind: string;
  readonly data: unknown;
}
/** One numbered entry of a conversation: messages and events share the seq sequence. */
export type ChatEntry = MessageEntry | EventEntry;

export interface AppendResult<E extends ChatEntry = ChatEntry> {
  readonly entry: E;
  /** True when the sender had already sent this clientMsgId: `entry` is the original, nothing was stored. */
  readonly duplicate: boolean;
}

export interface AppendMessageInput {
  readonly tenant: string;
  readonly conversationId: string;
  readonly from: Participant;
  /** The sender's idempotency key: a re-send with the same key returns the original. */
  readonly clientMsgId: string;
  readonly text: string;
}

export interface AppendEventInput {
  readonly tenant: string;
  readonly conversationId: string;
  readonly eventKind: string;
  readonly data: unknown;
  /** Idempotency key (e.g. the business event's id): the same key is stored once. */
  readonly eventId?: string;
}

export interface HistoryPage {
  /** Oldest first. */
  readonly entries: readonly ChatEntry[];
  /** True when entries older than the first returned exist. */
  readonly hasMore: boolean;
}

export interface AckState {
  readonly participant: Participant;
  readonly lastSeq: number;
}

export interface ChatStore {
  /** The customer's open conversation, created when there is none (at most one is open per customer). */
  openConversation(tenant: string, customerId: string): Promise<{ readonly conversation: Conversation; readonly created: boolean }>;
  getConversation(tenant: string, conversationId: string): Promise<Conversation | undefined>;
  /**
   * Appends a message with the next seq. Throws CHAT_ERR_NOT_FOUND (no such conversation in the tenant) or
   * CHAT_ERR_CONVERSATION_CLOSED; a re-sent clientMsgId returns the original with duplicate: true (also once closed).
   */
  appendMessage(input: AppendMessageInput): Promise<AppendResult<MessageEntry>>;
  /** Appends a business event with the next seq (from the system participant); same errors as appendMessage. */
  appendEvent(input: AppendEventInput): Promise<AppendResult<EventEntry>>;
  /** Entries with seq > afterSeq, oldest first, at most `limit`. Empty for an unknown conversation. */
  entriesAfter(tenant: string, conversationId: string, afterSeq: number, limit: number): Promise<ChatEntry[]>;
  /** The newest `limit` entries before `beforeSeq` (default: the newest of all), oldest first. */
  history(tenant: string, conversationId: string, options: { readonly beforeSeq?: number; readonly limit: number }): Promise<HistoryPage>;
  /**
   * Records that `participant` has seen everything up to `seq` (capped at the conversation's last seq; never moves
   * back). Returns the participant's acked seq afterwards, or undefined for an unknown conversation.
   */
  ack(tenant: string, conversationId: string, participant: Participant, seq: number): Promise<number | undefined>;
  /** Every participant's acked seq in a conversation. */
  acks(tenant: string, conversationId: string): Promise<AckState[]>;
  /** Closes the conversation (no more appends); false when it was not open or does not exist. */
  closeConversation(tenant: string, conversationId: string): Promise<boolean>;
}

export const SYSTEM_PARTICIPANT: Participant = Object.freeze({ role: 'system', id: 'unics' });
