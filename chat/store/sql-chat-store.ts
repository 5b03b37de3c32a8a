// ChatStore over a ChatDatabase (PostgreSQL or PGlite, same SQL). Appends go through the append_entry function
// (migrations/0002), which takes the conversation's row lock, so seq is gap-free and clientMsgId idempotent across
// connections and instances; concurrent appends are grouped into one append_entries call (migrations/0003,
// append-batcher.ts) so a burst costs one commit per batch, not one per message.
import type { ChatDatabase } from '../db/chat-database.ts';
import { chatErr } from '../error-catalogue.ts';
import {
  SYSTEM_PARTICIPANT,
  type AckState,
  type AppendResult,
  type ChatEntry,
  type ChatStore,
  type Conversation,
  type EventEntry,
  type MessageEntry,
  type ParticipantRole,
} from './chat-store.ts';
import { createAppendBatcher } from './append-batcher.ts';
import { isConversationId, mapStoreErrors } from './store-failure.ts';

interface ConversationRow {
  id: string;
  tenant: string;
  customer_id: string;
  state: string;
  last_seq: string | number;
  created_at: Date | string;
  updated_at: Date | string;
  closed_at: Date | string | null;
}

interface EntryRow {
  seq: string | number;
  kind: string;
  sender_role: string;
  sender_id: string;
  client_msg_id: string | null;
  body: string | null;
  event_kind: string | null;
  data: unknown;
  created_at: Date | string;
}

const iso = (t: Date | string) => (t instanceof Date ? t.toISOString() : new Date(t).toISOString());

function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    tenant: r.tenant,
    customerId: r.customer_id,
    state: r.state,
    lastSeq: Number(r.last_seq),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    closedAt: r.closed_at === null ? undefined : iso(r.closed_at),
  };
}

function toEntry(conversationId: string, r: EntryRow): ChatEntry {
  const base = {
    conversationId,
    seq: Number(r.seq),
    from: { role: r.sender_role as ParticipantRole, id: r.sender_id },
    clientMsgId: r.client_msg_id ?? undefined,
    at: iso(r.created_at),
  };
  return r.kind === 'event' ? { ...base, kind: 'event', eventKind: r.event_kind ?? '', data: r.data } : { ...base, kind: 'message', text: r.body ?? '' };
}

const CONVERSATION_COLUMNS = 'id, tenant, customer_id, state, last_seq, created_at, updated_at, closed_at';
const ENTRY_COLUMNS = 'm.seq, m.kind, m.sender_role, m.sender_id, m.client_msg_id, m.body, m.event_kind, m.data, m.created_at';

export interface SqlChatStoreOptions {
  /** Most appends written in one statement. Default 500. */
  readonly maxBatch?: number;
  /** Most append batches written at a time. Default 4. */
  readonly maxInFlight?: number;
}

export function createSqlChatStore(db: ChatDatabase, options: SqlChatStoreOptions = {}): ChatStore {
  const notFound = (conversationId: string) => chatErr.CHAT_ERR_NOT_FOUND(`no conversation ${JSON.stringify(conversationId)} in your tenant`);

  interface AppendParams {
    readonly tenant: string;
    readonly conversationId: string;
    readonly kind: 'message' | 'event';
    readonly role: string;
    readonly senderId: string;
    readonly key: string | null;
    readonly body: string | null;
    readonly eventKind: string | null;
    readonly data: unknown;
  }
  const appendBatched = createAppendBatcher<AppendParams, EntryRow & { outcome: string }>({
    ...options,
    async write(batch) {
      const entries = batch.map((p, i) => ({
        i,
        conversation_id: p.conversationId,
        tenant: p.tenant,
        kind: p.kind,
        sender_role: p.role,
        sender_id: p.senderId,
        client_msg_id: p.key,
        body: p.body,
        event_kind: p.eventKind,
        data: p.data === undefined ? null : p.data,
      }));
      const { rows } = await db.query<EntryRow & { outcome: string; i: number }>('select * from append_entries($1::jsonb)', [JSON.stringify(entries)]);
      const byIndex: Array<EntryRow & { outcome: string }> = new Array(batch.length);
      for (const row of rows) byIndex[row.i] = row;
      return byIndex;
    },
  });

  async function append(what: string, params: AppendParams): Promise<AppendResult> {
    if (!isConversationId(params.conversationId)) throw notFound(params.conversationId);
    const row = await mapStoreErrors(what, () => appendBatched({ ...params, conversationId: params.conversationId.toLowerCase() }));
    if (row === undefined || row.outcome === 'not_found') throw notFound(params.conversationId);
    if (row.outcome === 'closed') throw chatErr.CHAT_ERR_CONVERSATION_CLOSED(`conversation ${params.conversationId} is closed`);
    return { entry: toEntry(params.conversationId.toLowerCase(), row), duplicate: row.outcome === 'duplicate' };
  }

  return {
    async openConversation(tenant, customerId) {
      return mapStoreErrors('opening a conversation', async () => {
        // A racing instance may create it between the insert and the select, or close it: try again.
        for (let attempt = 0; attempt < 5; attempt++) {
          const inserted = await db.query<ConversationRow>(
            `insert into conversations (tenant, customer_id) values ($1, $2)
             on conflict (tenant, customer_id) where state <> 'closed' do nothing
             returning ${CONVERSATION_COLUMNS}`,
            [tenant, customerId],
          );
          if (inserted.rows[0] !== undefined) return { conversation: toConversation(inserted.rows[0]), created: true };
          const found = await db.query<ConversationRow>(`select ${CONVERSATION_COLUMNS} from conversations where tenant = $1 and customer_id = $2 and state <> 'closed'`, [tenant, customerId]);
          if (found.rows[0] !== undefined) return { conversation: toConversation(found.rows[0]), created: false };
        }
        throw new Error(`chat store: could not open a conversation for customer ${customerId} after 5 attempts`);
      });
    },

    async getConversation(tenant, conversationId) {
      if (!isConversationId(conversationId)) return undefined;
      const { rows } = await mapStoreErrors('reading a conversation', () =>
        db.query<ConversationRow>(`select ${CONVERSATION_COLUMNS} from conversations where id = $1 and tenant = $2`, [conversationId, tenant]),
      );
      return rows[0] === undefined ? undefined : toConversation(rows[0]);
    },

    async appendMessage(input) {
      const result = await append('storing a message', {
        tenant: input.tenant,
        conversationId: input.conversationId,
        kind: 'message',
        role: input.from.role,
        senderId: input.from.id,
        key: input.clientMsgId,
        body: input.text,
        eventKind: null,
        data: undefined,
      });
      return result as AppendResult<MessageEntry>;
    },

    async appendEvent(input) {
      const result = await append('storing an event', {
        tenant: input.tenant,
        conversationId: input.conversationId,
        kind: 'event',
        role: SYSTEM_PARTICIPANT.role,
        senderId: SYSTEM_PARTICIPANT.id,
        key: input.eventId ?? null,
        body: null,
        eventKind: input.eventKind,
        data: input.data ?? null,
      });
      return result as AppendResult<EventEntry>;
    },

    async entriesAfter(tenant, conversationId, afterSeq, limit) {
      if (!isConversationId(conversationId)) return [];
      const { rows } = await mapStoreErrors('reading messages', () =>
        db.query<EntryRow>(
          `select ${ENTRY_COLUMNS} from messages m join conversations c on c.id = m.conversation_id
           where m.conversation_id = $1 and c.tenant = $2 and m.seq > $3 order by m.seq limit $4`,
          [conversationId, tenant, afterSeq, limit],
        ),
      );
      return rows.map((r) => toEntry(conversationId, r));
    },

    async history(tenant, conversationId, { beforeSeq, limit }) {
      if (!isConversationId(conversationId)) return { entries: [], hasMore: false };
      const { rows } = await mapStoreErrors('reading history', () =>
        db.query<EntryRow>(
          `select ${ENTRY_COLUMNS} from messages m join conversations c on c.id = m.conversation_id
           where m.conversation_id = $1 and c.tenant = $2 and ($3::bigint is null or m.seq < $3) order by m.seq desc limit $4`,
          [conversationId, tenant, beforeSeq ?? null, limit + 1],
        ),
      );
      const hasMore = rows.length > limit;
      return { entries: rows.slice(0, limit).reverse().map((r) => toEntry(conversationId, r)), hasMore };
    },

    async ack(tenant, conversationId, participant, seq) {
      if (!isConversationId(conversationId)) return undefined;
      const { rows } = await mapStoreErrors('storing an ack', () =>
        db.query<{ last_seq: string | number }>(
          `insert into acks (conversation_id, participant_role, participant_id, last_seq)
           select c.id, $3, $4, least(greatest($5::bigint, 0), c.last_seq) from conversations c where c.id = $1 and c.tenant = $2
           on conflict (conversation_id, participant_role, participant_id)
           do update set last_seq = greatest(acks.last_seq, excluded.last_seq), updated_at = now()
           returning last_seq`,
          [conversationId, tenant, participant.role, participant.id, seq],
        ),
      );
      return rows[0] === undefined ? undefined : Number(rows[0].last_seq);
    },

    async acks(tenant, conversationId) {
      if (!isConversationId(conversationId)) return [];
      const { rows } = await mapStoreErrors('reading acks', () =>
        db.query<{ participant_role: string; participant_id: string; last_seq: string | number }>(
          `select a.participant_role, a.participant_id, a.last_seq from acks a join conversations c on c.id = a.conversation_id
           where a.conversation_id = $1 and c.tenant = $2 order by a.participant_role, a.participant_id`,
          [conversationId, tenant],
        ),
      );
      return rows.map((r): AckState => ({ participant: { role: r.participant_role as ParticipantRole, id: r.participant_id }, lastSeq: Number(r.last_seq) }));
    },

    async closeConversation(tenant, conversationId) {
      if (!isConversationId(conversationId)) return false;
      const { rowCount } = await mapStoreErrors('closing a conversation', () =>
        db.query(`update conversations set state = 'closed', closed_at = now(), updated_at = now() where id = $1 and tenant = $2 and state <> 'closed'`, [conversationId, tenant]),
      );
      return rowCount > 0;
    },
  };
}
