// The chat database on PGlite (PostgreSQL compiled to WebAssembly) in this process: the embedded demo and the unit
// tier. One connection, so the search_path is set once; transactions run one at a time. In memory unless `dataDir`
// names a directory to keep the data in.
import { PGlite } from '@electric-sql/pglite';
import { checkSchemaName, DEFAULT_CHAT_SCHEMA, type ChatDatabase, type SqlExecutor } from './chat-database.ts';

export interface PgliteChatDatabaseOptions {
  /** Default "chat". */
  readonly schema?: string;
  /** Directory for the data files; absent: in memory (lost when the process ends). */
  readonly dataDir?: string;
  /**
   * An instance to use instead of starting one (starting PGlite takes seconds): the caller keeps owning it, and
   * close() leaves it open. PGlite is one connection, so its search_path is this database's schema until another
   * database is made over the same instance — share one only between users that run one after the other (tests).
   */
  readonly pglite?: PGlite;
}

type Runner = Pick<PGlite, 'query' | 'exec'>;

function executor(runner: Runner): SqlExecutor {
  return {
    async query<T>(text: string, params?: readonly unknown[]) {
      const res = await runner.query<T>(text, params as unknown[] | undefined);
      return { rows: res.rows, rowCount: res.affectedRows ?? 0 };
    },
    async exec(sql) {
      await runner.exec(sql);
    },
  };
}

export async function createPgliteChatDatabase(options: PgliteChatDatabaseOptions = {}): Promise<ChatDatabase> {
  const schema = checkSchemaName(options.schema ?? DEFAULT_CHAT_SCHEMA);
  const given = options.pglite;
  const db = given ?? (options.dataDir === undefined ? await PGlite.create() : await PGlite.create({ dataDir: options.dataDir }));
  await db.exec(`set search_path to ${schema}`);
  return {
    kind: 'pglite',
    schema,
    ...executor(db),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx as unknown as Runner))),
    close: async () => {
      if (given === undefined) await db.close();
    },
  };
}
