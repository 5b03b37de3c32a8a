// chat/routing's migrations (owner "routing"), read from ./migrations/*.sql. They reference the chat core's
// `conversations` table, so they run after the core's list: runChatMigrations(db, [...chatCoreMigrations(), ...routingMigrations()]).
import { loadMigrationFiles, type ChatMigration } from '../db/migrate.ts';

export const ROUTING_MIGRATION_OWNER = 'routing';

export function routingMigrations(): ChatMigration[] {
  return loadMigrationFiles(new URL('./migrations/', import.meta.url), ROUTING_MIGRATION_OWNER);
}
