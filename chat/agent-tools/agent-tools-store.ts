// The agent tools' persistence (same SQL on PostgreSQL and PGlite): internal notes, retractions and read receipts.
// It reads the chat core's tables (conversations: id, tenant, state, last_seq; messages: seq, kind, sender_role,
// sender_id) and writes only its own. A note takes the conversation row's lock, the same lock the core's appends
// take, so its after_seq is exact and note_seq has no gaps.
import type { Clock } from '../../common/index.ts';
import type { ChatDatabase } from '../db/chat-database.ts';

export interface ToolParticipant {
  readonly role: 'visitor' | 'agent' | 'system';
  readonly id: string;
}

export interface Note {
  readonly conversationId: string;
  /** 1, 2, 3 … per conversation (notes only). */
  readonly noteSeq: number;
  readonly from: ToolParticipant;
  readonly clientMsgId: string;
  readonly text: string;
  /** The conversation's last message seq when the note was written. */
  readonly afterSeq: number;
  /** ISO 8601. */
  readonly at: string;
}

export interface Retraction {
  readonly conversationId: string;
  readonly seq: number;
  readonly by: ToolParticipant;
  /** ISO 8601. */
  readonly at: string;
}

export type ToolRefusal = 'conversation_not_found' | 'message_not_found' | 'not_a_message' | 'not_your_message';
export interface ToolRefused {
  readonly ok: false;
  readonly reason: ToolRefusal;
}

export interface AgentToolsStore {
  /** Stores an internal note; a re-sent clientMsgId returns the original (duplicate: true). */
  addNote(tenant: string, conversationId: string, authorId: string, clientMsgId: string, text: string): Promise<{ ok: true; note: Note; duplicate: boolean } | ToolRefused>;
  /** Notes with noteSeq > afterNoteSeq, oldest first. */
  notesAfter(tenant: string, conversationId: string, afterNoteSeq: number, limit: number): Promise<Note[]>;
  /** Marks a message retracted; only its sender may. Retracting twice returns the first (changed: false). */
  retract(tenant: string, conversationId: string, seq: number, by: ToolParticipant): Promise<{ ok: true; retraction: Retraction; changed: boolean } | ToolRefused>;
  /** The conversation's retractions, oldest seq first (at most `limit`). */
  listRetractions(tenant: string, conversationId: string, limit: number): Promise<Retraction[]>;
  /** The retractions among `seqs` (to mark entries of a resume or history page). */
  retractions(tenant: string, conversationId: string, seqs: readonly number[]): Promise<Map<number, Retraction>>;
  /**
   * Records that `participant` read up to `seq` (capped at the conversation's last seq, never moving back).
   * Returns the read seq afterwards, or undefined for an unknown conversation.
   */
  markRead(tenant: string, conversationId: string, participant: ToolParticipant, seq: number): Promise<number | undefined>;
  reads(tenant: string, conversationId: string): Promise<Array<{ participant: ToolParticipant; lastReadSeq: number }>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (ms: string | number) => new Date(Number(ms)).toISOString();

interface NoteRow {
  conversation_id: string;
  note_seq: string | number;
  author_id: string;
  client_msg_id: string;
  body: string;
  after_seq: string | number;
  created_at_ms: string | number;
}
const NOTE_COLUMNS = 'conversation_id, note_seq, author_id, client_msg_id, body, after_seq, created_at_ms';
const toNote = (r: NoteRow): Note => ({
  conversationId: r.conversation_id,
  noteSeq: Number(r.note_seq),
  from: { role: 'agent', id: r.author_id },
  clientMsgId: r.client_msg_id,
  text: r.body,
  afterSeq: Number(r.after_seq),
  at: iso(r.created_at_ms),
});

interface RetractionRow {
  conversation_id: string;
  seq: string | number;
  retracted_by_role: ToolParticipant['role'];
  retracted_by_id: string;
  retracted_at_ms: string | number;
}
const toRetraction = (r: RetractionRow): Retraction => ({
  conversationId: r.conversation_id,
  seq: Number(r.seq),
  by: { role: r.retracted_by_role, id: r.retracted_by_id },
  at: iso(r.retracted_at_ms),
});

export function createAgentToolsStore(deps: { db: ChatDatabase; clock: Pick<Clock, 'now'> }): AgentToolsStore {
  const { db, clock } = deps;
  const refuse = (reason: ToolRefusal): ToolRefused => ({ ok: false, reason });

  return {
    addNote: (tenant, conversationId, authorId, clientMsgId, text) => {
      if (!UUID.test(conversationId)) return Promise.resolve(refuse('conversation_not_found'));
      return db.transaction(async (tx) => {
        const conv = await tx.query<{ last_seq: string | number }>('select last_seq from conversations where id = $1 and tenant = $2 for update', [conversationId, tenant]);
        const lastSeq = conv.rows[0]?.last_seq;
        if (lastSeq === undefined) return refuse('conversation_not_found');
        const existing = await tx.query<NoteRow>(`select ${NOTE_COLUMNS} from agent_notes where conversation_id = $1 and author_id = $2 and client_msg_id = $3`, [
          conversationId,
          authorId,
          clientMsgId,
        ]);
        if (existing.rows[0] !== undefined) return { ok: true as const, note: toNote(existing.rows[0]), duplicate: true };
        const { rows } = await tx.query<NoteRow>(
          `insert into agent_notes (conversation_id, note_seq, tenant, author_id, client_msg_id, body, after_seq, created_at_ms)
           select $1, coalesce(max(note_seq), 0) + 1, $2, $3, $4, $5, $6, $7 from agent_notes where conversation_id = $1
           returning ${NOTE_COLUMNS}`,
          [conversationId, tenant, authorId, clientMsgId, text, lastSeq, clock.now()],
        );
        return { ok: true as const, note: toNote(rows[0]!), duplicate: false };
      });
    },

    async notesAfter(tenant, conversationId, afterNoteSeq, limit) {
      if (!UUID.test(conversationId)) return [];
      const { rows } = await db.query<NoteRow>(
        `select ${NOTE_COLUMNS} from agent_notes where conversation_id = $1 and tenant = $2 and note_seq > $3 order by note_seq limit $4`,
        [conversationId, tenant, afterNoteSeq, limit],
      );
      return rows.map(toNote);
    },

    async retract(tenant, conversationId, seq, by) {
      if (!UUID.test(conversationId)) return refuse('conversation_not_found');
      const msg = await db.query<{ kind: string; sender_role: string; sender_id: string }>(
        `select m.kind, m.sender_role, m.sender_id from messages m join conversations c on c.id = m.conversation_id
          where m.conversation_id = $1 and c.tenant = $2 and m.seq = $3`,
        [conversationId, tenant, seq],
      );
      const m = msg.rows[0];
      if (m === undefined) {
        const conv = await db.query('select 1 from conversations where id = $1 and tenant = $2', [conversationId, tenant]);
        return refuse(conv.rows.length === 0 ? 'conversation_not_found' : 'message_not_found');
      }
      if (m.kind !== 'message') return refuse('not_a_message');
      if (m.sender_role !== by.role || m.sender_id !== by.id) return refuse('not_your_message');
      const inserted = await db.query<RetractionRow>(
        `insert into message_retractions (conversation_id, seq, tenant, retracted_by_role, retracted_by_id, retracted_at_ms)
         values ($1, $2, $3, $4, $5, $6) on conflict (conversation_id, seq) do nothing
         returning conversation_id, seq, retracted_by_role, retracted_by_id, retracted_at_ms`,
        [conversationId, seq, tenant, by.role, by.id, clock.now()],
      );
      if (inserted.rows[0] !== undefined) return { ok: true as const, retraction: toRetraction(inserted.rows[0]), changed: true };
      const first = await db.query<RetractionRow>(
        'select conversation_id, seq, retracted_by_role, retracted_by_id, retracted_at_ms from message_retractions where conversation_id = $1 and seq = $2',
        [conversationId, seq],
      );
      return { ok: true as const, retraction: toRetraction(first.rows[0]!), changed: false };
    },

    async listRetractions(tenant, conversationId, limit) {
      if (!UUID.test(conversationId)) return [];
      const { rows } = await db.query<RetractionRow>(
        `select conversation_id, seq, retracted_by_role, retracted_by_id, retracted_at_ms from message_retractions
          where conversation_id = $1 and tenant = $2 order by seq limit $3`,
        [conversationId, tenant, limit],
      );
      return rows.map(toRetraction);
    },

    async retractions(tenant, conversationId, seqs) {
      if (!UUID.test(conversationId) || seqs.length === 0) return new Map();
      const { rows } = await db.query<RetractionRow>(
        `select conversation_id, seq, retracted_by_role, retracted_by_id, retracted_at_ms from message_retractions
          where conversation_id = $1 and tenant = $2 and seq = any($3::bigint[])`,
        [conversationId, tenant, seqs.map(String)],
      );
      return new Map(rows.map((r) => [Number(r.seq), toRetraction(r)]));
    },

    async markRead(tenant, conversationId, participant, seq) {
      if (!UUID.test(conversationId)) return undefined;
      const { rows } = await db.query<{ last_read_seq: string | number }>(
        `insert into read_receipts as r (conversation_id, participant_role, participant_id, tenant, last_read_seq, updated_at_ms)
         select c.id, $3, $4, c.tenant, least(greatest($5::bigint, 0), c.last_seq), $6 from conversations c where c.id = $1 and c.tenant = $2
         on conflict (conversation_id, participant_role, participant_id)
           do update set last_read_seq = greatest(r.last_read_seq, excluded.last_read_seq), updated_at_ms = excluded.updated_at_ms
         returning last_read_seq`,
        [conversationId, tenant, participant.role, participant.id, seq, clock.now()],
      );
      return rows[0] === undefined ? undefined : Number(rows[0].last_read_seq);
    },

    async reads(tenant, conversationId) {
      if (!UUID.test(conversationId)) return [];
      const { rows } = await db.query<{ participant_role: ToolParticipant['role']; participant_id: string; last_read_seq: string | number }>(
        'select participant_role, participant_id, last_read_seq from read_receipts where conversation_id = $1 and tenant = $2 order by participant_role, participant_id',
        [conversationId, tenant],
      );
      return rows.map((r) => ({ participant: { role: r.participant_role, id: r.participant_id }, lastReadSeq: Number(r.last_read_seq) }));
    },
  };
}
