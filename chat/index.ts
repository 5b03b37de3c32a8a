// The public surface of chat/: the WebSocket chat core. Import from here, not from the files inside.
export { checkSchemaName, DEFAULT_CHAT_SCHEMA, type ChatDatabase, type SqlExecutor, type SqlResult } from './db/chat-database.ts';
export { createPgChatDatabase, type PgChatDatabaseOptions } from './db/pg-chat-database.ts';
export { createPgliteChatDatabase, type PgliteChatDatabaseOptions } from './db/pglite-chat-database.ts';
export { loadMigrationFiles, runChatMigrations, type ChatMigration, type MigrationReport } from './db/migrate.ts';
export { CHAT_CORE_MIGRATION_OWNER, chatCoreMigrations } from './store/chat-migrations.ts';
