// The read path with materialized views, over real HTTP: the four simulators on loopback, the demo connectors, and an
// in-memory CustomerViews whose views are snapshots of what those connectors answer. Whether a part came from the
// view or live is seen at the simulators' request counters, in Customer.freshness and in the explain report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../common/index.ts';
import type { Connector } from '../connectors/connector.ts';
import { startTestGateway } from '../gateway/test-support/start-test-gateway.ts';
import { createSchemaModule, type UnicsSchemaModule } from './create-schema-module.ts';
import { defaultSourceMap } from './default-source-map.ts';
import { startDemoSources, type DemoSources } from './fixtures/demo-sources.ts';
import { createFakeCustomerViews, snapshotView, type FakeCustomerViews } from './fixtures/fake-customer-views.ts';
import { agent, errorsOf, runOperation } from './fixtures/run-operation.ts';
import { createMemoryChangeFeed } from './memory-change-feed.ts';
import type { CustomerView } from './schema-module.ts';

let demo: DemoSources;
let views: FakeCustomerViews;
let module: UnicsSchemaModule;
const warnings: Array<Record<string, unknown>> = [];
const data = () => demo.systems.data;
const counts = () => demo.systems.requestCounts();

/** Customers with orders and tickets, one (or a few) per test so views put by one test never meet another's. */
let rich: string[] = [];
let next = 0;
const customerId = () => rich[next++] as string;

type Lags = Partial<Record<'crm' | 'shop' | 'helpdesk', number>>;
/** Puts a snapshot of the customer (as the connectors answer now) as its view, with these lags; resets the counters. */
async function putView(id: string, lags: Lags, edit: (view: CustomerView) => CustomerView = (v) => v, tenant = 'demo'): Promise<CustomerView> {
  const now = Date.now();
  const freshness = Object.fromEntries(Object.entries(lags).map(([source, lagMs]) => [source, { asOfMs: now - lagMs, lagMs }]));
  const view = edit(await snapshotView(demo.loaded.connectors, defaultSourceMap, id, freshness));
  views.put(tenant, view);
  demo.systems.resetStats();
  return view;
}
const marked = (view: CustomerView): CustomerView => ({ ...view, contact: { ...view.contact, firstName: 'FromView' } });
const iso = (view: CustomerView, source: string) => new Date(view.freshness[source]!.asOfMs).toISOString();

const customerQuery = (id: string, directives = { operation: '', customer: '', profile: '', orders: '', tickets: '' }) => `query Q ${directives.operation} {
  customer(id: "${id}") ${directives.customer} {
    profile ${directives.profile} { firstName customerNo }
    orders(first: 100) ${directives.orders} { id status shipment { status } }
    tickets ${directives.tickets} { id status }
    freshness { source mode asOf lagMs }
  }
}`;
const at = (d: Partial<Parameters<typeof customerQuery>[1]>) => ({ operation: '', customer: '', profile: '', orders: '', tickets: '', ...d });
type Answer = {
  customer: {
    profile: { firstName: string; customerNo: string } | null;
    orders: Array<{ id: string; status: string; shipment: unknown }> | null;
    tickets: Array<{ id: string }> | null;
    freshness: Array<{ source: string; mode: string; asOf: string | null; lagMs: number | null }>;
  } | null;
};
const modes = (answer: Record<string, unknown>) => Object.fromEntries((answer as Answer).customer!.freshness.map((f) => [f.source, f.mode]));

const liveOrders = (id: string) => {
  const contact = data().contacts.find((c) => c.id === id)!;
  return data().orders.filter((o) => o.customerNo === contact.customerNo).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((o) => o.id);
};

beforeAll(async () => {
  // No CRM cache, so every live contact read reaches the simulator and is counted.
  demo = await startDemoSources({ customers: 200, overrides: { crm: { cacheTtl: undefined } } });
  views = createFakeCustomerViews();
  const log = createLogger({ level: 'warn', destination: { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) } });
  module = createSchemaModule({ connectors: demo.loaded.connectors, sources: defaultSourceMap, changeFeed: createMemoryChangeFeed(), clock: systemClock, log, views });
  const ctx = { tenant: 'warm-up', signal: AbortSignal.timeout(15_000) };
  await (demo.loaded.connectors.get('crm') as Connector).load('contact', ['C000200'], ctx);
  await (demo.loaded.connectors.get('shop') as Connector).load('ordersByCustomer', ['K9999999'], ctx);
  const d = demo.systems.data;
  rich = d.contacts
    .filter((c) => c.helpdeskUserId && d.orders.some((o) => o.customerNo === c.customerNo) && d.tickets.some((t) => t.userId === c.helpdeskUserId))
    .map((c) => c.id)
    .filter((id) => id < 'C000100'); // C000101.. are the list tests'
}, 90_000);

afterAll(async () => {
  await demo?.close();
});

describe('view first', () => {
  it('a fresh view answers profile, orders and tickets without asking the CRM, shop or helpdesk; shipments stay live', async () => {
    const id = customerId();
    const view = await putView(id, { crm: 40, shop: 120, helpdesk: 250 }, marked);
    const before = views.reads.length;
    const { result, data: answer, explain } = await runOperation(module, customerQuery(id), { explain: true });
    expect(result.errors).toBeUndefined();
    const customer = (answer as Answer).customer!;
    expect(customer.profile?.firstName).toBe('FromView');
    expect(customer.orders?.map((o) => o.id)).toEqual(liveOrders(id));
    expect(customer.orders?.some((o) => o.shipment !== null)).toBe(true);
    expect(customer.tickets?.map((t) => t.id).sort()).toEqual((view.tickets as Array<{ id: string }>).map((t) => t.id).sort());
    expect(counts()).toEqual({ crm: 0, shop: 0, helpdesk: 0, wms: 1 });

    expect(customer.freshness).toEqual([
      { source: 'crm', mode: 'VIEW', asOf: iso(view, 'crm'), lagMs: 40 },
      { source: 'helpdesk', mode: 'VIEW', asOf: iso(view, 'helpdesk'), lagMs: 250 },
      { source: 'shop', mode: 'VIEW', asOf: iso(view, 'shop'), lagMs: 120 },
      { source: 'wms', mode: 'LIVE', asOf: expect.any(String), lagMs: 0 },
    ]);
    expect(views.reads.slice(before)).toEqual([{ tenant: 'demo', ids: [id] }]);
    expect(explain?.views).toMatchObject({ reads: 1, batchSizes: [1], found: 1, failures: 0 });
    for (const source of ['crm', 'shop', 'helpdesk']) expect(explain?.sources[source]).toMatchObject({ mode: 'view', viewReads: 1, calls: 0, operations: [] });
    expect(explain?.sources.wms).toMatchObject({ mode: 'live', viewReads: 0, calls: 1 });
  });

  it('a stale shop part (and a helpdesk part the view does not know) is read live; profile still comes from the view', async () => {
    const id = customerId();
    const view = await putView(id, { crm: 10, shop: 301 }, marked); // the default budget is 300 ms
    const { result, data: answer, explain } = await runOperation(module, customerQuery(id), { explain: true });
    expect(result.errors).toBeUndefined();
    const customer = (answer as Answer).customer!;
    expect(customer.profile?.firstName).toBe('FromView');
    expect(customer.orders?.map((o) => o.id)).toEqual(liveOrders(id));
    expect(counts()).toMatchObject({ crm: 0, shop: 1, helpdesk: 1 });
    expect(customer.freshness.map((f) => [f.source, f.mode, f.lagMs])).toEqual([['crm', 'VIEW', 10], ['helpdesk', 'LIVE', 0], ['shop', 'LIVE', 0], ['wms', 'LIVE', 0]]);
    expect(customer.freshness[0]?.asOf).toBe(iso(view, 'crm'));
    expect(explain?.sources.shop).toMatchObject({ mode: 'live', viewReads: 0, calls: 1 });
  });

  it('a customer without a view is read live, in the same store read as the others', async () => {
    const [withView, without] = [customerId(), customerId()];
    await putView(withView, { crm: 0, shop: 0, helpdesk: 0 });
    const before = views.reads.length;
    const { result, data: answer, explain } = await runOperation(module, `{ customers(ids: ["${withView}", "${without}"]) { id profile { firstName } orders { id } freshness { source mode } } }`, { explain: true });
    expect(result.errors).toBeUndefined();
    const [a, b] = answer.customers as Array<{ freshness: Array<{ source: string; mode: string }> }>;
    expect(a?.freshness).toEqual([{ source: 'crm', mode: 'VIEW' }, { source: 'shop', mode: 'VIEW' }]);
    expect(b?.freshness).toEqual([{ source: 'crm', mode: 'LIVE' }, { source: 'shop', mode: 'LIVE' }]);
    expect(views.reads.slice(before)).toEqual([{ tenant: 'demo', ids: [withView, without] }]);
    expect(explain?.views).toMatchObject({ reads: 1, batchSizes: [2], found: 1 });
    expect(explain?.sources.crm).toMatchObject({ mode: 'mixed', viewReads: 1, calls: 1, batchSizes: [1] });
    expect(counts()).toMatchObject({ crm: 1, shop: 1 });
  });

  it('a view store that fails: everything is read live, the client sees no error, and the log says so once', async () => {
    const id = customerId();
    await putView(id, { crm: 0, shop: 0, helpdesk: 0 }, marked);
    views.failWith = new Error('connection refused 127.0.0.1:6379');
    const warned = warnings.length;
    try {
      const first = await runOperation(module, customerQuery(id), { explain: true });
      const second = await runOperation(module, customerQuery(id));
      for (const run of [first, second]) {
        expect(run.result.errors).toBeUndefined();
        expect((run.data as Answer).customer!.profile?.firstName).toBe(data().contacts.find((c) => c.id === id)!.firstName);
        expect(modes(run.data)).toEqual({ crm: 'LIVE', shop: 'LIVE', helpdesk: 'LIVE', wms: 'LIVE' });
      }
      expect(counts()).toEqual({ crm: 2, shop: 2, helpdesk: 2, wms: 2 });
      expect(first.explain?.views).toMatchObject({ reads: 1, found: 0, failures: 1 });
      const lines = warnings.slice(warned);
      expect(lines).toHaveLength(1); // at most one warning per 10 s, however many requests fail
      expect(lines[0]?.msg).toMatch(/^schema: the materialized view store could not be read \(1 failed read\(s\) since the last warning\); those customers are read live/);
    } finally {
      views.failWith = undefined;
    }
  });

  it('reads the views of the principal\'s tenant only', async () => {
    const id = customerId();
    await putView(id, { crm: 0, shop: 0, helpdesk: 0 }, marked);
    const before = views.reads.length;
    const { data: answer } = await runOperation(module, customerQuery(id), { principal: { ...agent, tenant: 'acme' } });
    expect((answer as Answer).customer!.profile?.firstName).not.toBe('FromView');
    expect(views.reads.slice(before)).toEqual([{ tenant: 'acme', ids: [id] }]);
    expect(counts()).toMatchObject({ crm: 1, shop: 1, helpdesk: 1 });
  });
});

describe('@freshness budgets', () => {
  it('a part field\'s directive beats the customer field\'s, which beats the operation\'s, which beats the default', async () => {
    const id = customerId();
    await putView(id, { crm: 100, shop: 500, helpdesk: 2000 });
    const run = async (d: Parameters<typeof at>[0]) => {
      demo.systems.resetStats();
      const { result, data: answer } = await runOperation(module, customerQuery(id, at(d)));
      expect(result.errors).toBeUndefined();
      return { modes: modes(answer), counts: counts() };
    };
    expect((await run({})).modes).toEqual({ crm: 'VIEW', shop: 'LIVE', helpdesk: 'LIVE', wms: 'LIVE' });
    expect((await run({ operation: '@freshness(maxLagMs: 1000)' })).modes).toEqual({ crm: 'VIEW', shop: 'VIEW', helpdesk: 'LIVE', wms: 'LIVE' });
    const fields = await run({ operation: '@freshness(maxLagMs: 1000)', orders: '@freshness(maxLagMs: 50)', tickets: '@freshness(maxLagMs: 5000)' });
    expect(fields.modes).toEqual({ crm: 'VIEW', shop: 'LIVE', helpdesk: 'VIEW', wms: 'LIVE' });
    expect(fields.counts).toMatchObject({ crm: 0, shop: 1, helpdesk: 0 });
    const customerField = await run({ operation: '@freshness(maxLagMs: 0)', customer: '@freshness(maxLagMs: 5000)' });
    expect(customerField.modes).toEqual({ crm: 'VIEW', shop: 'VIEW', helpdesk: 'VIEW', wms: 'LIVE' });
    expect(customerField.counts).toEqual({ crm: 0, shop: 0, helpdesk: 0, wms: 1 });
  });

  it('maxLagMs: 0 always reads live, even a view with no lag, and does not read the store', async () => {
    const id = customerId();
    await putView(id, { crm: 0, shop: 0, helpdesk: 0 }, marked);
    const before = views.reads.length;
    const { result, data: answer } = await runOperation(module, customerQuery(id, at({ operation: '@freshness(maxLagMs: 0)' })));
    expect(result.errors).toBeUndefined();
    expect((answer as Answer).customer!.profile?.firstName).not.toBe('FromView');
    expect(modes(answer)).toEqual({ crm: 'LIVE', shop: 'LIVE', helpdesk: 'LIVE', wms: 'LIVE' });
    expect(counts()).toEqual({ crm: 1, shop: 1, helpdesk: 1, wms: 1 });
    expect(views.reads.length).toBe(before);
  });

  it('a profile that must be live is read live; the CRM entry stays VIEW because the customer was found through its view', async () => {
    const id = customerId();
    await putView(id, { crm: 100, shop: 0, helpdesk: 0 }, marked);
    const { result, data: answer } = await runOperation(module, customerQuery(id, at({ profile: '@freshness(maxLagMs: 0)' })));
    expect(result.errors).toBeUndefined();
    expect((answer as Answer).customer!.profile?.firstName).toBe(data().contacts.find((c) => c.id === id)!.firstName);
    expect(counts()).toMatchObject({ crm: 1, shop: 0, helpdesk: 0 });
    expect(modes(answer)).toMatchObject({ crm: 'VIEW', shop: 'VIEW' });
  });

  it('refuses a negative maxLagMs with SCHEMA_ERR_BAD_INPUT on the field that carries it (the operation\'s on the customer)', async () => {
    const id = customerId();
    const onOperation = await runOperation(module, customerQuery(id, at({ operation: '@freshness(maxLagMs: -1)' })));
    expect(onOperation.data.customer).toBeNull();
    expect(errorsOf(onOperation.result)).toEqual([{ path: 'customer', code: 'SCHEMA_ERR_BAD_INPUT', source: undefined, retriable: false }]);
    expect(onOperation.result.errors?.[0]?.message).toBe('@freshness(maxLagMs:) on the operation must be 0 or more milliseconds, but got -1; 0 reads live, 300 is the default');

    const onOrders = await runOperation(module, customerQuery(id, at({ orders: '@freshness(maxLagMs: -5)' })));
    const customer = (onOrders.data as Answer).customer!;
    expect(customer.orders).toBeNull();
    expect(customer.profile).not.toBeNull();
    expect(errorsOf(onOrders.result)).toEqual([{ path: 'customer.orders', code: 'SCHEMA_ERR_BAD_INPUT', source: undefined, retriable: false }]);
    expect(onOrders.result.errors?.[0]?.message).toMatch(/^@freshness\(maxLagMs:\) on field "orders" must be 0 or more/);
  });
});

describe('views at scale and with bad records', () => {
  it('customers(ids: 50) costs one store read and no CRM, shop or helpdesk request; customers without a view cost one request per source', async () => {
    const wanted = Array.from({ length: 50 }, (_, i) => `C${String(101 + i).padStart(6, '0')}`);
    await Promise.all(wanted.map((id) => putView(id, { crm: 5, shop: 5, helpdesk: 5 })));
    const query = `query ($ids: [ID!]!) {
      customers(ids: $ids) { id profile { email } orders { id items { sku } payment { status } shipment { status } } tickets { status } freshness { source mode } }
    }`;
    const run = async () => {
      demo.systems.resetStats();
      const before = views.reads.length;
      const { result, data: answer, explain } = await runOperation(module, query, { variables: { ids: wanted }, explain: true });
      expect(result.errors).toBeUndefined();
      expect(views.reads.slice(before)).toEqual([{ tenant: 'demo', ids: wanted }]);
      const customers = answer.customers as Array<{ id: string; orders: Array<{ id: string }>; freshness: Array<{ source: string; mode: string }> }>;
      expect(customers.map((c) => c.id)).toEqual(wanted);
      for (const c of customers) expect(c.orders.map((o) => o.id)).toEqual(liveOrders(c.id).slice(0, 10));
      return { customers, explain };
    };

    const allViews = await run();
    expect(counts()).toEqual({ crm: 0, shop: 0, helpdesk: 0, wms: 1 });
    expect(allViews.explain?.sources.crm).toMatchObject({ mode: 'view', viewReads: 50, calls: 0 });

    for (const id of wanted.slice(48)) views.remove('demo', id);
    const twoLive = await run();
    expect(twoLive.explain?.sources.crm).toMatchObject({ mode: 'mixed', viewReads: 48, calls: 1, batchSizes: [2] });
    expect(demo.systems.crm.stats.byRoute).toEqual({ 'GET /contacts:batch': 1 });
    expect(demo.systems.shop.sim.stats.byRoute).toEqual({ 'SOAP GetOrdersByCustomer': 1 });
    // The orders from views and those read live arrive in different ticks: their shipments are two warehouse batches.
    expect(demo.systems.wms.stats.byRoute).toEqual({ 'GET /idoc/shipments': 2 });
    expect(twoLive.customers[0]?.freshness.find((f) => f.source === 'shop')?.mode).toBe('VIEW');
    expect(twoLive.customers[49]?.freshness.find((f) => f.source === 'shop')?.mode).toBe('LIVE');
  });

  it('a malformed view record nulls its own field with SCHEMA_ERR_UNEXPECTED_VALUE, as a live one would; the rest resolves', async () => {
    const id = customerId();
    await putView(id, { crm: 0, shop: 0, helpdesk: 0 }, (v) => ({ ...v, orders: [{ ...v.orders[0], status: 'teleported' }] }));
    const { result, data: answer } = await runOperation(module, customerQuery(id));
    const customer = (answer as Answer).customer!;
    expect(customer.orders).toBeNull();
    expect(customer.profile).not.toBeNull();
    expect(customer.tickets).not.toBeNull();
    expect(errorsOf(result)).toEqual([{ path: 'customer.orders', code: 'SCHEMA_ERR_UNEXPECTED_VALUE', source: 'shop', retriable: false }]);
    expect(result.errors?.[0]?.message).toBe('source "shop": order.status should be one of pending, paid, shipped, delivered, cancelled, refunded, but is "teleported"');
    expect(counts()).toMatchObject({ crm: 0, shop: 0, helpdesk: 0 });

    const badContact = customerId();
    await putView(badContact, { crm: 0, shop: 0, helpdesk: 0 }, (v) => ({ ...v, contact: { ...v.contact, id: '' } }));
    const second = await runOperation(module, customerQuery(badContact));
    expect((second.data as Answer).customer!.profile).toBeNull();
    expect((second.data as Answer).customer!.orders).not.toBeNull(); // the view's orders need no id mapping
    expect(errorsOf(second.result)).toEqual([{ path: 'customer.profile', code: 'SCHEMA_ERR_UNEXPECTED_VALUE', source: 'crm', retriable: false }]);
  });

  it('customers found by searchCustomers read their orders and tickets from their views; the profile is the search answer', async () => {
    const id = customerId();
    await putView(id, { crm: 0, shop: 0, helpdesk: 0 }, marked);
    const contact = data().contacts.find((c) => c.id === id)!;
    const { result, data: answer } = await runOperation(module, `{ searchCustomers(email: "${contact.email}") { id profile { firstName } orders { id } tickets { id } freshness { source mode } } }`);
    expect(result.errors).toBeUndefined();
    expect(answer.searchCustomers).toEqual([
      {
        id,
        profile: { firstName: contact.firstName },
        orders: liveOrders(id).slice(0, 10).map((o) => ({ id: o })),
        tickets: expect.any(Array),
        freshness: [{ source: 'crm', mode: 'LIVE' }, { source: 'helpdesk', mode: 'VIEW' }, { source: 'shop', mode: 'VIEW' }],
      },
    ]);
    expect(counts()).toEqual({ crm: 1, shop: 0, helpdesk: 0, wms: 0 });
  });
});

describe('through the gateway', () => {
  it('serves a view over HTTP with @freshness on the operation, and extensions.unics says view', async () => {
    const id = customerId();
    const view = await putView(id, { crm: 700, shop: 700, helpdesk: 700 }, marked);
    const gateway = await startTestGateway({ schema: module });
    try {
      const query = `query Q @freshness(maxLagMs: 1000) { customer(id: "${id}") { profile { firstName } tickets { id } freshness { source mode lagMs } } }`;
      const res = await gateway.post({ query }, { 'x-unics-explain': '1' });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.customer.profile).toEqual({ firstName: 'FromView' });
      expect(res.body.data.customer.tickets).toHaveLength(view.tickets.length);
      expect(res.body.data.customer.freshness).toEqual([{ source: 'crm', mode: 'VIEW', lagMs: 700 }, { source: 'helpdesk', mode: 'VIEW', lagMs: 700 }]);
      expect(res.body.extensions.unics.sources.crm).toMatchObject({ mode: 'view', viewReads: 1, calls: 0 });
      expect(res.body.extensions.unics.views).toMatchObject({ reads: 1, found: 1 });
      expect(counts()).toEqual({ crm: 0, shop: 0, helpdesk: 0, wms: 0 });
    } finally {
      await gateway.close();
    }
  });
});
