// The Shop's change capture for the embedded demo, where no Debezium runs: triggers on the shop tables record every
// row change (before and after images, in commit order) in an outbox table, and a reader turns them into
// Debezium-format envelopes for topics `<prefix>.shop.<table>` — the same shape Debezium's PostgreSQL connector
// writes (before/after/op/source with an increasing lsn, snapshot reads first), so the view pipeline reads the
// demo exactly like production. Works on PGlite and PostgreSQL (the same SQL); PGlite runs one connection, so the
// outbox's ids are in commit order there. On PostgreSQL use Debezium instead: concurrent transactions may commit
// out of id order.
import type { ShopDatabase } from './shop-database.ts';

/** The shop tables and their key columns, as Debezium keys their messages. */
export const SHOP_CAPTURED_TABLES = { orders: ['id'], order_items: ['order_id', 'line_no'], payments: ['id'] } as const;
type ShopTable = keyof typeof SHOP_CAPTURED_TABLES;

const CAPTURE_SQL = `
create schema if not exists shop_capture;
create table if not exists shop_capture.changes (
  id     bigserial primary key,
  tbl    text not null,
  op     char(1) not null,
  before jsonb,
  after  jsonb,
  at     timestamptz not null default clock_timestamp()
);
create or replace function shop_capture.record() returns trigger language plpgsql as $$
begin
  insert into shop_capture.changes (tbl, op, before, after) values (
    tg_table_name,
    case tg_op when 'INSERT' then 'c' when 'UPDATE' then 'u' else 'd' end,
    case when tg_op <> 'INSERT' then to_jsonb(old) end,
    case when tg_op <> 'DELETE' then to_jsonb(new) end);
  return null;
end $$;
${Object.keys(SHOP_CAPTURED_TABLES)
  .map((t) => `drop trigger if exists capture_changes on shop.${t};
create trigger capture_changes after insert or update or delete on shop.${t} for each row execute function shop_capture.record();`)
  .join('\n')}
`;

export interface CapturedMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
}

export interface ShopChangeCapture {
  /**
   * Every row as a snapshot read (op "r"), at the outbox's current position: changes recorded after it follow in
   * `next`. Call once when starting; `next` then continues after that position.
   */
  snapshot(nowMs: number): Promise<CapturedMessage[]>;
  /** The changes recorded since the last call (at most `limit`), as envelopes; removes them from the outbox. */
  next(nowMs: number, limit?: number): Promise<CapturedMessage[]>;
  /** Debezium's heartbeat for this source (`__debezium-heartbeat.<prefix>`). */
  heartbeat(nowMs: number): CapturedMessage;
}

/** Installs the triggers and the outbox (idempotent) and returns the reader. */
export async function installShopChangeCapture(db: ShopDatabase, opts: { topicPrefix?: string } = {}): Promise<ShopChangeCapture> {
  const prefix = opts.topicPrefix ?? 'unics';
  await db.exec(CAPTURE_SQL);
  let position = 0; // the outbox id read up to

  const envelope = (table: ShopTable, op: string, before: unknown, after: unknown, lsn: number, tsMs: number, nowMs: number, snapshot: string): CapturedMessage => {
    const row = (after ?? before) as Record<string, unknown>;
    const key = Object.fromEntries(SHOP_CAPTURED_TABLES[table].map((k) => [k, row[k]]));
    const source = { version: 'unics-sim/1', connector: 'postgresql', name: prefix, ts_ms: tsMs, snapshot, db: 'shop', schema: 'shop', table, lsn };
    return { topic: `${prefix}.shop.${table}`, key: JSON.stringify(key), value: JSON.stringify({ before, after, op, source, ts_ms: nowMs }) };
  };

  return {
    async snapshot(nowMs) {
      return db.transaction(async (tx) => {
        const { rows: [last] } = await tx.query<{ id: string | null }>('select max(id)::text as id from shop_capture.changes');
        position = Number(last?.id ?? 0);
        const out: CapturedMessage[] = [];
        for (const table of Object.keys(SHOP_CAPTURED_TABLES) as ShopTable[]) {
          const { rows } = await tx.query<{ row: Record<string, unknown> }>(`select to_jsonb(t) as row from shop.${table} t order by ${SHOP_CAPTURED_TABLES[table].join(', ')}`);
          for (const { row } of rows) out.push(envelope(table, 'r', null, row, position, nowMs, nowMs, 'true'));
        }
        return out;
      });
    },
    async next(nowMs, limit = 1000) {
      const { rows } = await db.query<{ id: string; tbl: ShopTable; op: string; before: unknown; after: unknown; at: Date | string }>(
        'select id::text as id, tbl, op, before, after, at from shop_capture.changes where id > $1 order by id limit $2',
        [position, limit],
      );
      if (rows.length === 0) return [];
      position = Number(rows[rows.length - 1]!.id);
      await db.query('delete from shop_capture.changes where id <= $1', [position]);
      return rows.map((r) => envelope(r.tbl, r.op, r.before, r.after, Number(r.id), new Date(r.at).getTime(), nowMs, 'false'));
    },
    heartbeat(nowMs) {
      return { topic: `__debezium-heartbeat.${prefix}`, key: JSON.stringify({ serverName: prefix }), value: JSON.stringify({ ts_ms: nowMs }) };
    },
  };
}
