// Loads the demo data into the Shop's database: recreates schema "shop" and bulk-inserts orders, items and
// payments with one `unnest` insert per chunk of rows (a few statements instead of one per row), so 10,000
// customers (~25k orders) seed in seconds on PostgreSQL and well under a minute on PGlite.
import { readFileSync } from 'node:fs';
import type { DemoData } from '../demo-data.ts';
import type { ShopDatabase } from './shop-database.ts';

const SCHEMA_SQL = readFileSync(new URL('./shop-schema.sql', import.meta.url), 'utf8');

/** Rows per insert statement. */
const CHUNK_ROWS = 5_000;

export interface SeedOptions {
  /** Called with a short line per step ("orders: 25012 rows"). */
  readonly progress?: (message: string) => void;
}

export interface SeedReport {
  readonly orders: number;
  readonly items: number;
  readonly payments: number;
  readonly elapsedMs: number;
}

/** The schema script, for tools that create it themselves. */
export function shopSchemaSql(): string {
  return SCHEMA_SQL;
}

interface Table<R> {
  readonly name: string;
  readonly rows: readonly R[];
  readonly insert: string;
  readonly columns: ReadonlyArray<(row: R) => unknown>;
}

async function insertChunks<R>(db: ShopDatabase, table: Table<R>): Promise<void> {
  for (let start = 0; start < table.rows.length; start += CHUNK_ROWS) {
    const chunk = table.rows.slice(start, start + CHUNK_ROWS);
    await db.query(table.insert, table.columns.map((col) => chunk.map(col)));
  }
}

/** Drops and recreates schema "shop", then inserts the demo orders, items and payments. Idempotent. */
export async function seedShopDatabase(db: ShopDatabase, data: DemoData, opts: SeedOptions = {}): Promise<SeedReport> {
  const t0 = performance.now();
  const progress = opts.progress ?? (() => {});
  await db.exec(`drop schema if exists shop cascade;\n${SCHEMA_SQL}`);
  progress('schema shop created');

  const tables = [
    {
      name: 'orders',
      rows: data.orders,
      insert: `insert into shop.orders (id, customer_no, status, total_cents, currency, created_at, updated_at)
               select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[], $7::timestamptz[])`,
      columns: [(o) => o.id, (o) => o.customerNo, (o) => o.status, (o) => o.totalCents, (o) => o.currency, (o) => o.createdAt, (o) => o.updatedAt],
    } satisfies Table<DemoData['orders'][number]>,
    {
      name: 'order_items',
      rows: data.items,
      insert: `insert into shop.order_items (order_id, line_no, sku, name, quantity, unit_price_cents)
               select * from unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[], $6::bigint[])`,
      columns: [(i) => i.orderId, (i) => i.lineNo, (i) => i.sku, (i) => i.name, (i) => i.quantity, (i) => i.unitPriceCents],
    } satisfies Table<DemoData['items'][number]>,
    {
      name: 'payments',
      rows: data.payments,
      insert: `insert into shop.payments (id, order_id, method, status, amount_cents, paid_at, updated_at)
               select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::timestamptz[])`,
      columns: [(p) => p.id, (p) => p.orderId, (p) => p.method, (p) => p.status, (p) => p.amountCents, (p) => p.paidAt, (p) => p.updatedAt],
    } satisfies Table<DemoData['payments'][number]>,
  ];
  for (const table of tables) {
    await insertChunks(db, table as Table<unknown>);
    progress(`${table.name}: ${table.rows.length} rows`);
  }
  return { orders: data.orders.length, items: data.items.length, payments: data.payments.length, elapsedMs: Math.round(performance.now() - t0) };
}
