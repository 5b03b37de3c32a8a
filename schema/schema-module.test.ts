// The unified graph over real HTTP: the four simulators on loopback and the demo connectors exactly as
// unics.example.yaml defines them (only the ports differ). Counts come from the simulators' own request counters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../common/index.ts';
import type { Connector } from '../connectors/connector.ts';
import { createSchemaModule, type UnicsSchemaModule } from './create-schema-module.ts';
import { defaultSourceMap } from './default-source-map.ts';
import { startDemoSources, type DemoSources } from './fixtures/demo-sources.ts';
import { agent, errorsOf, runOperation, startSubscription, supervisor } from './fixtures/run-operation.ts';
import { createMemoryChangeFeed } from './memory-change-feed.ts';

let demo: DemoSources;
let module: UnicsSchemaModule;
const feed = createMemoryChangeFeed();
const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `C${String(from + i).padStart(6, '0')}`);
const data = () => demo.systems.data;

beforeAll(async () => {
  demo = await startDemoSources({ customers: 200 });
  module = createSchemaModule({ connectors: demo.loaded.connectors, sources: defaultSourceMap, changeFeed: feed, clock: systemClock, log: createLogger({ level: 'silent' }) });
  // Fetch the CRM's OAuth2 token and the Shop's WSDL once, so the counts below are data requests only.
  const ctx = { tenant: 'warm-up', signal: AbortSignal.timeout(15_000) };
  await (demo.loaded.connectors.get('crm') as Connector).load('contact', ['C000200'], ctx);
  await (demo.loaded.connectors.get('shop') as Connector).load('ordersByCustomer', ['K9999999'], ctx);
}, 90_000);

afterAll(async () => {
  await demo?.close();
});

describe('Query.customer', () => {
  it('assembles one customer from the four sources, orders newest first, with freshness per source', async () => {
    const before = Date.now();
    const { result, data: answer } = await runOperation(module, `{
      customer(id: "C000001") {
        freshness { source mode asOf lagMs }
        id
        profile { firstName email customerNo helpdeskUserId tier }
        orders { id status totalCents currency createdAt updatedAt items { lineNo sku quantity } payment { status amountCents } shipment { shipmentNo carrier status deliveredAt } }
        tickets { id status priority subject }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const customer = answer.customer as Record<string, unknown>;
    const contact = data().contacts.find((c) => c.id === 'C000001')!;
    expect(customer.profile).toEqual({ firstName: contact.firstName, email: contact.email, customerNo: contact.customerNo, helpdeskUserId: contact.helpdeskUserId, tier: contact.tier });

    const orders = customer.orders as Array<Record<string, never>>;
    const expected = data().orders.filter((o) => o.customerNo === contact.customerNo).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    expect(orders.map((o) => o.id)).toEqual(expected.map((o) => o.id));
    expect(orders.map((o) => o.status)).toEqual(expected.map((o) => o.status.toUpperCase()));
    const first = orders[0]!;
    expect(first.items).toEqual(data().items.filter((i) => i.orderId === first.id).map((i) => ({ lineNo: i.lineNo, sku: i.sku, quantity: i.quantity })));
    const shipment = data().shipments.find((s) => s.orderId === first.id)!;
    expect(first.shipment).toEqual({ shipmentNo: expect.any(String), carrier: shipment.carrier, status: shipment.status.toUpperCase(), deliveredAt: shipment.deliveredAt });

    const tickets = customer.tickets as Array<Record<string, never>>;
    expect(tickets.map((t) => t.id).sort()).toEqual(data().tickets.filter((t) => t.userId === contact.helpdeskUserId).map((t) => t.id).sort());

    const freshness = customer.freshness as Array<{ source: string; mode: string; asOf: string; lagMs: number }>;
    expect(freshness.map((f) => [f.source, f.mode, f.lagMs])).toEqual([['crm', 'LIVE', 0], ['helpdesk', 'LIVE', 0], ['shop', 'LIVE', 0], ['wms', 'LIVE', 0]]);
    for (const f of freshness) expect(Date.parse(f.asOf)).toBeGreaterThanOrEqual(before - 1);
  });

  it('answers null for an id the CRM does not know, without an error', async () => {
    const { result, data: answer } = await runOperation(module, '{ customer(id: "C999999") { id profile { email } } }');
    expect(result.errors).toBeUndefined();
    expect(answer.customer).toBeNull();
  });

  it('filters orders by status and keeps the newest `first`; tickets by status; enums upper-case', async () => {
    const { result, data: answer } = await runOperation(module, `{
      customer(id: "C000002") { orders(first: 2, status: DELIVERED) { id status createdAt } all: orders(first: 100) { id } tickets(status: CLOSED) { status } }
    }`);
    expect(result.errors).toBeUndefined();
    const c = answer.customer as { orders: Array<{ id: string; status: string }>; all: unknown[]; tickets: Array<{ status: string }> };
    const contact = data().contacts.find((x) => x.id === 'C000002')!;
    const delivered = data().orders.filter((o) => o.customerNo === contact.customerNo && o.status === 'delivered').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    expect(c.orders.map((o) => o.id)).toEqual(delivered.slice(0, 2).map((o) => o.id));
    expect(c.orders.every((o) => o.status === 'DELIVERED')).toBe(true);
    expect(c.all).toHaveLength(data().orders.filter((o) => o.customerNo === contact.customerNo).length);
    const closed = data().tickets.filter((t) => t.userId === contact.helpdeskUserId && t.status === 'closed');
    expect(c.tickets).toEqual(closed.map(() => ({ status: 'CLOSED' })));
  });

  it('gives a customer without a helpdesk account no tickets and asks the helpdesk nothing', async () => {
    demo.systems.resetStats();
    const { result, data: answer } = await runOperation(module, '{ customer(id: "C000008") { tickets { id } orders { id } freshness { source mode } } }');
    expect(result.errors).toBeUndefined();
    expect(answer.customer).toEqual({ tickets: [], orders: [], freshness: [{ source: 'crm', mode: 'LIVE' }, { source: 'shop', mode: 'LIVE' }] });
    expect(demo.systems.requestCounts().helpdesk).toBe(0);
  });

  it('answers conversations with null and a catalogued error naming the chat source, never with made-up data', async () => {
    const { result, data: answer } = await runOperation(module, '{ customer(id: "C000001") { id conversations { id } } }');
    expect(answer.customer).toEqual({ id: 'C000001', conversations: null });
    expect(errorsOf(result)).toEqual([{ path: 'customer.conversations', code: 'SCHEMA_ERR_SOURCE_NOT_CONFIGURED', source: 'chat', retriable: false }]);
  });
});

describe('batching at depth', () => {
  it('customers(ids: 50) with profile, orders, items, payment, shipment and tickets costs one request per source', async () => {
    const wanted = ids(101, 50);
    demo.systems.resetStats();
    const { result, data: answer } = await runOperation(module, `query ($ids: [ID!]!) {
      customers(ids: $ids) { id profile { email } orders { id items { sku } payment { status } shipment { status } } tickets { status } }
    }`, { variables: { ids: wanted } });
    expect(result.errors).toBeUndefined();
    const customers = answer.customers as Array<{ id: string; orders: Array<{ id: string; shipment: { status: string } | null }> }>;
    expect(customers.map((c) => c.id)).toEqual(wanted);
    // The answers are right, not just cheap: every shipped order of these customers has its shipment.
    const orderIds = customers.flatMap((c) => c.orders.filter((o) => o.shipment !== null).map((o) => o.id));
    expect(orderIds.length).toBeGreaterThan(10);
    for (const id of orderIds) expect(data().shipments.some((s) => s.orderId === id)).toBe(true);

    expect(demo.systems.requestCounts()).toEqual({ crm: 1, shop: 1, helpdesk: 1, wms: 1 });
    expect(demo.systems.crm.stats.byRoute).toEqual({ 'GET /contacts:batch': 1 });
    expect(demo.systems.shop.sim.stats.byRoute).toEqual({ 'SOAP GetOrdersByCustomer': 1 });
    expect(demo.systems.wms.stats.byRoute).toEqual({ 'GET /idoc/shipments': 1 });
  });

  it('puts null at the place of an unknown id in customers(ids)', async () => {
    const { result, data: answer } = await runOperation(module, '{ customers(ids: ["C000003", "C999999", "C000003"]) { id } }');
    expect(result.errors).toBeUndefined();
    expect(answer.customers).toEqual([{ id: 'C000003' }, null, { id: 'C000003' }]);
  });

  it('refuses more than 100 ids with SCHEMA_ERR_BAD_INPUT', async () => {
    const { result } = await runOperation(module, 'query ($ids: [ID!]!) { customers(ids: $ids) { id } }', { variables: { ids: ids(1, 101) } });
    expect(errorsOf(result)).toEqual([{ path: 'customers', code: 'SCHEMA_ERR_BAD_INPUT', source: undefined, retriable: false }]);
    expect(result.errors?.[0]?.message).toBe('customers takes at most 100 ids, but got 101; ask in pages of 100');
  });
});

describe('Query.searchCustomers', () => {
  it('finds a customer by email (any case) or phone; its profile comes from the search answer, not a second CRM request', async () => {
    const contact = data().contacts.find((c) => c.id === 'C000177')!;
    demo.systems.resetStats();
    const byEmail = await runOperation(module, 'query ($e: String) { searchCustomers(email: $e) { id profile { email phone } freshness { source } } }', { variables: { e: contact.email.toUpperCase() } });
    expect(byEmail.result.errors).toBeUndefined();
    expect(byEmail.data.searchCustomers).toEqual([{ id: 'C000177', profile: { email: contact.email, phone: contact.phone }, freshness: [{ source: 'crm' }] }]);
    expect(demo.systems.crm.stats.byRoute).toEqual({ 'GET /contacts:search': 1 });

    const byPhone = await runOperation(module, 'query ($p: String) { searchCustomers(phone: $p) { id } }', { variables: { p: contact.phone.replaceAll(' ', '-') } });
    expect(byPhone.data.searchCustomers).toEqual([{ id: 'C000177' }]);
    const none = await runOperation(module, '{ searchCustomers(email: "nobody@example.com") { id } }');
    expect(none.data.searchCustomers).toEqual([]);
  });

  it('needs exactly one of email and phone', async () => {
    for (const args of ['', '(email: "a@example.com", phone: "+49 1")', '(email: "  ")']) {
      const { result } = await runOperation(module, `{ searchCustomers${args} { id } }`);
      expect(errorsOf(result).map((e) => e.code)).toEqual(['SCHEMA_ERR_BAD_INPUT']);
      expect(result.errors?.[0]?.message).toMatch(/^searchCustomers needs exactly one of email and phone/);
    }
  });
});

describe('explain', () => {
  const query = 'query ($ids: [ID!]!) { customers(ids: $ids) { profile { email } orders { shipment { status } } tickets { id } } }';

  it('reports per source the upstream calls, batch sizes, cache lookups and time; a second request is served by the CRM cache', async () => {
    const wanted = ids(151, 5);
    const customerNos = new Set(data().contacts.filter((c) => wanted.includes(c.id)).map((c) => c.customerNo));
    const first = await runOperation(module, query, { variables: { ids: wanted }, explain: true });
    expect(first.result.errors).toBeUndefined();
    const report = first.explain!;
    expect(Object.keys(report.sources)).toEqual(['crm', 'helpdesk', 'shop', 'wms']);
    expect(report.sources.crm).toMatchObject({ mode: 'live', operations: ['contact'], calls: 1, batchSizes: [5], cacheHits: 0, cacheMisses: 5, failures: 0 });
    expect(report.sources.shop).toMatchObject({ mode: 'live', operations: ['ordersByCustomer'], calls: 1, batchSizes: [customerNos.size], cacheHits: 0, cacheMisses: 0 });
    const orderCount = data().orders.filter((o) => customerNos.has(o.customerNo)).length;
    expect(report.sources.wms).toMatchObject({ calls: 1, batchSizes: [orderCount] });
    expect(report.sources.helpdesk).toMatchObject({ calls: 1 });
    expect(report.sources.crm!.ms).toBeGreaterThan(0);
    expect(report.totalMs).toBeGreaterThanOrEqual(report.sources.crm!.ms);

    // crm has cacheTtl: 30s in unics.example.yaml; the others have no shared cache.
    const second = await runOperation(module, query, { variables: { ids: wanted }, explain: true });
    expect(second.explain!.sources.crm).toMatchObject({ calls: 0, batchSizes: [], cacheHits: 5, cacheMisses: 0 });
    expect(second.explain!.sources.shop).toMatchObject({ calls: 1 });

    // The shared cache is per tenant: another tenant's identical request goes upstream.
    const other = await runOperation(module, query, { variables: { ids: wanted }, explain: true, principal: { ...agent, tenant: 'other' } });
    expect(other.explain!.sources.crm).toMatchObject({ calls: 1, cacheHits: 0, cacheMisses: 5 });
  });

  it('is undefined when the request did not ask for it', async () => {
    const { explain } = await runOperation(module, '{ customer(id: "C000001") { id } }');
    expect(explain).toBeUndefined();
    expect(module.explainOf({})).toBeUndefined();
  });
});

describe('Mutation.refundOrder and Subscription.customerChanged', () => {
  const refund = 'mutation ($o: ID!, $a: Int!, $c: ID) { refundOrder(orderId: $o, amountCents: $a, reason: "damaged", customerId: $c) { id status payment { status } } }';

  it('refuses a caller without a refund role, and the shop is not asked', async () => {
    demo.systems.resetStats();
    const { result, data: answer } = await runOperation(module, refund, { variables: { o: 'O0000021', a: 100 } });
    expect(answer.refundOrder).toBeNull();
    expect(errorsOf(result)).toEqual([{ path: 'refundOrder', code: 'SCHEMA_ERR_FORBIDDEN', source: undefined, retriable: false }]);
    expect(result.errors?.[0]?.message).toBe('refundOrder needs one of the roles supervisor, refunds, but the caller has agent');
    expect(demo.systems.requestCounts().shop).toBe(0);
  });

  it('refuses an order of another customer and a non-positive amount before refunding', async () => {
    demo.systems.resetStats();
    const wrongOwner = await runOperation(module, refund, { principal: supervisor, variables: { o: 'O0000021', a: 100, c: 'C000001' } });
    expect(errorsOf(wrongOwner.result).map((e) => e.code)).toEqual(['SCHEMA_ERR_BAD_INPUT']);
    expect(wrongOwner.result.errors?.[0]?.message).toBe('refundOrder: order "O0000021" does not belong to customer "C000001"');
    const zero = await runOperation(module, refund, { principal: supervisor, variables: { o: 'O0000021', a: 0 } });
    expect(zero.result.errors?.[0]?.message).toBe('refundOrder: amountCents must be a positive number of cents, but got 0');
    expect(demo.systems.shop.sim.stats.byRoute['SOAP RefundOrder']).toBeUndefined();
  });

  it('refunds through the shop, publishes a change to the customer subscribers, and a second refund fails with the shop fault', async () => {
    const order = data().orders.find((o) => o.id === 'O0000021')!;
    const owner = data().contacts.find((c) => c.customerNo === order.customerNo)!;
    const stop = new AbortController();
    const changes = await startSubscription(module, 'subscription ($id: ID!) { customerChanged(id: $id) { customerId source reason at } }', { signal: stop.signal, variables: { id: owner.id } });
    const next = changes.next();

    const { result, data: answer } = await runOperation(module, refund, { principal: supervisor, variables: { o: order.id, a: order.totalCents, c: owner.id } });
    expect(result.errors).toBeUndefined();
    expect(answer.refundOrder).toEqual({ id: order.id, status: 'REFUNDED', payment: { status: 'REFUNDED' } });
    const event = (await next).value as { data: { customerChanged: { customerId: string; source: string; reason: string; at: string } } };
    expect(event.data.customerChanged).toMatchObject({ customerId: owner.id, source: 'shop', reason: `order ${order.id} refunded (${order.totalCents} cents)` });
    expect(Number.isNaN(Date.parse(event.data.customerChanged.at))).toBe(false);

    const reread = await runOperation(module, `{ customer(id: "${owner.id}") { orders(first: 100) { id status } } }`);
    expect((reread.data.customer as { orders: Array<{ id: string; status: string }> }).orders.find((o) => o.id === order.id)?.status).toBe('REFUNDED');

    const again = await runOperation(module, refund, { principal: supervisor, variables: { o: order.id, a: 100 } });
    expect(again.data.refundOrder).toBeNull();
    expect(errorsOf(again.result)).toEqual([{ path: 'refundOrder', code: 'CONN_ERR_SOAP_FAULT', source: 'shop', retriable: false }]);
    expect(again.result.errors?.[0]?.extensions?.details).toMatchObject({ detailCode: 'AlreadyRefunded' });
    expect(demo.systems.shop.sim.stats.byRoute['SOAP RefundOrder']).toBe(2);

    await changes.return?.();
    stop.abort();
    expect(feed.subscriberCount()).toBe(0);
  });
});
