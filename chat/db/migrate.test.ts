import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedPglite, PGLITE_HOOK_TIMEOUT_MS } from '../test-support/shared-pglite.ts';
import { chatCoreMigrations } from '../store/chat-migrations.ts';
import { runChatMigrations, type ChatMigration } from './migrate.ts';
import { createPgliteChatDatabase } from './pglite-chat-database.ts';

const pglite = createSharedPglite();
beforeAll(() => pglite.database(), PGLITE_HOOK_TIMEOUT_MS);
afterAll(() => pglite.close());

const extra: ChatMigration[] = [
  { owner: 'routing', name: '0001-queue', sql: 'create table queue (conversation_id uuid primary key references conversations (id)); create table agents (id text primary key);' },
];

const tablesOf = async (schema: string) => {
  const db = await pglite.database(schema);
  const { rows } = await db.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1 order by 1', [schema]);
  return rows.map((r) => r.table_name);
};

describe('runChatMigrations (PGlite)', () => {
  it("applies every owner's scripts in order into the chat schema, records them, and skips them the second time", async () => {
    const db = await pglite.database();
    const all = [...chatCoreMigrations(), ...extra];
    const first = await runChatMigrations(db, all);
    const core = chatCoreMigrations().map((m) => `chat/${m.name}`);
    expect(core.slice(0, 3)).toEqual(['chat/0001-conversations-and-messages', 'chat/0002-append-function', 'chat/0003-append-batch-function']);
    expect(first.applied).toEqual([...core, 'routing/0001-queue']);
    expect(await tablesOf(db.schema)).toEqual(['acks', 'agents', 'conversations', 'messages', 'queue', 'schema_migrations']);
    const again = await pglite.database(db.schema);
    const second = await runChatMigrations(again, all);
    expect(second).toEqual({ applied: [], skipped: [...core, 'routing/0001-queue'] });
    // Unqualified names reach the chat schema through the search_path.
    expect((await again.query<{ n: string }>('select count(*)::text as n from conversations')).rows[0]?.n).toBe('0');
  });

  it('refuses a recorded script whose text changed, naming it', async () => {
    const db = await pglite.database();
    await runChatMigrations(db, extra.map((m) => ({ ...m, sql: 'create table agents (id text primary key);' })));
    await expect(runChatMigrations(db, extra.map((m) => ({ ...m, sql: 'create table agents (id text primary key, name text);' })))).rejects.toThrow(
      new RegExp(`routing/0001-queue was applied to schema "${db.schema}" with other text`),
    );
  });

  it('rolls back a failing script with everything before it in the same run', async () => {
    const db = await pglite.database();
    const bad: ChatMigration[] = [...chatCoreMigrations(), { owner: 'routing', name: '0001-bad', sql: 'create table nope (id no_such_type);' }];
    await expect(runChatMigrations(db, bad)).rejects.toThrow(/no_such_type/);
    expect(await tablesOf(db.schema)).toEqual([]);
  });

  it('checks the list: duplicates and out-of-order names of one owner are refused', async () => {
    const db = await pglite.database();
    await expect(runChatMigrations(db, [...extra, ...extra])).rejects.toThrow(/routing\/0001-queue is listed twice/);
    await expect(runChatMigrations(db, [{ owner: 'a', name: '0002-x', sql: '' }, { owner: 'a', name: '0001-y', sql: '' }])).rejects.toThrow(/sorts before/);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(createPgliteChatDatabase({ schema: 'chat; drop table x' })).rejects.toThrow(/schema must be lower-case letters/);
  });
});
