// The Shop on the stack's real PostgreSQL: seedShopDatabase loads the full demo data set in seconds, and the SOAP
// simulator serves it to the soap connector (reads and a refund that lands in PostgreSQL).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createLogger, systemClock } from '../../../common/index.ts';
import type { Connector } from '../../../connectors/connector.ts';
import { shopDemoDefinition } from '../../../connectors/soap/fixtures/demo-config.ts';
import { soapKind } from '../../../connectors/soap/index.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../../connectors/sql/fixtures/scratch-database.ts';
import { sqlKind } from '../../../connectors/sql/index.ts';
import { generateDemoData } from '../demo-data.ts';
import { createPgShopDatabase, type ShopDatabase } from './shop-database.ts';
import { seedShopDatabase, type SeedReport } from './shop-seed.ts';
import { startShop, type RunningShop } from './start-shop.ts';

const data = generateDemoData({ customers: 10_000 });
let scratch: ScratchDatabase;
let db: ShopDatabase;
let report: SeedReport;
let shop: RunningShop;
let soap: Connector;

beforeAll(async () => {
  scratch = await createScratchDatabase(inject('stackEnv').DATABASE_URL, 'unics_shop');
  db = createPgShopDatabase(scratch.url);
  report = await seedShopDatabase(db, data);
  shop = await startShop({ db, data, seed: false });
  soap = soapKind.create(soapKind.configSchema.parse(shopDemoDefinition(shop.wsdlUrl)), { log: createLogger({ level: 'silent' }), clock: systemClock });
});

afterAll(async () => {
  await soap?.close();
  await shop?.close();
  await db?.close();
  await scratch?.drop();
});

const ctx = () => ({ tenant: 'test', signal: AbortSignal.timeout(10_000) });

describe('Shop simulator on PostgreSQL', () => {
  it('seeds 10,000 customers in a few seconds', async () => {
    expect(report.orders).toBe(data.orders.length);
    expect(report.elapsedMs).toBeLessThan(10_000);
    const counts = await db.query<{ orders: string; items: string; payments: string }>(
      'select (select count(*) from shop.orders) as orders, (select count(*) from shop.order_items) as items, (select count(*) from shop.payments) as payments',
    );
    expect(counts.rows[0]).toEqual({ orders: String(data.orders.length), items: String(data.items.length), payments: String(data.payments.length) });
    // Seeding again replaces everything (drop and recreate schema shop).
    await seedShopDatabase(db, data);
    expect((await db.query<{ n: string }>('select count(*) as n from shop.orders')).rows[0]!.n).toBe(String(data.orders.length));
  });

  it('serves 500 customers per call to the soap connector, aligned by customer', async () => {
    const keys = data.contacts.slice(500, 1_000).map((c) => c.customerNo);
    shop.sim.resetStats();
    const result = await soap.load('ordersByCustomer', keys, ctx());
    expect(shop.sim.stats.byRoute['SOAP GetOrdersByCustomer']).toBe(1);
    for (const key of keys) {
      const r = result.get(key);
      const got = r?.status === 'ok' ? (r.value as Array<{ id: string }>).map((o) => o.id) : r?.status;
      expect(got, key).toEqual(data.orders.filter((o) => o.customerNo === key).map((o) => o.id).sort());
    }
  });

  it('the examples in the soap and sql connector READMEs hold on the demo data', async () => {
    const c1 = data.contacts[0]!;
    expect(c1.customerNo).toBe('K0008140');
    const viaSoap = await soap.load('ordersByCustomer', ['K0008140', 'K9999999'], ctx());
    const orders = (viaSoap.get('K0008140') as { value: Array<Record<string, unknown>> }).value;
    expect(orders.map((o) => o.id)).toEqual(['O0000001', 'O0000002', 'O0000003', 'O0000004', 'O0000005']);
    expect(orders[0]).toMatchObject({ id: 'O0000001', customerNo: 'K0008140', status: 'cancelled', totalCents: 20400, currency: 'USD', createdAt: '2026-05-02T04:37:33.079Z', updatedAt: '2026-09-02T02:29:18.774Z' });
    expect((orders[0]!.items as { item: unknown[] }).item[0]).toEqual({ lineNo: 1, sku: 'SKU-1002', name: 'Grinder, conical burr', quantity: 1, unitPriceCents: 8900 });
    expect(viaSoap.get('K9999999')).toEqual({ status: 'ok', value: [] });
    expect((await soap.load('order', ['O9999999'], ctx())).get('O9999999')).toEqual({ status: 'not_found' });

    // The sql README's YAML, run as written against the same database.
    const readme = readFileSync(new URL('../../../connectors/sql/README.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!.replace('${DATABASE_URL}', scratch.url);
    const { connectors: [definition] } = parseYaml(yaml) as { connectors: Array<Record<string, unknown>> };
    const { kind, timeout: _timeout, ...own } = definition!;
    expect(kind).toBe('sql');
    const sql = sqlKind.create(sqlKind.configSchema.parse(own), { log: createLogger({ level: 'silent' }), clock: systemClock });
    try {
      const viaSql = await sql.load('ordersByCustomer', ['K0008140', 'K9999999'], ctx());
      const rows = (viaSql.get('K0008140') as { value: Array<Record<string, unknown>> }).value;
      expect(rows).toHaveLength(5);
      expect(rows[0]).toEqual({ id: 'O0000003', customerNo: 'K0008140', status: 'delivered', totalCents: 111900, currency: 'EUR', updatedAt: '2026-10-07T08:13:28.950Z' });
      expect(viaSql.get('K9999999')).toEqual({ status: 'ok', value: [] });
      expect((await sql.load('paymentByOrder', ['O0000003', 'O0000001'], ctx())).get('O0000001')).toEqual({ status: 'not_found' });
      const set = await sql.call('setOrderStatus', { orderId: 'O0000002', status: 'delivered' }, ctx());
      expect(set).toMatchObject({ rowCount: 1, rows: [{ id: 'O0000002', status: 'delivered' }] });
    } finally {
      await sql.close();
    }
  });

  it('a refund through the soap connector is committed in PostgreSQL, order and payment together', async () => {
    const order = data.orders.find((o) => o.id > 'O0001000' && o.status === 'shipped' && data.payments.some((p) => p.orderId === o.id && p.status === 'captured'))!;
    await soap.call('refundOrder', { orderId: order.id, amountCents: order.totalCents, reason: 'customer request' }, ctx());
    const rows = await db.query<{ o: string; p: string }>('select o.status as o, p.status as p from shop.orders o join shop.payments p on p.order_id = o.id where o.id = $1', [order.id]);
    expect(rows.rows).toEqual([{ o: 'refunded', p: 'refunded' }]);
  });
});
