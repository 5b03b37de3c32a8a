import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../demo-data.ts';
import { createPgliteShopDatabase, type ShopDatabase } from './shop-database.ts';
import { seedShopDatabase } from './shop-seed.ts';

let db: ShopDatabase;
beforeAll(async () => {
  db = await createPgliteShopDatabase();
}, 60_000);
afterAll(async () => db?.close());

const count = async (table: string) => Number((await db.query<{ n: unknown }>(`select count(*) as n from shop.${table}`)).rows[0]!.n);

describe('seedShopDatabase on PGlite', () => {
  it('seeds 10,000 customers well under a minute, with every row and the CDC settings', async () => {
    const data = generateDemoData({ customers: 10_000 });
    const steps: string[] = [];
    const report = await seedShopDatabase(db, data, { progress: (m) => steps.push(m) });
    expect(report.elapsedMs).toBeLessThan(30_000);
    expect(report).toMatchObject({ orders: data.orders.length, items: data.items.length, payments: data.payments.length });
    expect(data.orders.length).toBeGreaterThan(15_000);
    expect([await count('orders'), await count('order_items'), await count('payments')]).toEqual([data.orders.length, data.items.length, data.payments.length]);
    expect(steps).toEqual(['schema shop created', `orders: ${data.orders.length} rows`, `order_items: ${data.items.length} rows`, `payments: ${data.payments.length} rows`]);
    // Debezium's before-images need every column: replica identity full ('f') on each table.
    const identity = await db.query<{ relname: string; relreplident: string }>(
      "select relname, relreplident from pg_class where relnamespace = 'shop'::regnamespace and relkind = 'r' order by relname",
    );
    expect(identity.rows).toEqual([
      { relname: 'order_items', relreplident: 'f' },
      { relname: 'orders', relreplident: 'f' },
      { relname: 'payments', relreplident: 'f' },
    ]);
    const sample = data.orders[123]!;
    const row = (await db.query<Record<string, unknown>>('select * from shop.orders where id = $1', [sample.id])).rows[0]!;
    expect(row).toMatchObject({ customer_no: sample.customerNo, status: sample.status, currency: sample.currency });
    expect(Number(row.total_cents)).toBe(sample.totalCents);
    expect((row.updated_at as Date).toISOString()).toBe(sample.updatedAt);
  }, 60_000);

  it('is idempotent: seeding again replaces the data instead of adding to it', async () => {
    const small = generateDemoData({ customers: 100, seed: 7 });
    await db.query("update shop.orders set status = 'tampered' where id = 'O0000001'");
    await seedShopDatabase(db, small);
    await seedShopDatabase(db, small);
    expect(await count('orders')).toBe(small.orders.length);
    expect((await db.query<{ status: string }>("select status from shop.orders where id = 'O0000001'")).rows[0]!.status).toBe(small.orders[0]!.status);
  }, 30_000);
});
