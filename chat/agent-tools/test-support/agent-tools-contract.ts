// The agent tools store's behaviour, run on PGlite (unit tier) and PostgreSQL (integration tier).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../common/index.ts';
import type { ChatDatabase } from '../../db/chat-database.ts';
import { runChatMigrations } from '../../db/migrate.ts';
import { chatCoreMigrations } from '../../store/chat-migrations.ts';
import { agentToolsMigrations } from '../agent-tools-migrations.ts';
import { createAgentToolsStore, type AgentToolsStore } from '../agent-tools-store.ts';

export function describeAgentToolsStore(label: string, openDb: () => Promise<ChatDatabase>): void {
  describe(`agent tools store (${label})`, () => {
    let db: ChatDatabase;
    let tools: AgentToolsStore;
    const clock = createFakeClock(1_800_000_000_000);
    let T = '';
    let n = 0;
    beforeAll(async () => {
      db = await openDb();
      await runChatMigrations(db, [...chatCoreMigrations(), ...agentToolsMigrations()]);
      tools = createAgentToolsStore({ db, clock });
    }, 120_000);
    afterAll(async () => {
      await db.close().catch(() => {});
    });
    beforeEach(() => {
      T = `tenant-${++n}`;
    });

    /** A conversation with messages written the way the core stores them. */
    async function conversation(messages: Array<{ role: string; id: string; text: string }>): Promise<string> {
      const { rows } = await db.query<{ id: string }>('insert into conversations (tenant, customer_id) values ($1, $2) returning id', [T, 'C1']);
      const id = rows[0]!.id;
      for (const [i, m] of messages.entries()) {
        await db.query(`insert into messages (conversation_id, seq, kind, sender_role, sender_id, body) values ($1, $2, 'message', $3, $4, $5)`, [id, i + 1, m.role, m.id, m.text]);
      }
      await db.query('update conversations set last_seq = $2 where id = $1', [id, messages.length]);
      return id;
    }

    it('notes are numbered per conversation, anchored after the last message, stored once per clientMsgId', async () => {
      const c = await conversation([{ role: 'visitor', id: 'C1', text: 'hi' }]);
      const first = await tools.addNote(T, c, 'alice', 'n-1', 'VIP, be nice');
      expect(first).toMatchObject({ ok: true, duplicate: false, note: { noteSeq: 1, afterSeq: 1, from: { role: 'agent', id: 'alice' }, text: 'VIP, be nice' } });
      expect(await tools.addNote(T, c, 'alice', 'n-1', 'resent')).toMatchObject({ ok: true, duplicate: true, note: { noteSeq: 1, text: 'VIP, be nice' } });
      expect(await tools.addNote(T, c, 'bob', 'n-1', 'another author, same key')).toMatchObject({ ok: true, duplicate: false, note: { noteSeq: 2 } });
      expect((await tools.notesAfter(T, c, 0, 10)).map((x) => x.noteSeq)).toEqual([1, 2]);
      expect((await tools.notesAfter(T, c, 1, 10)).map((x) => x.text)).toEqual(['another author, same key']);
      // Another tenant sees nothing and cannot write.
      expect(await tools.notesAfter(`${T}-x`, c, 0, 10)).toEqual([]);
      expect(await tools.addNote(`${T}-x`, c, 'eve', 'n-9', 'x')).toEqual({ ok: false, reason: 'conversation_not_found' });
      // Notes are not messages: the conversation's seq did not move, and `messages` holds no note.
      const conv = await db.query<{ last_seq: string | number }>('select last_seq from conversations where id = $1', [c]);
      expect(Number(conv.rows[0]?.last_seq)).toBe(1);
      expect((await db.query('select 1 from messages where conversation_id = $1', [c])).rows.length).toBe(1);
    });

    it('concurrent notes get distinct, gapless note numbers', async () => {
      const c = await conversation([]);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => tools.addNote(T, c, 'alice', `k${i}`, `note ${i}`)));
      const seqs = results.map((r) => (r.ok ? r.note.noteSeq : -1)).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    });

    it('retract: only the sender, only messages; the message stays, marked; twice is a no-op', async () => {
      const c = await conversation([
        { role: 'visitor', id: 'C1', text: 'my card is 4111…' },
        { role: 'agent', id: 'alice', text: 'wrong answer' },
      ]);
      expect(await tools.retract(T, c, 2, { role: 'agent', id: 'bob' })).toEqual({ ok: false, reason: 'not_your_message' });
      expect(await tools.retract(T, c, 1, { role: 'agent', id: 'alice' })).toEqual({ ok: false, reason: 'not_your_message' });
      expect(await tools.retract(T, c, 3, { role: 'agent', id: 'alice' })).toEqual({ ok: false, reason: 'message_not_found' });
      expect(await tools.retract(`${T}-x`, c, 2, { role: 'agent', id: 'alice' })).toEqual({ ok: false, reason: 'conversation_not_found' });
      const done = await tools.retract(T, c, 2, { role: 'agent', id: 'alice' });
      expect(done).toMatchObject({ ok: true, changed: true, retraction: { seq: 2, by: { role: 'agent', id: 'alice' } } });
      clock.advance(1000);
      const again = await tools.retract(T, c, 2, { role: 'agent', id: 'alice' });
      expect(again).toMatchObject({ ok: true, changed: false });
      expect(again.ok && done.ok && again.retraction.at).toBe(done.ok && done.retraction.at);
      expect((await tools.retract(T, c, 1, { role: 'visitor', id: 'C1' })).ok).toBe(true);
      expect([...(await tools.retractions(T, c, [1, 2, 3])).keys()].sort()).toEqual([1, 2]);
      expect((await tools.listRetractions(T, c, 10)).map((r) => [r.seq, r.by.id])).toEqual([
        [1, 'C1'],
        [2, 'alice'],
      ]);
      expect(await tools.listRetractions(`${T}-x`, c, 10)).toEqual([]);
      // Still in history.
      expect((await db.query('select seq from messages where conversation_id = $1', [c])).rows.length).toBe(2);
    });

    it('retract refuses business events (only messages can be retracted)', async () => {
      const c = await conversation([]);
      await db.query(`insert into messages (conversation_id, seq, kind, sender_role, sender_id) values ($1, 1, 'event', 'system', 'unics')`, [c]);
      expect(await tools.retract(T, c, 1, { role: 'system', id: 'unics' })).toEqual({ ok: false, reason: 'not_a_message' });
    });

    it('read receipts never move back and are capped at the last seq', async () => {
      const c = await conversation([
        { role: 'visitor', id: 'C1', text: 'a' },
        { role: 'agent', id: 'alice', text: 'b' },
      ]);
      const visitor = { role: 'visitor' as const, id: 'C1' };
      expect(await tools.markRead(T, c, visitor, 1)).toBe(1);
      expect(await tools.markRead(T, c, visitor, 99)).toBe(2);
      expect(await tools.markRead(T, c, visitor, 1)).toBe(2);
      expect(await tools.markRead(`${T}-x`, c, visitor, 1)).toBeUndefined();
      expect(await tools.reads(T, c)).toEqual([{ participant: visitor, lastReadSeq: 2 }]);
    });
  });
}
