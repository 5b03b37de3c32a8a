import { describe, expect, it } from 'vitest';
import { chatErr } from '../error-catalogue.ts';
import { createPgChatDatabase } from '../db/pg-chat-database.ts';
import { createSqlChatStore } from './sql-chat-store.ts';
import { isUnavailable, mapStoreErrors } from './store-failure.ts';

describe('chat store failures', () => {
  it('tells an unreachable database from a bug', () => {
    expect(isUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isUnavailable('nope')).toBe(false);
  });

  it('answers CHAT_ERR_UNAVAILABLE (retriable, cause kept) when PostgreSQL cannot be reached, and keeps other errors', async () => {
    const db = createPgChatDatabase({ url: 'postgres://nobody:x@127.0.0.1:1/none', poolSize: 1 });
    const store = createSqlChatStore(db);
    const sent = store.appendMessage({ tenant: 't1', conversationId: '0b7c2f7e-8a55-4c57-9c3e-0d5b0c1f2a3b', from: { role: 'visitor', id: 'C1' }, clientMsgId: 'm', text: 'x' });
    await expect(sent).rejects.toSatisfy((err) => chatErr.CHAT_ERR_UNAVAILABLE.is(err) && (err as Error).message === 'chat store: storing a message failed: the database is unavailable' && (err as Error).cause !== undefined);
    await expect(store.openConversation('t1', 'C1')).rejects.toSatisfy((err) => chatErr.CHAT_ERR_UNAVAILABLE.is(err) && (err as { retriable: boolean }).retriable);
    await db.close();
    await expect(mapStoreErrors('x', () => Promise.reject(new TypeError('bug')))).rejects.toThrow(TypeError);
  });
});
