// The soap adapter against the Shop simulator over real HTTP on loopback, with PGlite as the Shop's database.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createLogger, systemClock } from '../../common/index.ts';
import { startShop, type RunningShop } from '../../examples/legacy/shop/start-shop.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { Connector, KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { runConnectorContract } from '../testkit/index.ts';
import { shopDemoDefinition } from './fixtures/demo-config.ts';
import { soapKind } from './index.ts';

const deps = { log: createLogger({ level: 'silent' }), clock: systemClock };
const ctx = (ms = 5_000) => ({ tenant: 'test', signal: AbortSignal.timeout(ms) });

let shop: RunningShop;
/** Requests the simulator has open right now (a hanging one stays open until its socket closes). */
let open = 0;
let socketsClosed = 0;
const connectors: Connector[] = [];

const demoConfig = (wsdl: string, extra: Record<string, unknown> = {}) => soapKind.configSchema.parse({ ...shopDemoDefinition(wsdl), ...extra });

function connect(extra: Record<string, unknown> = {}): Connector {
  const c = soapKind.create(demoConfig(shop.wsdlUrl, extra), deps);
  connectors.push(c);
  return c;
}

const resetKnobs = () => Object.assign(shop.sim.knobs, { hang: false, errorRate: 0, hostile: false, malformed: false, oversized: false });
const ids = (r: KeyResult | undefined) => (r?.status === 'ok' ? (r.value as Array<{ id: string }>).map((o) => o.id) : r?.status);

beforeAll(async () => {
  shop = await startShop({ customers: 200 });
  shop.sim.server.on('request', (req, res) => {
    if (req.url?.startsWith('/__sim')) return;
    open++;
    res.once('close', () => open--);
  });
  shop.sim.server.on('connection', (socket) => socket.once('close', () => socketsClosed++));
}, 60_000);

afterAll(async () => {
  for (const c of connectors) await c.close();
  await shop?.close();
});

const contract = (entity: string, existingKeys: string[], missingKeys: string[]) => async () => ({
  connector: connect(),
  entity,
  existingKeys,
  missingKeys,
  setUpstream: (mode: 'healthy' | 'failing' | 'hanging') => {
    resetKnobs();
    if (mode === 'failing') shop.sim.knobs.errorRate = 1;
    if (mode === 'hanging') shop.sim.knobs.hang = true;
  },
  openUpstreamRequests: () => open,
  close: async () => resetKnobs(),
});
runConnectorContract('soap ordersByCustomer (batch)', contract('ordersByCustomer', ['K0000156', 'K0000199'], ['K9999999']));
runConnectorContract('soap order (one key per call)', contract('order', ['O0000001', 'O0000020'], ['O9999999']));

describe('soap connector on the Shop simulator', () => {
  it('loads many customers in one call and matches orders by customerNo, though the Shop answers in order-id order', async () => {
    const c = connect();
    const withOrders = shop.data.contacts.filter((x) => shop.data.orders.some((o) => o.customerNo === x.customerNo)).slice(0, 40);
    const without = shop.data.contacts.filter((x) => !shop.data.orders.some((o) => o.customerNo === x.customerNo)).slice(0, 5);
    // Reverse order, mixed with customers who never ordered and one who does not exist.
    const keys = [...[...withOrders, ...without].map((x) => x.customerNo).reverse(), 'K9999999'];
    shop.sim.resetStats();
    const result = await c.load('ordersByCustomer', keys, ctx());
    expect(shop.sim.stats.byRoute).toEqual({ 'GET wsdl': 1, 'SOAP GetOrdersByCustomer': 1 }); // the WSDL on first use, then one call
    expect([...result.keys()].sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const expected = shop.data.orders.filter((o) => o.customerNo === key).map((o) => o.id).sort();
      expect(ids(result.get(key)), key).toEqual(expected);
    }
    const first = result.get(withOrders[0]!.customerNo);
    const order = (first as { value: Array<Record<string, unknown>> }).value[0]!;
    const source = shop.data.orders.find((o) => o.id === order.id)!;
    expect(order).toMatchObject({ customerNo: source.customerNo, status: source.status, totalCents: source.totalCents, currency: source.currency, updatedAt: source.updatedAt });
    expect(Array.isArray((order.items as { item: unknown[] }).item)).toBe(true);
  });

  it('splits more keys than maxBatchSize into several calls and still answers every key', async () => {
    const c = connect({ entities: { ordersByCustomer: { operation: 'GetOrdersByCustomer', keysArg: 'customerNos.customerNo', resultPath: 'orders.order', keyField: 'customerNo', many: true, maxBatchSize: 80 } } });
    const keys = shop.data.contacts.map((x) => x.customerNo);
    shop.sim.resetStats();
    const result = await c.load('ordersByCustomer', keys, ctx());
    expect(shop.sim.stats.byRoute['SOAP GetOrdersByCustomer']).toBe(3);
    const loaded = [...result.values()].flatMap((r) => (r.status === 'ok' ? (r.value as unknown[]) : []));
    expect(loaded).toHaveLength(shop.data.orders.length);
  });

  it('GetOrder: a NotFound fault is not_found for that key while the other keys load', async () => {
    const result = await connect().load('order', ['O9999999', 'O0000001'], ctx());
    expect(result.get('O9999999')).toEqual({ status: 'not_found' });
    expect(result.get('O0000001')).toMatchObject({ status: 'ok', value: { id: 'O0000001' } });
  });

  it('RefundOrder changes the data; refunding twice or too much are Client faults, not retriable', async () => {
    const c = connect();
    const paid = shop.data.orders.find((o) => o.status === 'delivered' && shop.data.payments.some((p) => p.orderId === o.id && p.status === 'captured'))!;
    const refunded = (await c.call('refundOrder', { orderId: paid.id, amountCents: paid.totalCents, reason: 'damaged <box> & late' }, ctx())) as Record<string, unknown>;
    expect(refunded).toMatchObject({ id: paid.id, status: 'refunded', payment: { status: 'refunded' } });
    expect((await c.load('order', [paid.id], ctx())).get(paid.id)).toMatchObject({ value: { status: 'refunded', payment: { status: 'refunded' } } });
    const rows = await shop.db.query<{ status: string }>('select status from shop.payments where order_id = $1', [paid.id]);
    expect(rows.rows).toEqual([{ status: 'refunded' }]);

    const again = await c.call('refundOrder', { orderId: paid.id, amountCents: 1, reason: 'again' }, ctx()).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'CONN_ERR_SOAP_FAULT', retriable: false, details: { faultcode: 'soap:Client', detailCode: 'AlreadyRefunded' } });
    const other = shop.data.orders.find((o) => o.status === 'delivered' && o.id !== paid.id)!;
    const tooMuch = await c.call('refundOrder', { orderId: other.id, amountCents: other.totalCents + 1, reason: 'x' }, ctx()).catch((e: unknown) => e);
    expect(tooMuch).toMatchObject({ code: 'CONN_ERR_SOAP_FAULT', details: { detailCode: 'InvalidAmount' } });
    expect((await shop.db.query<{ status: string }>('select status from shop.orders where id = $1', [other.id])).rows[0]?.status).toBe('delivered');
  });

  it('hostile: every call is a soap:Server fault, retriable', async () => {
    shop.sim.knobs.hostile = true;
    try {
      const err = await connect().load('ordersByCustomer', ['K0000156'], ctx()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CONN_ERR_SOAP_FAULT', retriable: true, details: { faultcode: 'soap:Server' } });
      const one = await connect().load('order', ['O0000001'], ctx()).catch((e: unknown) => e);
      expect(one).toMatchObject({ code: 'CONN_ERR_SOAP_FAULT', retriable: true }); // every key failed: the call failed
    } finally {
      resetKnobs();
    }
  });

  it('malformed: truncated XML is CONN_ERR_MALFORMED_RESPONSE', async () => {
    const c = connect();
    await c.load('ordersByCustomer', ['K0000156'], ctx()); // WSDL loaded while the Shop is healthy
    shop.sim.knobs.malformed = true;
    try {
      const err = await c.load('ordersByCustomer', ['K0000156'], ctx()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CONN_ERR_MALFORMED_RESPONSE' });
      expect((err as Error).message).toMatch(/^connector "shop": GetOrdersByCustomer answered XML that could not be parsed/);
    } finally {
      resetKnobs();
    }
  });

  it('oversized: a 20 MB answer is cut off at maxResponseSize with CONN_ERR_RESPONSE_TOO_LARGE', async () => {
    const c = connect({ maxResponseSize: '1mb' });
    await c.load('ordersByCustomer', ['K0000156'], ctx());
    shop.sim.knobs.oversized = true;
    try {
      const err = await c.load('ordersByCustomer', ['K0000156'], ctx()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CONN_ERR_RESPONSE_TOO_LARGE' });
      expect((err as Error).message).toContain('more than the limit of 1048576 bytes');
    } finally {
      resetKnobs();
    }
  });

  it('a timeout really cancels the HTTP request: the Shop sees the socket closed', async () => {
    const c = connect();
    await c.load('ordersByCustomer', ['K0000156'], ctx());
    shop.sim.knobs.hang = true;
    try {
      const closedBefore = socketsClosed;
      const controller = new AbortController();
      const reason = connErr.CONN_ERR_TIMEOUT('connector "shop": no answer within 100ms');
      const pending = c.load('ordersByCustomer', ['K0000156'], { tenant: 'test', signal: controller.signal });
      await waitFor(() => (open > 0 ? true : undefined), { timeoutMs: 2_000, what: 'the request to reach the Shop' });
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      await waitFor(() => (socketsClosed > closedBefore && open === 0 ? true : undefined), { timeoutMs: 2_000, what: 'the Shop to see the socket closed' });
    } finally {
      resetKnobs();
    }
  });

  it('loads the WSDL lazily and once: concurrent first calls share one fetch', async () => {
    shop.sim.resetStats();
    const c = connect();
    expect(shop.sim.stats.byRoute['GET wsdl']).toBeUndefined();
    const results = await Promise.all(['K0000156', 'K0000199', 'K0000080'].map((k) => c.load('ordersByCustomer', [k], ctx())));
    expect(results.map((r) => r.size)).toEqual([1, 1, 1]);
    await c.call('refundOrder', { orderId: 'O9999999', amountCents: 1, reason: 'x' }, ctx()).catch(() => undefined);
    expect(shop.sim.stats.byRoute['GET wsdl']).toBe(1);
  });

  it('a WSDL that cannot be read fails clearly, and the next call fetches it again', async () => {
    const c = connect();
    shop.sim.knobs.malformed = true; // the WSDL arrives truncated
    const err = await c.load('order', ['O0000001'], ctx()).catch((e: unknown) => e);
    resetKnobs();
    expect(err).toMatchObject({ code: 'CONN_ERR_MALFORMED_RESPONSE' });
    expect((err as Error).message).toMatch(/^connector "shop": could not load the WSDL from http:\/\/127\.0\.0\.1:\d+\/shop\?wsdl: it is not well-formed XML \(Unclosed root tag/);
    expect((await c.load('order', ['O0000001'], ctx())).get('O0000001')?.status).toBe('ok');
  });

  it('a mapping that does not fit the WSDL fails with CONN_ERR_CONFIG listing what the WSDL has', async () => {
    const c = connect({ commands: { refund: { operation: 'Refund' } } });
    const err = await c.load('order', ['O0000001'], ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONN_ERR_CONFIG' });
    expect((err as Error).message).toContain('command "refund": operation "Refund" is not in the WSDL; it has GetOrdersByCustomer, GetOrder, RefundOrder');
  });

  it('runs the demo YAML of the README as written', async () => {
    const yamlOf = (file: URL) => parseYaml(/```yaml\n([\s\S]*?)```/.exec(readFileSync(file, 'utf8'))![1]!) as { connectors: Array<Record<string, unknown>> };
    const { connectors: [definition] } = yamlOf(new URL('./README.md', import.meta.url));
    // The Shop's README shows the same definition.
    expect(yamlOf(new URL('../../examples/legacy/shop/README.md', import.meta.url)).connectors[0]).toEqual(definition);
    const { kind, timeout: _timeout, ...own } = definition!;
    expect(kind).toBe('soap');
    expect(own.wsdl).toBe('http://127.0.0.1:7002/shop?wsdl');
    const config = soapKind.configSchema.parse({ ...own, wsdl: shop.wsdlUrl });
    expect(config).toEqual(demoConfig(shop.wsdlUrl, { maxResponseSize: '8mb' })); // the definition these tests run
    const c = soapKind.create(config, deps);
    connectors.push(c);
    const result = await c.load('ordersByCustomer', ['K0000199', 'K9999999', 'K0000156'], ctx());
    expect([...result].map(([k, r]) => [k, ids(r)])).toEqual([
      ['K0000199', ['O0000020']],
      ['K9999999', []],
      ['K0000156', ['O0000001', 'O0000002', 'O0000003', 'O0000004', 'O0000005']],
    ]);
  });

  it('check() fetches the WSDL; unknown entities and commands are named', async () => {
    const c = connect();
    shop.sim.resetStats();
    await c.check(AbortSignal.timeout(2_000));
    expect(shop.sim.stats.byRoute['GET wsdl']).toBe(1);
    await expect(c.load('customer', ['x'], ctx())).rejects.toThrow('connector "shop" has no entity "customer"; it has ordersByCustomer, order');
    await expect(c.call('cancelOrder', {}, ctx())).rejects.toMatchObject({ code: 'CONN_ERR_UNKNOWN_ENTITY' });
  });
});
