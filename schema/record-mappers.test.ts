// The mappers on the records the demo connectors really answer (fixtures/source-records.json, recorded by
// fixtures/capture-source-records.ts from the simulators).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaErr } from './error-catalogue.ts';
import { listOf, mapOrder, mapProfile, mapShipment, mapTicket, newestFirst } from './record-mappers.ts';

type Records = Record<string, Record<string, unknown>> & { refundOrder: unknown };
const recorded = JSON.parse(readFileSync(new URL('./fixtures/source-records.json', import.meta.url), 'utf8')) as Records;
const at = (entity: string, key: string): unknown => recorded[entity]?.[key];

describe('mapProfile (crm contact)', () => {
  it('maps every contact field', () => {
    expect(mapProfile(at('contact', 'C000001'), 'crm')).toEqual({
      id: 'C000001', firstName: 'Uwe', lastName: 'Martin', email: 'uwe.martin.1@example.com', phone: '+49 30 1007919',
      language: 'zh', tier: 'platinum', customerNo: 'K0000156', helpdeskUserId: 'U0000006',
      createdAt: '2023-03-06T22:39:32.365Z', updatedAt: '2026-10-27T05:41:58.450Z',
    });
  });

  it('keeps a missing helpdesk account as null', () => {
    expect(mapProfile(at('contact', 'C000008'), 'crm').helpdeskUserId).toBeNull();
  });

  it('refuses a record without an id, naming the source and the field', () => {
    const error = (() => {
      try {
        mapProfile({ email: 'x@example.com' }, 'crm');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(schemaErr.SCHEMA_ERR_UNEXPECTED_VALUE.is(error)).toBe(true);
    expect((error as Error).message).toBe('source "crm": contact.id should be non-empty text, but is undefined');
  });
});

describe('mapOrder (shop order from SOAP)', () => {
  const orders = listOf(at('ordersByCustomer', 'K0000156'), 'shop', 'ordersByCustomer').map((o) => mapOrder(o, 'shop'));

  it('unwraps items.item, maps the payment and upper-cases the status', () => {
    const first = orders[0];
    expect(first).toMatchObject({ id: 'O0000001', customerNo: 'K0000156', status: 'SHIPPED', totalCents: 23450, currency: 'CNY', updatedAt: '2026-10-04T18:59:02.613Z' });
    expect(first?.items.map((i) => [i.lineNo, i.sku, i.quantity, i.unitPriceCents])).toEqual([[1, 'SKU-1003', 1, 1450], [2, 'SKU-1002', 2, 8900], [3, 'SKU-3001', 1, 4200]]);
    expect(first?.payment).toEqual({ id: 'P0000001', method: 'alipay', status: 'CAPTURED', amountCents: 23450, paidAt: '2026-09-09T09:26:07.595Z', updatedAt: '2026-10-04T18:59:02.613Z' });
    expect(orders.map((o) => o.status)).toEqual(['SHIPPED', 'SHIPPED', 'DELIVERED', 'DELIVERED', 'DELIVERED']);
  });

  it('maps an order without payment to payment null, and cancelled and refunded statuses', () => {
    const other = listOf(at('ordersByCustomer', 'K0000162'), 'shop', 'ordersByCustomer').map((o) => mapOrder(o, 'shop'));
    const cancelled = other.find((o) => o.id === 'O0000018');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', payment: null });
    expect(other.find((o) => o.id === 'O0000019')?.status).toBe('REFUNDED');
  });

  it('maps the RefundOrder answer: order and payment refunded', () => {
    const refunded = mapOrder(recorded.refundOrder, 'shop');
    expect(refunded).toMatchObject({ id: 'O0000004', status: 'REFUNDED', updatedAt: '2026-11-01T12:00:00.000Z', payment: { status: 'REFUNDED', amountCents: 36800 } });
    expect(refunded.items).toHaveLength(2);
  });

  it('accepts a single item not wrapped in a list, and no items at all', () => {
    const base = { id: 'O1', status: 'paid', totalCents: '100', currency: 'EUR', createdAt: 'a', updatedAt: 'b' };
    expect(mapOrder({ ...base, items: { item: { lineNo: 1, sku: 'S', name: 'n', quantity: 1, unitPriceCents: 100 } } }, 'shop').items).toHaveLength(1);
    expect(mapOrder({ ...base, items: { item: [] } }, 'shop').items).toEqual([]);
    expect(mapOrder(base, 'shop')).toMatchObject({ items: [], totalCents: 100, status: 'PAID' });
  });

  it('refuses a status the graph does not have, naming the allowed ones', () => {
    const base = { id: 'O1', status: 'lost', totalCents: 1, currency: 'EUR', createdAt: 'a', updatedAt: 'b' };
    expect(() => mapOrder(base, 'shop')).toThrow(
      'source "shop": order.status should be one of pending, paid, shipped, delivered, cancelled, refunded, but is "lost"',
    );
    expect(() => mapOrder({ ...base, status: 'paid', totalCents: 1.5 }, 'shop')).toThrow('order.totalCents should be an integer, but is 1.5');
  });
});

describe('mapShipment (wms IDoc via the xml connector fields)', () => {
  it('maps an in-transit and a delivered shipment; an order without shipment is an empty list', () => {
    expect(mapShipment(listOf(at('shipmentsByOrder', 'O0000001'), 'wms', 'shipmentsByOrder')[0], 'wms')).toEqual({
      shipmentNo: '0010000001', deliveryNo: '0080000001', carrier: 'SF Express', trackingNo: '1Z7451146730000001',
      status: 'IN_TRANSIT', shippedAt: '2026-09-20T00:20:54.000Z', deliveredAt: null,
    });
    expect(mapShipment(listOf(at('shipmentsByOrder', 'O0000003'), 'wms', 'shipmentsByOrder')[0], 'wms')).toMatchObject({ status: 'DELIVERED', deliveredAt: '2026-07-31T21:05:12.000Z' });
    expect(listOf(at('shipmentsByOrder', 'O0000018'), 'wms', 'shipmentsByOrder')).toEqual([]);
  });

  it('refuses an untranslated SAP status code', () => {
    expect(() => mapShipment({ shipmentNo: '1', status: '5' }, 'wms')).toThrow('source "wms": shipment.status should be one of in_transit, delivered, but is "5"');
  });
});

describe('mapTicket (helpdesk GraphQL)', () => {
  it('keeps the helpdesk enums and accepts lower-case ones', () => {
    const tickets = listOf(at('ticketsByUser', 'U0000041'), 'helpdesk', 'ticketsByUser').map((t) => mapTicket(t, 'helpdesk'));
    expect(tickets.map((t) => [t.id, t.status, t.priority])).toEqual([['T0000003', 'CLOSED', 'NORMAL'], ['T0000004', 'CLOSED', 'URGENT'], ['T0000005', 'RESOLVED', 'NORMAL']]);
    expect(mapTicket({ id: 'T1', subject: 's', status: 'open', priority: null }, 'helpdesk')).toMatchObject({ status: 'OPEN', priority: null });
  });
});

describe('listOf and newestFirst', () => {
  it('treats null as an empty list and refuses a non-list', () => {
    expect(listOf(null, 'shop', 'ordersByCustomer')).toEqual([]);
    expect(() => listOf({}, 'shop', 'ordersByCustomer')).toThrow('source "shop": ordersByCustomer should be a list of records, but is object');
  });

  it('sorts newest first, undated last, ties in source order', () => {
    const rows = [{ n: 1, t: '2026-01-01T00:00:00Z' }, { n: 2, t: null }, { n: 3, t: '2026-03-01T00:00:00Z' }, { n: 4, t: '2026-01-01T00:00:00Z' }];
    expect(newestFirst(rows, (r) => r.t).map((r) => r.n)).toEqual([3, 1, 4, 2]);
  });
});
