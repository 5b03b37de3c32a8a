// The chat database on PostgreSQL through a pg pool. Every pooled connection starts with the chat's schema on its
// search_path (the `options` startup parameter), so no query has to set it.
import pg from 'pg';
import { checkSchemaName, DEFAULT_CHAT_SCHEMA, type ChatDatabase, type SqlExecutor, type SqlResult } from './chat-database.ts';

export interface PgChatDatabaseOptions {
  /** postgres:// connection string. */
  readonly url: string;
  /** Default "chat". */
  readonly schema?: string;
  /** Most connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** Reports an idle pooled connection that failed (a server restart); the pool replaces it. */
  readonly onIdleError?: (err: Error) => void;
}

type Runner = Pick<pg.Pool | pg.PoolClient, 'query'>;

function executor(runner: Runner): SqlExecutor {
  return {
    async query<T>(text: string, params?: readonly unknown[]): Promise<SqlResult<T>> {
      const res = await runner.query(text, params as unknown[] | undefined);
      return { rows: res.rows as T[], rowCount: res.rowCount ?? 0 };
    },
    async exec(sql) {
      await runner.query(sql); // no parameters: the simple query protocol runs every statement of the script
    },
  };
}

export function createPgChatDatabase(options: PgChatDatabaseOptions): ChatDatabase {
  const schema = checkSchemaName(options.schema ?? DEFAULT_CHAT_SCHEMA);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema}`,
  });
  pool.on('error', (err) => options.onIdleError?.(err));
  const direct = executor(pool);
  return {
    kind: 'postgres',
    schema,
    ...direct,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(executor(client));
        await client.query('commit');
        client.release();
        return result;
      } catch (err) {
        try {
          await client.query('rollback');
          client.release();
        } catch (rollbackErr) {
          client.release(rollbackErr as Error); // the connection is broken: drop it from the pool
        }
        throw err;
      }
    },
    close: () => pool.end(),
  };
}
