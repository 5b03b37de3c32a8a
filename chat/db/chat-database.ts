// The chat's database seam: one small interface over the SQL the chat store (and chat/routing) runs, with two
// implementations that run the same SQL — PostgreSQL through a pg pool (production, integration tests) and PGlite,
// PostgreSQL compiled to WebAssembly, in process (the embedded demo, unit tests). Every table lives in one
// PostgreSQL schema (`chat` by default; tests use a random one), reached through the connection's search_path, so
// the SQL names tables without a schema. The schema itself is created by the migration runner (migrate.ts), which
// must run before the first query.

export interface SqlResult<T> {
  readonly rows: T[];
  /** Rows inserted, updated or deleted (0 for a select without rows). */
  readonly rowCount: number;
}

/** What a query runs on: the database itself, or one transaction. */
export interface SqlExecutor {
  /** One statement with `$1`-style parameters. */
  query<T>(text: string, params?: readonly unknown[]): Promise<SqlResult<T>>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface ChatDatabase extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** The PostgreSQL schema holding the chat's tables (first on the search_path). */
  readonly schema: string;
  /**
   * Runs `fn` in one transaction (READ COMMITTED): committed when it resolves, rolled back when it throws.
   * With PGlite transactions run one at a time (one connection); with pg each takes a pooled connection.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const DEFAULT_CHAT_SCHEMA = 'chat';
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name safe to put in SQL unquoted: lower-case letters, digits and underscores, at most 63 characters. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new TypeError(
      `chat database: schema must be lower-case letters, digits and underscores (at most 63, not starting with a digit), ` +
        `but got ${JSON.stringify(schema)}. Write e.g. "chat".`,
    );
  }
  return schema;
}
