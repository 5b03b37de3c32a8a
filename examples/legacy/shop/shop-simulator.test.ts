// The Shop simulator over real HTTP, spoken to with raw SOAP envelopes (no SOAP client), PGlite as its database.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStringPromise, processors } from 'xml2js';
import { soapActionOf, type ShopOperation } from './shop-wsdl.ts';
import { startShop, type RunningShop } from './start-shop.ts';

let shop: RunningShop;

beforeAll(async () => {
  shop = await startShop({ customers: 200 });
}, 60_000);
afterAll(async () => shop?.close());

const envelope = (body: string) =>
  `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:s="http://legacy.example.com/shop"><soap:Body>${body}</soap:Body></soap:Envelope>`;

async function call(op: ShopOperation, body: string, headers: Record<string, string> = { soapaction: `"${soapActionOf(op)}"` }) {
  const res = await fetch(`${shop.url}/shop`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, doc: await parse(text) };
}

const parse = (text: string): Promise<Record<string, unknown>> =>
  parseStringPromise(text, { explicitArray: false, tagNameProcessors: [processors.stripPrefix] }) as Promise<Record<string, unknown>>;
const bodyOf = (doc: Record<string, unknown>) => (doc.Envelope as { Body: Record<string, unknown> }).Body;
const faultOf = (doc: Record<string, unknown>) => bodyOf(doc).Fault as { faultcode: string; faultstring: string; detail: { ShopFault: { code: string } } };
type XmlOrder = { id: string; customerNo: string; status: string; totalCents: string; items: { item: unknown }; payment?: { status: string } };
const ordersOf = (doc: Record<string, unknown>): XmlOrder[] => {
  const list = ((bodyOf(doc).GetOrdersByCustomerResponse as { orders: { order?: XmlOrder | XmlOrder[] } | '' }).orders || {}).order;
  return list === undefined ? [] : Array.isArray(list) ? list : [list];
};
const byCustomers = (nos: string[]) => envelope(`<s:GetOrdersByCustomer><s:customerNos>${nos.map((n) => `<s:customerNo>${n}</s:customerNo>`).join('')}</s:customerNos></s:GetOrdersByCustomer>`);

describe('Shop simulator', () => {
  it('serves a WSDL 1.1 document naming the host it was asked on', async () => {
    shop.sim.resetStats();
    const res = await fetch(`${shop.url}/shop?wsdl`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(text).toContain(`<soap:address location="${shop.url}/shop"/>`);
    for (const type of ['Order', 'OrderItem', 'Payment', 'OrderList']) expect(text).toContain(`<xsd:complexType name="${type}">`);
    expect(text).toContain('<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>');
    expect(shop.sim.stats.byRoute).toEqual({ 'GET wsdl': 1 });
  });

  it('answers the requests the soap package really sends (recorded fixtures)', async () => {
    const recorded = readFileSync(new URL('../../../connectors/soap/fixtures/get-orders-by-customer.request.xml', import.meta.url), 'utf8');
    const { status, doc } = await call('GetOrdersByCustomer', recorded);
    expect(status).toBe(200);
    expect(new Set(ordersOf(doc).map((o) => o.customerNo))).toEqual(new Set(['K0000156', 'K0000199']));
  });

  it('GetOrdersByCustomer answers in order-id order, not in request order, each order with its customerNo, items and payment', async () => {
    const customers = shop.data.contacts.slice(0, 30).map((c) => c.customerNo);
    const requested = [...customers].reverse();
    shop.sim.resetStats();
    const { doc } = await call('GetOrdersByCustomer', byCustomers(requested));
    const orders = ordersOf(doc);
    const expected = shop.data.orders.filter((o) => customers.includes(o.customerNo)).map((o) => o.id).sort();
    expect(orders.map((o) => o.id)).toEqual(expected);
    const firstSeen = [...new Set(orders.map((o) => o.customerNo))];
    expect(firstSeen).not.toEqual(requested.filter((c) => firstSeen.includes(c))); // clients must align by customerNo
    const paid = orders.find((o) => o.payment)!;
    expect(paid.payment!.status).toMatch(/^(captured|refunded)$/);
    expect(shop.sim.stats.byRoute).toEqual({ 'SOAP GetOrdersByCustomer': 1 });
  });

  it('refuses more than 500 customer numbers with a Client fault', async () => {
    const nos = Array.from({ length: 501 }, (_, i) => `K${String(i).padStart(7, '0')}`);
    const { status, doc } = await call('GetOrdersByCustomer', byCustomers(nos));
    expect(status).toBe(500);
    expect(faultOf(doc)).toMatchObject({ faultcode: 'soap:Client', detail: { ShopFault: { code: 'TooManyKeys' } } });
  });

  it('GetOrder answers one order, or a Client fault NotFound', async () => {
    const ok = await call('GetOrder', envelope('<s:GetOrder><s:orderId>O0000001</s:orderId></s:GetOrder>'));
    expect((bodyOf(ok.doc).GetOrderResponse as { order: XmlOrder }).order.id).toBe('O0000001');
    const missing = await call('GetOrder', envelope('<s:GetOrder><s:orderId>O9999999</s:orderId></s:GetOrder>'));
    expect(missing.status).toBe(500);
    expect(faultOf(missing.doc)).toEqual({
      faultcode: 'soap:Client',
      faultstring: 'order O9999999 not found',
      detail: { ShopFault: { code: 'NotFound', message: 'order O9999999 not found' } },
    });
  });

  it('escapes XML text in answers', async () => {
    const name = `Tea <b>"green"</b> & 'jasmine' ]]>`;
    await shop.db.query('update shop.order_items set name = $1 where order_id = $2 and line_no = 1', [name, 'O0000002']);
    const { doc } = await call('GetOrder', envelope('<s:GetOrder><s:orderId>O0000002</s:orderId></s:GetOrder>'));
    const items = (bodyOf(doc).GetOrderResponse as { order: { items: { item: { name: string } | Array<{ name: string }> } } }).order.items.item;
    expect((Array.isArray(items) ? items[0]! : items).name).toBe(name);
  });

  it('refuses a request with a DOCTYPE, a SOAPAction that contradicts the body, and unknown operations', async () => {
    const doctype = await call('GetOrder', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>${envelope('<s:GetOrder><s:orderId>&e;</s:orderId></s:GetOrder>').replace('<?xml version="1.0"?>', '')}`);
    expect(faultOf(doctype.doc)).toMatchObject({ faultcode: 'soap:Client', detail: { ShopFault: { code: 'Forbidden' } } });
    const mismatch = await call('GetOrder', envelope('<s:GetOrder><s:orderId>O1</s:orderId></s:GetOrder>'), { soapaction: `"${soapActionOf('RefundOrder')}"` });
    expect(faultOf(mismatch.doc).detail.ShopFault.code).toBe('ActionMismatch');
    const unknown = await call('GetOrder', envelope('<s:DeleteEverything/>'), {});
    expect(faultOf(unknown.doc)).toMatchObject({ faultstring: 'unknown operation DeleteEverything; this service has GetOrdersByCustomer, GetOrder, RefundOrder' });
    const broken = await call('GetOrder', '<soap:Envelope><soap:Body>', {});
    expect(faultOf(broken.doc).detail.ShopFault.code).toBe('InvalidXml');
  });

  it('RefundOrder refunds order and payment together; a concurrent second refund gets AlreadyRefunded', async () => {
    const order = shop.data.orders.find((o) => o.status === 'delivered' && shop.data.payments.some((p) => p.orderId === o.id && p.status === 'captured'))!;
    const refund = (amount: number) => call('RefundOrder', envelope(`<s:RefundOrder><s:orderId>${order.id}</s:orderId><s:amountCents>${amount}</s:amountCents><s:reason>damaged</s:reason></s:RefundOrder>`));

    const tooMuch = await refund(order.totalCents + 1);
    expect(faultOf(tooMuch.doc).detail.ShopFault.code).toBe('InvalidAmount');
    const zero = await refund(0);
    expect(faultOf(zero.doc).detail.ShopFault.code).toBe('InvalidAmount');
    expect((await shop.db.query<{ status: string }>('select status from shop.orders where id = $1', [order.id])).rows[0]!.status).toBe('delivered');

    const [a, b] = await Promise.all([refund(order.totalCents), refund(order.totalCents)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 500]);
    const failed = a.status === 500 ? a : b;
    expect(faultOf(failed.doc).detail.ShopFault.code).toBe('AlreadyRefunded');
    const ok = a.status === 200 ? a : b;
    expect((bodyOf(ok.doc).RefundOrderResponse as { order: XmlOrder }).order).toMatchObject({ id: order.id, status: 'refunded', payment: { status: 'refunded' } });
    const rows = await shop.db.query<{ o: string; p: string }>('select o.status as o, p.status as p from shop.orders o join shop.payments p on p.order_id = o.id where o.id = $1', [order.id]);
    expect(rows.rows).toEqual([{ o: 'refunded', p: 'refunded' }]);
  });

  it('knobs: hostile and errorRate answer Server faults; malformed truncates; oversized sends ~20 MB', async () => {
    const req = () => call('GetOrder', envelope('<s:GetOrder><s:orderId>O0000001</s:orderId></s:GetOrder>'));
    try {
      shop.sim.knobs.hostile = true;
      expect(faultOf((await req()).doc).faultcode).toBe('soap:Server');
      shop.sim.knobs.hostile = false;
      shop.sim.knobs.errorRate = 1;
      const injected = await req();
      expect([injected.status, faultOf(injected.doc).faultcode]).toEqual([500, 'soap:Server']);
      shop.sim.knobs.errorRate = 0;
      shop.sim.knobs.malformed = true;
      await expect(req()).rejects.toThrow(); // xml2js cannot parse the truncated answer
      shop.sim.knobs.malformed = false;
      shop.sim.knobs.oversized = true;
      const res = await fetch(`${shop.url}/shop`, { method: 'POST', headers: { soapaction: `"${soapActionOf('GetOrder')}"` }, body: envelope('<s:GetOrder><s:orderId>O1</s:orderId></s:GetOrder>') });
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(20 * 1024 * 1024);
    } finally {
      Object.assign(shop.sim.knobs, { hostile: false, errorRate: 0, malformed: false, oversized: false });
    }
  });
});
