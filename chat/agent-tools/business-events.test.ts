import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewChangeNotice } from '../../materialized-views/view-changefeed.ts';
import type { ChatDatabase } from '../db/chat-database.ts';
import { runChatMigrations } from '../db/migrate.ts';
import { createPgliteChatDatabase } from '../db/pglite-chat-database.ts';
import { chatCoreMigrations } from '../store/chat-migrations.ts';
import type { ChatStore, EventEntry } from '../store/chat-store.ts';
import { createSqlChatStore } from '../store/sql-chat-store.ts';
import { createBusinessEvents, openConversationsOf, type BusinessEventsOptions } from './business-events.ts';

const notice = (over: Partial<ViewChangeNotice> = {}): ViewChangeNotice => ({
  tenant: 't1',
  customerId: 'C000001',
  version: 7,
  deleted: false,
  reasons: [{ kind: 'order.paid', subject: 'O0000001', text: 'order O0000001 paid', source: 'shop' }],
  appliedAtMs: 1_800_000_000_000,
  sourceTsMs: null,
  ...over,
});

describe('business events into conversations (PGlite, the real chat store)', () => {
  let db: ChatDatabase;
  let store: ChatStore;
  const delivered: Array<{ instance: string; entry: EventEntry }> = [];
  const instance = (name: string, extra: Partial<BusinessEventsOptions> = {}) =>
    createBusinessEvents({ store, openConversations: openConversationsOf(db), onStored: (_t, entry) => delivered.push({ instance: name, entry }), ...extra });

  beforeAll(async () => {
    db = await createPgliteChatDatabase({ schema: 'chat_events' });
    await runChatMigrations(db, chatCoreMigrations());
    store = createSqlChatStore(db);
  }, 120_000);
  afterAll(() => db.close());

  it('stores an event once with the next seq and delivers it once, however many instances hear the change', async () => {
    const { conversation } = await store.openConversation('t1', 'C000001');
    await store.appendMessage({ tenant: 't1', conversationId: conversation.id, from: { role: 'visitor', id: 'C000001' }, clientMsgId: 'm1', text: 'where is my order?' });
    const [a, b, c] = [instance('a'), instance('b'), instance('c')];
    const results = await Promise.all([a.handle(notice()), b.handle(notice()), c.handle(notice())]);
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(2);
    expect(delivered.map((d) => [d.entry.seq, d.entry.eventKind])).toEqual([[2, 'order.paid']]);
    // resume replays it, with what agents need to show it.
    const entries = await store.entriesAfter('t1', conversation.id, 1, 10);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'event', seq: 2, eventKind: 'order.paid', data: { subject: 'O0000001', text: 'order O0000001 paid', source: 'shop', viewVersion: 7 } });
    // The same version heard again (a redelivery) adds nothing; the next version's change is a new event.
    expect(await a.handle(notice())).toEqual({ stored: 0, duplicates: 1 });
    expect(await a.handle(notice({ version: 8, reasons: [{ kind: 'order.shipped', subject: 'O0000001', text: 'order O0000001 shipped', source: 'shop' }] }))).toEqual({
      stored: 1,
      duplicates: 0,
    });
    expect((await store.entriesAfter('t1', conversation.id, 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('ignores changes agents do not care about, deleted views, customers without an open conversation and other tenants', async () => {
    const { conversation } = await store.openConversation('t1', 'C000002');
    const a = instance('a');
    const before = delivered.length;
    expect(await a.handle(notice({ customerId: 'C000002', reasons: [{ kind: 'contact.updated', subject: 'C000002', text: 'contact updated: email', source: 'crm' }] }))).toEqual({ stored: 0, duplicates: 0 });
    expect(await a.handle(notice({ customerId: 'C000002', deleted: true }))).toEqual({ stored: 0, duplicates: 0 });
    expect(await a.handle(notice({ customerId: 'C999999' }))).toEqual({ stored: 0, duplicates: 0 });
    expect(await a.handle(notice({ tenant: 't2', customerId: 'C000002' }))).toEqual({ stored: 0, duplicates: 0 });
    expect(delivered.length).toBe(before);
    expect(await store.entriesAfter('t1', conversation.id, 0, 10)).toEqual([]);
    // Several wanted reasons in one change: one event each, in order.
    const two = notice({
      customerId: 'C000002',
      reasons: [
        { kind: 'order.refunded', subject: 'O1', text: 'order O1 refunded', source: 'shop' },
        { kind: 'contact.updated', subject: 'C000002', text: 'x', source: 'crm' },
        { kind: 'ticket.resolved', subject: 'T7', text: 'ticket T7 resolved', source: 'helpdesk' },
      ],
    });
    expect(await a.handle(two)).toEqual({ stored: 2, duplicates: 0 });
    expect((await store.entriesAfter('t1', conversation.id, 0, 10)).map((e) => (e.kind === 'event' ? e.eventKind : e.kind))).toEqual(['order.refunded', 'ticket.resolved']);
  });

  it('a closed conversation gets nothing; enqueue handles notices in order and reports failures without stopping', async () => {
    const { conversation } = await store.openConversation('t1', 'C000003');
    await store.closeConversation('t1', conversation.id);
    const errors: unknown[] = [];
    let failNext = true;
    const a = instance('a', {
      openConversations: async (tenant, customerId) => {
        if (failNext) {
          failNext = false;
          throw new Error('database down');
        }
        return openConversationsOf(db)(tenant, customerId);
      },
      onError: (err) => errors.push(err),
    });
    const { conversation: open } = await store.openConversation('t1', 'C000004');
    a.enqueue(notice({ customerId: 'C000004', version: 1 }));
    a.enqueue(notice({ customerId: 'C000004', version: 2 }));
    a.enqueue(notice({ customerId: 'C000003', version: 3 }));
    await a.idle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['database down']);
    const entries = await store.entriesAfter('t1', open.id, 0, 10);
    expect(entries.map((e) => (e.kind === 'event' ? (e.data as { viewVersion: number }).viewVersion : -1))).toEqual([2]);
    expect(await store.entriesAfter('t1', conversation.id, 0, 10)).toEqual([]);
  });

  it('drops notices beyond maxPending instead of growing without bound', async () => {
    const a = instance('a', { maxPending: 2, openConversations: () => new Promise((r) => setTimeout(() => r([]), 5)) });
    for (let i = 0; i < 5; i++) a.enqueue(notice({ version: 100 + i }));
    await a.idle();
    expect(a.dropped).toBe(3);
  });
});
