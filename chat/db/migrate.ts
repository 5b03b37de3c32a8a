// Migrations for the chat's schema, from several owners (the chat core's store, chat/routing): each owner keeps an
// ordered list of SQL scripts, usually `NNNN-name.sql` files in its own `migrations/` folder (loadMigrationFiles).
// runChatMigrations applies the ones not yet recorded, in the order given (owners in list order, each owner's
// scripts in name order), in ONE transaction that first takes an advisory lock on the schema's name: two instances
// starting at once apply each script exactly once (the second waits, then finds everything recorded). Applied
// scripts are recorded in `<schema>.schema_migrations` with a checksum; a recorded script whose text has changed
// stops the run with a message naming it (add a new script instead of editing an applied one).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChatDatabase } from './chat-database.ts';

export interface ChatMigration {
  /** Who owns the script: "chat", "routing". Together with `name` it identifies the script forever. */
  readonly owner: string;
  /** Sortable name, e.g. "0001-conversations". */
  readonly name: string;
  /** The script: several statements, no parameters, unqualified table names (the search_path is the chat schema). */
  readonly sql: string;
}

export interface MigrationReport {
  /** `owner/name` of the scripts this run applied, in order. */
  readonly applied: readonly string[];
  /** `owner/name` of the scripts already recorded. */
  readonly skipped: readonly string[];
}

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');
const idOf = (m: Pick<ChatMigration, 'owner' | 'name'>) => `${m.owner}/${m.name}`;

/** Reads every `*.sql` file of a folder (a file: URL, e.g. `new URL('./migrations/', import.meta.url)`), by name. */
export function loadMigrationFiles(folder: URL, owner: string): ChatMigration[] {
  const dir = fileURLToPath(folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => ({ owner, name: file.slice(0, -'.sql'.length), sql: readFileSync(`${dir}/${file}`, 'utf8') }));
}

function checkList(migrations: readonly ChatMigration[]): void {
  const seen = new Set<string>();
  const lastByOwner = new Map<string, string>();
  for (const m of migrations) {
    const id = idOf(m);
    if (seen.has(id)) throw new TypeError(`chat migrations: ${id} is listed twice`);
    seen.add(id);
    const last = lastByOwner.get(m.owner);
    if (last !== undefined && m.name <= last) {
      throw new TypeError(`chat migrations: ${id} comes after ${m.owner}/${last}, but its name sorts before it; list each owner's scripts in name order`);
    }
    lastByOwner.set(m.owner, m.name);
  }
}

export async function runChatMigrations(db: ChatDatabase, migrations: readonly ChatMigration[]): Promise<MigrationReport> {
  checkList(migrations);
  const schema = db.schema;
  return db.transaction(async (tx) => {
    // Transaction-scoped: released at commit or rollback, also when the process dies mid-run.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`unics-chat-migrations:${schema}`]);
    await tx.exec(
      `create schema if not exists ${schema};
       create table if not exists ${schema}.schema_migrations (
         owner text not null,
         name text not null,
         checksum text not null,
         applied_at timestamptz not null default now(),
         primary key (owner, name)
       );`,
    );
    const { rows } = await tx.query<{ owner: string; name: string; checksum: string }>(`select owner, name, checksum from ${schema}.schema_migrations`);
    const recorded = new Map(rows.map((r) => [idOf(r), r.checksum]));
    const applied: string[] = [];
    const skipped: string[] = [];
    for (const m of migrations) {
      const id = idOf(m);
      const sum = checksum(m.sql);
      const before = recorded.get(id);
      if (before !== undefined) {
        if (before !== sum) {
          throw new Error(`chat migrations: ${id} was applied to schema "${schema}" with other text (checksum ${before.slice(0, 12)}…, now ${sum.slice(0, 12)}…). Applied scripts must not change; add a new script instead.`);
        }
        skipped.push(id);
        continue;
      }
      await tx.exec(m.sql);
      await tx.query(`insert into ${schema}.schema_migrations (owner, name, checksum) values ($1, $2, $3)`, [m.owner, m.name, sum]);
      applied.push(id);
    }
    return { applied, skipped };
  });
}
