// The pure core on recorded fixtures (real WSDL and SOAP answers of the Shop simulator, see soap-fixtures.test.ts),
// parsed offline by the soap package exactly as the connector has it parse them.
import { readFileSync } from 'node:fs';
import soap from 'soap';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignByKey } from '../connector.ts';
import { BATCH_KEYS, FIXTURE_KEYS, FIXTURE_NOW } from './fixtures/fixture-cases.ts';
import { connErr } from '../error-catalogue.ts';
import { argsAt, asList, faultOf, isNotFoundFault, mapSoapError, MappingError, normaliseResult, SOAP_TEXT_DESERIALIZERS, valueAt, type TypeDescription } from './soap-mapping.ts';
import { checkMapping, describeOperations, type OperationDescription } from './soap-operations.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

let wsdl: InstanceType<typeof soap.WSDL>;
let ops: Map<string, OperationDescription>;

beforeAll(async () => {
  wsdl = new soap.WSDL(fixture('shop.wsdl'), 'http://127.0.0.1:7002/shop?wsdl', { customDeserializer: SOAP_TEXT_DESERIALIZERS });
  await new Promise<void>((resolve, reject) => wsdl.onReady((err: unknown) => (err ? reject(err as Error) : resolve())));
  ops = describeOperations(wsdl.describeServices());
});

/** What the soap client hands back for an answer: the response element of the Body (or the error it throws). */
function parse(xml: string, operation: string): unknown {
  const envelope = wsdl.xmlToObject(xml) as { Body: Record<string, unknown> };
  return envelope.Body[`${operation}Response`];
}

function parseError(xml: string): unknown {
  try {
    wsdl.xmlToObject(xml);
  } catch (err) {
    return err;
  }
  throw new Error('expected the soap package to throw');
}

const output = (op: string) => ops.get(op)!.output;
type Order = { id: string; customerNo: string; totalCents: unknown; items: { item: Array<{ quantity: unknown; unitPriceCents: unknown }> }; payment?: { status: string; amountCents: unknown; updatedAt: string }; status: string; updatedAt: string; createdAt: string };

describe('normaliseResult on recorded answers', () => {
  it('GetOrdersByCustomer: records are matched to keys by customerNo, never by position', () => {
    const result = normaliseResult(parse(fixture('get-orders-by-customer.response.xml'), 'GetOrdersByCustomer'), output('GetOrdersByCustomer'));
    const records = asList(valueAt(result, 'orders.order')) as Order[];
    // The simulator answers by order id: the first requested customer's only order comes last.
    expect(records.map((o) => o.customerNo)).toEqual([...Array(5).fill(FIXTURE_KEYS.withOrders), FIXTURE_KEYS.withOneOrder]);
    const aligned = alignByKey(BATCH_KEYS, records, (o) => o.customerNo, true);
    const ids = (k: string) => {
      const r = aligned.get(k);
      return r?.status === 'ok' ? (r.value as Order[]).map((o) => o.id) : r?.status;
    };
    expect(ids(FIXTURE_KEYS.withOneOrder)).toEqual([FIXTURE_KEYS.singleOrder]);
    expect(ids(FIXTURE_KEYS.withOrders)).toEqual(['O0000001', 'O0000002', 'O0000003', 'O0000004', 'O0000005']);
    expect(ids(FIXTURE_KEYS.withoutOrders)).toEqual([]);
    expect(ids(FIXTURE_KEYS.unknown)).toEqual([]);
  });

  it('turns xsd:long and xsd:int text into numbers, and keeps dateTime as its ISO text', () => {
    const raw = parse(fixture('get-order.response.xml'), 'GetOrder') as { order: { totalCents: unknown } };
    expect(raw.order.totalCents).toBe('99600'); // what arrives from the soap package with text kept
    const { order } = normaliseResult(raw, output('GetOrder')) as { order: Order };
    expect(order).toMatchObject({ id: FIXTURE_KEYS.singleOrder, totalCents: 99_600, createdAt: '2026-04-29T16:50:16.478Z' });
    expect(order.items.item).toEqual([expect.objectContaining({ lineNo: 1, quantity: 4, unitPriceCents: 24_900 })]);
    expect(order.payment).toBeUndefined(); // a cancelled order was never paid
  });

  it('makes repeated elements lists whatever arrived: one element, none, or an empty wrapper', () => {
    const desc = output('GetOrdersByCustomer');
    const one = normaliseResult({ orders: { order: { id: 'O1', customerNo: 'K1', totalCents: '5', items: { item: { lineNo: '1' } } } } }, desc);
    expect(valueAt(one, 'orders.order')).toEqual([{ id: 'O1', customerNo: 'K1', totalCents: 5, items: { item: [{ lineNo: 1 }] } }]);
    expect(normaliseResult({ orders: { order: { id: 'O2', items: null } } }, desc)).toEqual({ orders: { order: [{ id: 'O2', items: { item: [] } }] } });
    const empty = normaliseResult(parse(fixture('get-orders-by-customer-empty.response.xml'), 'GetOrdersByCustomer'), desc);
    expect(empty).toEqual({ orders: { order: [] } });
  });

  it('names the field when a value does not match its XSD type', () => {
    const bad = fixture('get-order.response.xml').replace('<tns:totalCents>99600<', '<tns:totalCents>99,600<');
    let err: unknown;
    try {
      normaliseResult(parse(bad, 'GetOrder'), output('GetOrder'), 'GetOrder');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MappingError);
    const mapped = mapSoapError(err, { connector: 'shop', operation: 'GetOrder' });
    expect(mapped.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(mapped.message).toBe('connector "shop": GetOrder answered an unexpected shape: GetOrder.order.totalCents should be an xsd:long, but is "99,600"');
  });

  it('keeps integers beyond 2^53 as their digits instead of rounding them', () => {
    expect(normaliseResult({ n: '9007199254740993' }, { n: 'xsd:long' })).toEqual({ n: '9007199254740993' });
    expect(normaliseResult({ n: '-42', f: '1.5', b: 'true', d: '12.30' }, { n: 'xsd:int', f: 'xsd:double', b: 'xsd:boolean', d: 'xsd:decimal' })).toEqual({ n: -42, f: 1.5, b: true, d: '12.30' });
  });

  it('RefundOrder: the answer carries the refunded order and payment', () => {
    const { order } = normaliseResult(parse(fixture('refund-order.response.xml'), 'RefundOrder'), output('RefundOrder')) as { order: Order };
    expect(order).toMatchObject({ id: FIXTURE_KEYS.refundable, status: 'refunded', updatedAt: FIXTURE_NOW });
    expect(order.payment).toMatchObject({ status: 'refunded', amountCents: FIXTURE_KEYS.refundableTotal, updatedAt: FIXTURE_NOW });
  });
});

describe('mapSoapError on recorded faults', () => {
  it('a Client fault is CONN_ERR_SOAP_FAULT, not retriable, with the fault in the details', () => {
    const err = mapSoapError(parseError(fixture('get-order-not-found.fault.xml')), { connector: 'shop', operation: 'GetOrder' });
    expect(err.code).toBe('CONN_ERR_SOAP_FAULT');
    expect(err.retriable).toBe(false);
    expect(err.details).toEqual({ faultcode: 'soap:Client', faultstring: 'order O9999999 not found', detailCode: 'NotFound' });
    expect(err.message).toBe('connector "shop": GetOrder answered a SOAP fault soap:Client: order O9999999 not found');
    expect(isNotFoundFault(err, 'NotFound')).toBe(true);
    expect(isNotFoundFault(err, 'Missing')).toBe(false);
  });

  it('a Server fault is retriable and never means not found', () => {
    const err = mapSoapError(parseError(fixture('get-orders-by-customer-server.fault.xml')), { connector: 'shop', operation: 'GetOrdersByCustomer' });
    expect(err).toMatchObject({ code: 'CONN_ERR_SOAP_FAULT', retriable: true, details: { faultcode: 'soap:Server', detailCode: 'Hostile' } });
    const serverNotFound = mapSoapError({ root: { Envelope: { Body: { Fault: { faultcode: 'soap:Server', faultstring: 'x', detail: { code: 'NotFound' } } } } } }, { connector: 's', operation: 'Op' });
    expect(isNotFoundFault(serverNotFound, 'NotFound')).toBe(false);
  });

  it('a refused refund keeps its application code', () => {
    const err = mapSoapError(parseError(fixture('refund-order-already-refunded.fault.xml')), { connector: 'shop', operation: 'RefundOrder' });
    expect(err).toMatchObject({ code: 'CONN_ERR_SOAP_FAULT', retriable: false, details: { detailCode: 'AlreadyRefunded' } });
  });

  it('reads SOAP 1.2 faults and "Client.<code>" fault codes too', () => {
    expect(faultOf({ root: { Envelope: { Body: { Fault: { Code: { Value: 'env:Receiver', Subcode: { Value: 'app:Busy' } }, Reason: { Text: 'try later' } } } } } })).toEqual({
      faultcode: 'env:Receiver', faultstring: 'try later', detailCode: 'Busy', server: true,
    });
    expect(faultOf({ root: { Envelope: { Body: { Fault: { faultcode: 'soap:Client.NotFound', faultstring: 'no' } } } } })).toMatchObject({ detailCode: 'NotFound', server: false });
    expect(faultOf(new Error('plain'))).toBeUndefined();
  });

  it('a truncated answer is CONN_ERR_MALFORMED_RESPONSE saying what the parser found', () => {
    const err = mapSoapError(parseError(fixture('get-orders-by-customer-truncated.response.xml')), { connector: 'shop', operation: 'GetOrdersByCustomer' });
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toMatch(/^connector "shop": GetOrdersByCustomer answered XML that could not be parsed \(.+\)$/);
  });

  it('passes catalogued errors from the HTTP layer through unchanged', () => {
    const timeout = connErr.CONN_ERR_TIMEOUT('connector "shop": no answer');
    expect(mapSoapError(timeout, { connector: 'shop', operation: 'GetOrder' })).toBe(timeout);
  });
});

describe('arguments and paths', () => {
  it('argsAt builds the nested argument for a dot path; valueAt reads one', () => {
    expect(argsAt('customerNos.customerNo', ['K1', 'K2'])).toEqual({ customerNos: { customerNo: ['K1', 'K2'] } });
    expect(argsAt('orderId', 'O1')).toEqual({ orderId: 'O1' });
    expect(valueAt({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(valueAt({ a: null }, 'a.b')).toBeUndefined();
    expect(valueAt({ a: 1 }, '')).toEqual({ a: 1 });
    expect(valueAt({}, 'constructor')).toBeUndefined(); // own properties only
  });
});

describe('checkMapping against the recorded WSDL', () => {
  const demo = {
    entities: {
      ordersByCustomer: { operation: 'GetOrdersByCustomer', keysArg: 'customerNos.customerNo', resultPath: 'orders.order', keyField: 'customerNo', many: true, notFoundFault: 'NotFound' },
      order: { operation: 'GetOrder', keyArg: 'orderId', resultPath: 'order', keyField: 'id', many: false, notFoundFault: 'NotFound' },
    },
    commands: { refundOrder: { operation: 'RefundOrder', idempotent: false, resultPath: 'order' } },
  };

  it('accepts the demo mapping', () => {
    expect(checkMapping(demo, ops)).toEqual([]);
  });

  it('says what the WSDL has when an operation, argument, result path or key field does not fit', () => {
    const typo = {
      entities: {
        a: { ...demo.entities.ordersByCustomer, operation: 'GetOrdersByCustomers' },
        b: { ...demo.entities.ordersByCustomer, keysArg: 'customerNos' },
        c: { ...demo.entities.order, keyArg: 'orderNo' },
        d: { ...demo.entities.ordersByCustomer, keyField: 'customer' },
        e: { ...demo.entities.ordersByCustomer, resultPath: 'order' },
      },
      commands: { r: { operation: 'Refund', idempotent: false, resultPath: '' } },
    };
    expect(checkMapping(typo, ops)).toEqual([
      'entity "a": operation "GetOrdersByCustomers" is not in the WSDL; it has GetOrdersByCustomer, GetOrder, RefundOrder',
      'entity "b": keysArg "customerNos" is not a repeated element of GetOrdersByCustomer; for an argument that takes one key, write keyArg instead',
      'entity "c": keyArg "orderNo" is not an argument of GetOrder (its arguments: orderId)',
      'entity "d": keyField "customer" is not a field of the records at "orders.order" (they have id, customerNo, status, totalCents, currency, createdAt, updatedAt, items, payment)',
      'entity "e": resultPath "order" is not in the result of GetOrdersByCustomer (it has orders)',
      'command "r": operation "Refund" is not in the WSDL; it has GetOrdersByCustomer, GetOrder, RefundOrder',
    ]);
  });

  it('describes the WSDL types the way the connector normalises by', () => {
    const order = (output('GetOrder') as Record<string, TypeDescription>).order as Record<string, TypeDescription>;
    expect(order.totalCents).toBe('xsd:long');
    expect(Object.keys(order.items as object)).toContain('item[]');
  });
});
