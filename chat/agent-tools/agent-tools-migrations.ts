// chat/agent-tools' migrations (owner "agent-tools"), read from ./migrations/*.sql. They reference the chat core's
// `conversations`, so they run after the core's list.
import { loadMigrationFiles, type ChatMigration } from '../db/migrate.ts';

export const AGENT_TOOLS_MIGRATION_OWNER = 'agent-tools';

export function agentToolsMigrations(): ChatMigration[] {
  return loadMigrationFiles(new URL('./migrations/', import.meta.url), AGENT_TOOLS_MIGRATION_OWNER);
}
