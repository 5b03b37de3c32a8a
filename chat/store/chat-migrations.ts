// The chat core's migrations (owner "chat"), read from ./migrations/*.sql. chat/routing adds its own list after these.
import { loadMigrationFiles, type ChatMigration } from '../db/migrate.ts';

export const CHAT_CORE_MIGRATION_OWNER = 'chat';

export function chatCoreMigrations(): ChatMigration[] {
  return loadMigrationFiles(new URL('./migrations/', import.meta.url), CHAT_CORE_MIGRATION_OWNER);
}
