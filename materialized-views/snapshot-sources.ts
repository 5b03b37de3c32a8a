// Snapshot sources for rebuildViews: a PostgreSQL snapshot of the shop's tables (one REPEATABLE READ transaction for
// every table, positioned at the WAL position read just before it began), and a full read of an API-only system
// through its poll-capture ChangeSource (positioned by each record's updatedAt, as the poll capture positions it).
import type pg from 'pg';
import type { ChangeEvent } from '../cdc/decode-change-event.ts';
import type { ChangeSource } from '../cdc/poll-capture/change-source.ts';
import type { SnapshotSource } from './rebuild-views.ts';

const PAGE = 1000;

/** "16/B374D848" → 0x16B374D848. */
export function parsePgLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text);
  if (!m) throw new TypeError(`not a PostgreSQL LSN: ${JSON.stringify(text)}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** pg answers timestamptz as Date and bigint as text; Debezium's JSON has ISO text and numbers. */
function debeziumLike(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}

export interface PgSnapshot {
  readonly lsn: bigint;
  readonly sources: SnapshotSource[];
  /** Ends the snapshot transaction and returns its connection. */
  close(): Promise<void>;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Opens one consistent snapshot of `tables` ({table: "shop.orders", key: ["id"]}). The position is the WAL position
 * read before the snapshot began: every commit before it is in the snapshot, and a change streamed at or after it
 * replaces the snapshot's row (snapshot reads sort before streamed changes at the same position).
 */
export async function openPgSnapshot(pool: pg.Pool, tables: ReadonlyArray<{ table: string; key: readonly string[] }>): Promise<PgSnapshot> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    const lsn = parsePgLsn(rows[0]!.lsn);
    await client.query('begin isolation level repeatable read read only');
    await client.query('select 1'); // takes the snapshot now
    const sources = tables.map(({ table, key }): SnapshotSource => {
      const [schema, name] = table.split('.') as [string, string];
      const from = `${ident(schema)}.${ident(name)}`;
      const keyList = key.map(ident).join(', ');
      return {
        table,
        async count() {
          const r = await client.query<{ n: string }>(`select count(*)::text as n from ${from}`);
          return Number(r.rows[0]!.n);
        },
        async *pages() {
          let last: unknown[] | null = null;
          for (;;) {
            const where = last === null ? '' : `where (${keyList}) > (${key.map((_, i) => `$${i + 1}`).join(', ')})`;
            const r = await client.query(`select * from ${from} ${where} order by ${keyList} limit ${PAGE}`, last ?? []);
            if (r.rows.length === 0) return;
            const page: ChangeEvent[] = r.rows.map((raw: Record<string, unknown>) => {
              const row = debeziumLike(raw);
              return {
                kind: 'change', op: 'read', schema, table: name, key: Object.fromEntries(key.map((k) => [k, row[k]])), before: null, after: row, unavailable: [],
                position: { commitLsn: lsn, lsn, txId: null, snapshot: true }, snapshot: 'true', sourceTsMs: null, eventTsMs: null, flattened: false,
              };
            });
            yield page;
            const tail = r.rows[r.rows.length - 1] as Record<string, unknown>;
            last = key.map((k) => tail[k]);
            if (r.rows.length < PAGE) return;
          }
        },
      };
    });
    return {
      lsn,
      sources,
      async close() {
        await client.query('rollback').catch(() => {});
        client.release();
      },
    };
  } catch (err) {
    client.release();
    throw err;
  }
}

/** Every record of an API-only system, read through its change source from the beginning. */
export function changeSourceSnapshot(source: ChangeSource, table: string, signal: AbortSignal = new AbortController().signal): SnapshotSource {
  const [schema, name] = table.split('.') as [string, string];
  return {
    table,
    count: async () => null,
    async *pages() {
      let position: string | null = null;
      for (;;) {
        const page = await source.fetchChanges(position, signal, PAGE);
        if (page.records.length > 0) {
          yield page.records.map((r): ChangeEvent => {
            const lsn = BigInt(r.updatedAtUs ?? r.updatedAtMs * 1000);
            return {
              kind: 'change', op: 'read', schema, table: name, key: { id: r.id }, before: null, after: r.record, unavailable: [],
              position: { commitLsn: null, lsn, txId: null, snapshot: true }, snapshot: 'true', sourceTsMs: r.updatedAtMs, eventTsMs: null, flattened: false,
            };
          });
        }
        if (!page.hasMore || page.next === position) return;
        position = page.next;
      }
    },
  };
}
