// The Shop simulator's database: one small interface, two implementations running the same SQL — PostgreSQL through
// a pg pool (the stack, where Debezium captures the tables) and PGlite in process (unit tests, the embedded demo).
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface ShopQueryable {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface ShopDatabase extends ShopQueryable {
  /** Runs a script of several statements without parameters (the schema). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: ShopQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PostgreSQL through a pg pool. `url` is a postgres:// connection string. */
export function createPgShopDatabase(url: string, opts: { poolSize?: number } = {}): ShopDatabase {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
  // An idle client losing its connection (a server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return {
    async query<T>(text: string, params?: unknown[]) {
      const res = await pool.query(text, params);
      return { rows: res.rows as T[] };
    },
    async exec(sql) {
      await pool.query(sql); // no parameters: the simple query protocol runs every statement of the script
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const tx: ShopQueryable = {
          async query<T>(text: string, params?: unknown[]) {
            const res = await client.query(text, params);
            return { rows: res.rows as T[] };
          },
        };
        const result = await fn(tx);
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

/** PGlite (PostgreSQL compiled to WebAssembly) in this process, in memory. */
export async function createPgliteShopDatabase(): Promise<ShopDatabase> {
  const db = await PGlite.create();
  return {
    async query<T>(text: string, params?: unknown[]) {
      const res = await db.query<T>(text, params);
      return { rows: res.rows };
    },
    async exec(sql) {
      await db.exec(sql);
    },
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          async query<T>(text: string, params?: unknown[]) {
            const res = await tx.query<T>(text, params);
            return { rows: res.rows };
          },
        }),
      ),
    close: () => db.close(),
  };
}
