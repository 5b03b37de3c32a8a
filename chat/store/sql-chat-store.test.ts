import { afterAll, beforeAll } from 'vitest';
import { runChatMigrations } from '../db/migrate.ts';
import { createSharedPglite, PGLITE_HOOK_TIMEOUT_MS } from '../test-support/shared-pglite.ts';
import { describeChatStoreContract } from './chat-store-contract.ts';
import { chatCoreMigrations } from './chat-migrations.ts';
import { createSqlChatStore } from './sql-chat-store.ts';

const pglite = createSharedPglite();
beforeAll(() => pglite.database(), PGLITE_HOOK_TIMEOUT_MS);
afterAll(() => pglite.close());

describeChatStoreContract('SQL store on PGlite', async () => {
  const db = await pglite.database();
  await runChatMigrations(db, chatCoreMigrations());
  return createSqlChatStore(db);
});
