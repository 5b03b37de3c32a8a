import { afterAll, inject } from 'vitest';
import { runChatMigrations } from '../db/migrate.ts';
import { createPgSchemas } from '../test-support/pg-schemas.ts';
import { describeChatStoreContract } from './chat-store-contract.ts';
import { chatCoreMigrations } from './chat-migrations.ts';
import { createSqlChatStore } from './sql-chat-store.ts';

const schemas = createPgSchemas(inject('stackEnv').DATABASE_URL);
afterAll(() => schemas.close());

describeChatStoreContract('SQL store on PostgreSQL', async () => {
  const db = schemas.database(undefined, 8);
  await runChatMigrations(db, chatCoreMigrations());
  return createSqlChatStore(db);
});
