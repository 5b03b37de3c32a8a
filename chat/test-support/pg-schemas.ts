// Integration tests: chat databases on the stack's PostgreSQL, each in a random schema dropped afterwards.
import type { ChatDatabase } from '../db/chat-database.ts';
import { createPgChatDatabase } from '../db/pg-chat-database.ts';
import { randomChatSchema } from './shared-pglite.ts';

export interface PgSchemas {
  /** A pooled database in `schema` (default: a new random one). */
  database(schema?: string, poolSize?: number): ChatDatabase;
  /** Closes every pool and drops every schema handed out. */
  close(): Promise<void>;
}

export function createPgSchemas(url: string): PgSchemas {
  const opened: ChatDatabase[] = [];
  const schemas = new Set<string>();
  return {
    database(schema = randomChatSchema(), poolSize = 4) {
      schemas.add(schema);
      const db = createPgChatDatabase({ url, schema, poolSize });
      opened.push(db);
      return db;
    },
    async close() {
      const admin = createPgChatDatabase({ url, schema: 'public', poolSize: 1 });
      try {
        for (const s of schemas) await admin.exec(`drop schema if exists ${s} cascade`);
      } finally {
        await admin.close();
        await Promise.all(opened.map((db) => db.close().catch(() => {})));
      }
    },
  };
}
