// One PGlite per test file (starting one takes seconds, tens of seconds on a loaded machine); each test gets its own
// schema on it. Tests of one file run one after the other, so the shared connection's search_path is theirs.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { ChatDatabase } from '../db/chat-database.ts';
import { createPgliteChatDatabase } from '../db/pglite-chat-database.ts';

/** A random schema name for one test: `chat_t<hex>`. */
export const randomChatSchema = (prefix = 'chat_t') => `${prefix}${randomBytes(5).toString('hex')}`;

export interface SharedPglite {
  /** A database over the shared instance, in a fresh random schema (not migrated yet). */
  database(schema?: string): Promise<ChatDatabase>;
  close(): Promise<void>;
}

export function createSharedPglite(): SharedPglite {
  let instance: Promise<PGlite> | undefined;
  return {
    async database(schema = randomChatSchema()) {
      instance ??= PGlite.create();
      return createPgliteChatDatabase({ pglite: await instance, schema });
    },
    async close() {
      if (instance !== undefined) await (await instance).close();
    },
  };
}

/** Starting PGlite on a busy 2-core machine can take half a minute. */
export const PGLITE_HOOK_TIMEOUT_MS = 90_000;
