// The public surface of chat/: the WebSocket chat core. Import from here, not from the files inside.
export { checkSchemaName, DEFAULT_CHAT_SCHEMA, type ChatDatabase, type SqlExecutor, type SqlResult } from './db/chat-database.ts';
export { createPgChatDatabase, type PgChatDatabaseOptions } from './db/pg-chat-database.ts';
export { createPgliteChatDatabase, type PgliteChatDatabaseOptions } from './db/pglite-chat-database.ts';
export { loadMigrationFiles, runChatMigrations, type ChatMigration, type MigrationReport } from './db/migrate.ts';
export { CHAT_CORE_MIGRATION_OWNER, chatCoreMigrations } from './store/chat-migrations.ts';
export { chatErr, chatErrors } from './error-catalogue.ts';
export {
  SYSTEM_PARTICIPANT,
  type AckState,
  type AppendEventInput,
  type AppendMessageInput,
  type AppendResult,
  type ChatEntry,
  type ChatStore,
  type Conversation,
  type EventEntry,
  type HistoryPage,
  type MessageEntry,
  type Participant,
  type ParticipantRole,
} from './store/chat-store.ts';
export { createSqlChatStore } from './store/sql-chat-store.ts';
