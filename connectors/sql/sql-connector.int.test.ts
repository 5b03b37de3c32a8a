// The sql adapter against the stack's real PostgreSQL, in a scratch database seeded with the Shop's demo data.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, systemClock } from '../../common/index.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createPgShopDatabase, type ShopDatabase } from '../../examples/legacy/shop/shop-database.ts';
import { seedShopDatabase } from '../../examples/legacy/shop/shop-seed.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { Connector, KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { runConnectorContract } from '../testkit/index.ts';
import { createScratchDatabase, type ScratchDatabase } from './fixtures/scratch-database.ts';
import { sqlKind } from './index.ts';

const data = generateDemoData({ customers: 300 });
let scratch: ScratchDatabase;
let shopDb: ShopDatabase;
let probe: pg.Client;
const connectors: Connector[] = [];

const ENTITIES = {
  ordersByCustomer: {
    // Newest first: not the order of the requested keys, nor of their orders' ids.
    query: 'select id, customer_no, status, total_cents, currency, updated_at from shop.orders where customer_no = any($1) order by updated_at desc',
    keyColumn: 'customer_no',
    many: true,
    maxBatchSize: 100,
  },
  order: {
    query: `select o.id, o.status, o.total_cents as "totalCents", p.status as "paymentStatus"
            from shop.orders o left join shop.payments p on p.order_id = o.id where o.id = any($1)`,
    keyColumn: 'id',
  },
  slow: { query: 'select k, pg_sleep(30) as slept from unnest($1::text[]) as k', keyColumn: 'k' },
  undefinedColumn: { query: 'select id, nope from shop.orders where id = any($1)', keyColumn: 'id' },
  syntax: { query: 'selec id from shop.orders where id = any($1)', keyColumn: 'id' },
  wrongKeyColumn: { query: 'select id from shop.orders where id = any($1)', keyColumn: 'order_id' },
  contract: { query: 'select id, v from contract_items where id = any($1)', keyColumn: 'id' },
};
const COMMANDS = {
  refundOrder: {
    query: `with o as (update shop.orders set status = 'refunded', updated_at = now() where id = $1 and status <> 'refunded' returning id)
            update shop.payments p set status = 'refunded', updated_at = now() from o where p.order_id = o.id returning p.order_id, p.status`,
    params: ['orderId'],
  },
};

function connect(name: string, extra: Record<string, unknown> = {}): Connector {
  const config = sqlKind.configSchema.parse({ name, databaseUrl: scratch.url, entities: ENTITIES, commands: COMMANDS, ...extra });
  const c = sqlKind.create(config, { log: createLogger({ level: 'silent' }), clock: systemClock });
  connectors.push(c);
  return c;
}
const ctx = () => ({ tenant: 'test', signal: AbortSignal.timeout(10_000) });
const active = async (application: string) =>
  Number((await probe.query<{ n: string }>("select count(*) as n from pg_stat_activity where datname = $1 and application_name = $2 and state = 'active'", [scratch.name, application])).rows[0]!.n);

beforeAll(async () => {
  scratch = await createScratchDatabase(inject('stackEnv').DATABASE_URL, 'unics_sql');
  shopDb = createPgShopDatabase(scratch.url);
  await seedShopDatabase(shopDb, data);
  await shopDb.exec("create table contract_items (id text primary key, v text); insert into contract_items values ('A', 'alpha'), ('B', 'beta');");
  probe = new pg.Client({ connectionString: scratch.url });
  await probe.connect();
});

afterAll(async () => {
  for (const c of connectors) await c.close();
  await probe?.end();
  await shopDb?.close();
  await scratch?.drop();
});

let locker: pg.Client | undefined;
runConnectorContract('sql (PostgreSQL)', async () => ({
  connector: connect('contract'),
  entity: 'contract',
  existingKeys: ['A', 'B'],
  missingKeys: ['Z'],
  async setUpstream(mode) {
    if (locker) {
      await locker.query('rollback');
      await locker.end();
      locker = undefined;
    }
    await shopDb.exec('alter table if exists contract_items_gone rename to contract_items');
    if (mode === 'failing') await shopDb.exec('alter table contract_items rename to contract_items_gone');
    if (mode === 'hanging') {
      locker = new pg.Client({ connectionString: scratch.url });
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table contract_items in access exclusive mode');
    }
  },
  openUpstreamRequests: () => active('unics:contract'),
  close: async () => {},
}));

describe('sql connector on PostgreSQL', () => {
  it('loads a batch in one query and matches rows to keys by the key column, not by position', async () => {
    const c = connect('shopdb');
    const customers = data.contacts.slice(0, 60).map((x) => x.customerNo).reverse();
    const keys = [...customers, 'K9999999'];
    const result = await c.load('ordersByCustomer', keys, ctx());
    expect(result.size).toBe(keys.length);
    for (const key of keys) {
      const r = result.get(key) as KeyResult & { value: Array<{ id: string }> };
      expect(r.status).toBe('ok');
      expect(r.value.map((o) => o.id).sort(), key).toEqual(data.orders.filter((o) => o.customerNo === key).map((o) => o.id).sort());
    }
    const someone = data.orders[0]!;
    const row = (result.get(someone.customerNo) as { value: Array<Record<string, unknown>> }).value.find((o) => o.id === someone.id);
    // bigint arrives as a number and timestamptz as ISO UTC, like the other adapters' values.
    expect(row).toEqual({ id: someone.id, customer_no: someone.customerNo, status: someone.status, total_cents: someone.totalCents, currency: someone.currency, updated_at: someone.updatedAt });
  });

  it('runs larger batches as several queries and still answers every key; unknown keys of a single entity are not_found', async () => {
    const c = connect('shopdb');
    const keys = data.contacts.map((x) => x.customerNo);
    const result = await c.load('ordersByCustomer', keys, ctx());
    const rows = [...result.values()].flatMap((r) => (r.status === 'ok' ? (r.value as unknown[]) : []));
    expect(rows).toHaveLength(data.orders.length);
    const one = await c.load('order', ['O9999999', data.orders[5]!.id], ctx());
    expect(one.get('O9999999')).toEqual({ status: 'not_found' });
    expect(one.get(data.orders[5]!.id)).toMatchObject({ status: 'ok', value: { id: data.orders[5]!.id, totalCents: data.orders[5]!.totalCents } });
  });

  it('cancels a running statement on the server when the caller aborts', async () => {
    const c = connect('sleepy');
    const controller = new AbortController();
    const reason = connErr.CONN_ERR_TIMEOUT('connector "sleepy": no answer in time');
    const pending = c.load('slow', ['a'], { tenant: 'test', signal: controller.signal });
    await waitFor(async () => ((await active('unics:sleepy')) === 1 ? true : undefined), { timeoutMs: 5_000, what: 'pg_sleep(30) to run' });
    const abortedAt = Date.now();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(200);
    await waitFor(async () => ((await active('unics:sleepy')) === 0 ? true : undefined), { timeoutMs: 1_000, intervalMs: 20, what: 'pg_stat_activity to stop showing the cancelled statement' });
    // The pool is still usable afterwards.
    await c.check(AbortSignal.timeout(5_000));
  });

  it('SQL errors are CONN_ERR_REJECTED with the SQLSTATE; a key column missing from the result is a config error', async () => {
    const c = connect('shopdb');
    const undefinedColumn = await c.load('undefinedColumn', ['O0000001'], ctx()).catch((e: unknown) => e);
    expect(undefinedColumn).toMatchObject({ code: 'CONN_ERR_REJECTED', retriable: false, details: { sqlstate: '42703' } });
    expect((undefinedColumn as Error).message).toBe('connector "shopdb": entity "undefinedColumn" failed: column "nope" does not exist (SQLSTATE 42703)');
    await expect(c.load('syntax', ['O0000001'], ctx())).rejects.toMatchObject({ code: 'CONN_ERR_REJECTED', details: { sqlstate: '42601' } });
    await expect(c.load('wrongKeyColumn', ['O0000001'], ctx())).rejects.toMatchObject({ code: 'CONN_ERR_CONFIG' });
    // The connections that saw errors went back to the pool in a usable state.
    expect((await c.load('order', ['O0000001'], ctx())).get('O0000001')?.status).toBe('ok');
  });

  it('a database that does not exist is CONN_ERR_UNAVAILABLE', async () => {
    const url = new URL(scratch.url);
    url.pathname = '/no_such_database_here';
    const c = connect('missing', { databaseUrl: url.toString() });
    await expect(c.check(AbortSignal.timeout(5_000))).rejects.toMatchObject({ code: 'CONN_ERR_UNAVAILABLE', details: { sqlstate: '3D000' } });
  });

  it('a command changes the data and reports the rows it touched; missing input is refused', async () => {
    const c = connect('shopdb');
    const order = data.orders.find((o) => o.status === 'delivered' && data.payments.some((p) => p.orderId === o.id))!;
    const first = await c.call('refundOrder', { orderId: order.id }, ctx());
    expect(first).toEqual({ rowCount: 1, rows: [{ order_id: order.id, status: 'refunded' }] });
    const stored = await probe.query('select status from shop.orders where id = $1', [order.id]);
    expect(stored.rows).toEqual([{ status: 'refunded' }]);
    expect(await c.call('refundOrder', { orderId: order.id }, ctx())).toEqual({ rowCount: 0, rows: [] });
    await expect(c.call('refundOrder', { id: order.id }, ctx())).rejects.toMatchObject({ code: 'CONN_ERR_REJECTED', details: { missing: ['orderId'] } });
  });
});
