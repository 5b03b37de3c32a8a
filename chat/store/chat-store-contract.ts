// The one contract every ChatStore meets, run against PGlite (sql-chat-store.test.ts, unit tier) and PostgreSQL
// (sql-chat-store.int.test.ts, integration tier).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chatErr } from '../error-catalogue.ts';
import type { ChatStore, Participant } from './chat-store.ts';

const visitor = (id: string): Participant => ({ role: 'visitor', id });
const agent = (id: string): Participant => ({ role: 'agent', id });

export function describeChatStoreContract(name: string, makeStore: () => Promise<ChatStore>): void {
  describe(`ChatStore contract: ${name}`, () => {
    it("opens one conversation per customer and finds it again; after it is closed the next open starts a new one", async () => {
      const store = await makeStore();
      const first = await store.openConversation('t1', 'C1');
      expect(first.created).toBe(true);
      expect(first.conversation).toMatchObject({ tenant: 't1', customerId: 'C1', state: 'open', lastSeq: 0, closedAt: undefined });
      const again = await store.openConversation('t1', 'C1');
      expect(again).toEqual({ conversation: first.conversation, created: false });
      expect((await store.openConversation('t2', 'C1')).created).toBe(true); // another tenant's customer C1
      expect(await store.closeConversation('t1', first.conversation.id)).toBe(true);
      expect(await store.closeConversation('t1', first.conversation.id)).toBe(false);
      const closed = await store.getConversation('t1', first.conversation.id);
      expect(closed?.state).toBe('closed');
      expect(closed?.closedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      const next = await store.openConversation('t1', 'C1');
      expect(next.created).toBe(true);
      expect(next.conversation.id).not.toBe(first.conversation.id);
    });

    it('opens the same conversation for racing first sends', async () => {
      const store = await makeStore();
      const opened = await Promise.all(Array.from({ length: 8 }, () => store.openConversation('t1', 'C-race')));
      expect(new Set(opened.map((o) => o.conversation.id)).size).toBe(1);
      expect(opened.filter((o) => o.created)).toHaveLength(1);
    });

    it('numbers messages 1, 2, 3 … and returns them exactly after a seq', async () => {
      const store = await makeStore();
      const { conversation } = await store.openConversation('t1', 'C1');
      const a = await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'm1', text: 'hello' });
      expect(a.duplicate).toBe(false);
      expect(a.entry).toMatchObject({ kind: 'message', conversationId: conversation.id, seq: 1, from: visitor('C1'), clientMsgId: 'm1', text: 'hello' });
      expect(Date.parse(a.entry.at)).toBeGreaterThan(Date.now() - 60_000);
      await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: agent('ann'), clientMsgId: 'x', text: 'hi, Ann here' });
      await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'm2', text: 'my order' });
      expect((await store.getConversation('t1', conversation.id))?.lastSeq).toBe(3);
      const after1 = await store.entriesAfter('t1', conversation.id, 1, 100);
      expect(after1.map((e) => [e.seq, e.kind === 'message' ? e.text : e.eventKind])).toEqual([[2, 'hi, Ann here'], [3, 'my order']]);
      expect((await store.entriesAfter('t1', conversation.id, 0, 2)).map((e) => e.seq)).toEqual([1, 2]);
      expect(await store.entriesAfter('t1', conversation.id, 3, 100)).toEqual([]);
    });

    it('stores a re-sent clientMsgId once and returns the original, without using a seq', async () => {
      const store = await makeStore();
      const { conversation } = await store.openConversation('t1', 'C1');
      const original = await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'k1', text: 'first' });
      const repeat = await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'k1', text: 'first (again)' });
      expect(repeat).toEqual({ entry: original.entry, duplicate: true });
      // The key is the sender's: an agent using the same key sends a message of its own.
      const other = await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: agent('ann'), clientMsgId: 'k1', text: 'agent' });
      expect(other).toMatchObject({ duplicate: false, entry: { seq: 2 } });
      expect((await store.entriesAfter('t1', conversation.id, 0, 100)).map((e) => e.seq)).toEqual([1, 2]);
    });

    it('hands out gap-free seqs to concurrent appends, and stores concurrent repeats of one clientMsgId once', async () => {
      const store = await makeStore();
      const { conversation } = await store.openConversation('t1', 'C1');
      const sends = Array.from({ length: 60 }, (_, i) =>
        store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: `c${i % 40}`, text: `text ${i % 40}` }),
      );
      const results = await Promise.all(sends);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(40);
      const stored = await store.entriesAfter('t1', conversation.id, 0, 1000);
      expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(new Set(stored.map((e) => e.clientMsgId)).size).toBe(40);
      for (const r of results) expect(stored[r.entry.seq - 1]).toEqual(r.entry);
    });

    it('keeps tenants apart: another tenant sees nothing and can write nothing', async () => {
      const store = await makeStore();
      const { conversation } = await store.openConversation('t1', 'C1');
      await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'a', text: 'secret' });
      expect(await store.getConversation('t2', conversation.id)).toBeUndefined();
      expect(await store.entriesAfter('t2', conversation.id, 0, 100)).toEqual([]);
      expect(await store.history('t2', conversation.id, { limit: 10 })).toEqual({ entries: [], hasMore: false });
      expect(await store.ack('t2', conversation.id, agent('eve'), 1)).toBeUndefined();
      expect(await store.acks('t2', conversation.id)).toEqual([]);
      expect(await store.closeConversation('t2', conversation.id)).toBe(false);
      const write = store.appendMessage({ tenant: 't2', conversationId: conversation.id, from: agent('eve'), clientMsgId: 'b', text: 'x' });
      await expect(write).rejects.toSatisfy((err) => chatErr.CHAT_ERR_NOT_FOUND.is(err));
      await expect(store.appendEvent({ tenant: 't2', conversationId: conversation.id, eventKind: 'order_paid', data: {} })).rejects.toSatisfy((err) => chatErr.CHAT_ERR_NOT_FOUND.is(err));
      expect((await store.getConversation('t1', conversation.id))?.lastSeq).toBe(1);
    });

    it('answers "not found" for ids that are not conversations, including ones that are not UUIDs', async () => {
      const store = await makeStore();
      for (const id of [randomUUID(), 'not-a-uuid', "'; drop table messages; --"]) {
        expect(await store.getConversation('t1', id)).toBeUndefined();
        await expect(store.appendMessage({ tenant: 't1', conversationId: id, from: visitor('C1'), clientMsgId: 'a', text: 'x' })).rejects.toSatisfy((err) => chatErr.CHAT_ERR_NOT_FOUND.is(err));
      }
    });

    it('refuses appends to a closed conversation but still answers a re-send of an earlier message', async () => {
      const store = await makeStore();
      const { conversation } = await store.openConversation('t1', 'C1');
      const sent = await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'a', text: 'bye' });
      await store.closeConversation('t1', conversation.id);
      await expect(store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'b', text: 'x' })).rejects.toSatisfy((err) =>
        chatErr.CHAT_ERR_CONVERSATION_CLOSED.is(err),
      );
      expect(await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'a', text: 'bye' })).toEqual({ entry: sent.entry, duplicate: true });
    });

    it('pages history backwards, oldest first within a page', async () => {
      const store = await makeStore();
      const { conversation } = await store.openConversation('t1', 'C1');
      for (let i = 1; i <= 25; i++) await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: `h${i}`, text: `m${i}` });
      const p1 = await store.history('t1', conversation.id, { limit: 10 });
      expect(p1.entries.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
      expect(p1.hasMore).toBe(true);
      const p2 = await store.history('t1', conversation.id, { beforeSeq: 16, limit: 10 });
      expect(p2.entries.map((e) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
      const p3 = await store.history('t1', conversation.id, { beforeSeq: 6, limit: 10 });
      expect(p3).toMatchObject({ hasMore: false });
      expect(p3.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    });

    it('keeps each participant\'s highest ack, capped at the last seq', async () => {
      const store = await makeStore();
      const { conversation } = await store.openConversation('t1', 'C1');
      for (let i = 1; i <= 3; i++) await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: `a${i}`, text: 'x' });
      expect(await store.ack('t1', conversation.id, agent('ann'), 2)).toBe(2);
      expect(await store.ack('t1', conversation.id, agent('ann'), 1)).toBe(2); // never moves back
      expect(await store.ack('t1', conversation.id, visitor('C1'), 99)).toBe(3); // capped at last_seq
      expect(await store.acks('t1', conversation.id)).toEqual([
        { participant: agent('ann'), lastSeq: 2 },
        { participant: visitor('C1'), lastSeq: 3 },
      ]);
    });

    it('numbers business events in the same sequence, with their data, stored once per event id', async () => {
      const store = await makeStore();
      const { conversation } = await store.openConversation('t1', 'C1');
      await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: visitor('C1'), clientMsgId: 'a', text: 'where is my order?' });
      const data = { orderId: 'O-1', totalCents: 1299, nested: { ok: true } };
      const ev = await store.appendEvent({ tenant: 't1', conversationId: conversation.id, eventKind: 'order_paid', data, eventId: 'evt-1' });
      expect(ev).toMatchObject({ duplicate: false, entry: { kind: 'event', seq: 2, eventKind: 'order_paid', data, from: { role: 'system', id: 'unics' } } });
      const again = await store.appendEvent({ tenant: 't1', conversationId: conversation.id, eventKind: 'order_paid', data, eventId: 'evt-1' });
      expect(again).toEqual({ entry: ev.entry, duplicate: true });
      const entries = await store.entriesAfter('t1', conversation.id, 0, 10);
      expect(entries.map((e) => e.kind)).toEqual(['message', 'event']);
      expect(entries[1]).toEqual(ev.entry);
    });
  });
}
