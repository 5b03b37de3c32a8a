// The lean reader against the soap package's own (wsdl.xmlToObject, with the connector's options) on every recorded
// answer of the Shop and on crafted documents: the same results once normalised by the WSDL's description (what the
// connector hands on), the same faults, and XML that is not well-formed refused the same way.
import { readFileSync } from 'node:fs';
import soap from 'soap';
import { beforeAll, describe, expect, it } from 'vitest';
import { faultOf, mapSoapError, normaliseResult, SOAP_TEXT_DESERIALIZERS } from './soap-mapping.ts';
import { describeOperations, type OperationDescription } from './soap-operations.ts';
import { NEEDS_SOAP_PARSER, soapXmlToObject, useLeanReader } from './soap-xml-to-object.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

let wsdl: InstanceType<typeof soap.WSDL>;
let ops: Map<string, OperationDescription>;

beforeAll(async () => {
  wsdl = new soap.WSDL(fixture('shop.wsdl'), 'http://127.0.0.1:7002/shop?wsdl', { customDeserializer: SOAP_TEXT_DESERIALIZERS });
  await new Promise<void>((resolve, reject) => wsdl.onReady((err: unknown) => (err ? reject(err as Error) : resolve())));
  (wsdl.options as { attributesKey?: string }).attributesKey = 'attributes'; // what soap's Client sets
  ops = describeOperations(wsdl.describeServices());
});

function outcome(parse: (xml: string) => unknown, xml: string): { value: unknown } | { error: unknown } {
  try {
    return { value: parse(xml) };
  } catch (error) {
    return { error };
  }
}

/** What the connector makes of an answer: the normalised response element, or the mapped error's code and details. */
function asConnectorSees(result: { value: unknown } | { error: unknown }, operation: string): unknown {
  if ('error' in result) {
    const mapped = mapSoapError(result.error, { connector: 'shop', operation });
    return { code: mapped.code, details: mapped.details ?? null, fault: faultOf(result.error) ?? null };
  }
  const body = (result.value as { Body?: Record<string, unknown> }).Body ?? {};
  return { value: normaliseResult(body[`${operation}Response`], ops.get(operation)!.output, operation) };
}

const ENV = (body: string, extraNs = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="http://legacy.example.com/shop"${extraNs}><soap:Body>${body}</soap:Body></soap:Envelope>`;

const ORDER = (inner: string) => ENV(`<tns:GetOrderResponse><tns:order>${inner}</tns:order></tns:GetOrderResponse>`);

const CASES: ReadonlyArray<{ name: string; operation: string; xml: () => string }> = [
  { name: 'orders of several customers (recorded)', operation: 'GetOrdersByCustomer', xml: () => fixture('get-orders-by-customer.response.xml') },
  { name: 'no orders (recorded)', operation: 'GetOrdersByCustomer', xml: () => fixture('get-orders-by-customer-empty.response.xml') },
  { name: 'a Server fault (recorded)', operation: 'GetOrdersByCustomer', xml: () => fixture('get-orders-by-customer-server.fault.xml') },
  { name: 'a truncated answer (recorded)', operation: 'GetOrdersByCustomer', xml: () => fixture('get-orders-by-customer-truncated.response.xml') },
  { name: 'one order (recorded)', operation: 'GetOrder', xml: () => fixture('get-order.response.xml') },
  { name: 'a not-found fault (recorded)', operation: 'GetOrder', xml: () => fixture('get-order-not-found.fault.xml') },
  { name: 'a refund (recorded)', operation: 'RefundOrder', xml: () => fixture('refund-order.response.xml') },
  { name: 'an already-refunded fault (recorded)', operation: 'RefundOrder', xml: () => fixture('refund-order-already-refunded.fault.xml') },
  { name: 'entities, character references, CDATA, comments, whitespace', operation: 'GetOrder', xml: () => ORDER('<tns:id> O1 </tns:id><!-- c --><tns:status>a &amp; b &lt;&#65;&#x42;&gt;</tns:status><tns:currency><![CDATA[E<U>R]]></tns:currency>') },
  { name: 'empty and self-closing elements', operation: 'GetOrder', xml: () => ORDER('<tns:id>O1</tns:id><tns:status></tns:status><tns:currency/><tns:items/><tns:payment></tns:payment>') },
  { name: 'xsi:nil', operation: 'GetOrder', xml: () => ENV('<tns:GetOrderResponse><tns:order><tns:id>O1</tns:id><tns:payment xsi:nil="true"/><tns:status xsi:nil="1"></tns:status></tns:order></tns:GetOrderResponse>', ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"') },
  { name: 'attributes and text', operation: 'GetOrder', xml: () => ORDER('<tns:id kind="shop" other=\'x\'>O1</tns:id><tns:status flag="1"/>') },
  { name: 'one item where a list is declared, and unknown fields', operation: 'GetOrder', xml: () => ORDER('<tns:id>O1</tns:id><tns:items><tns:item><tns:lineNo>1</tns:lineNo></tns:item></tns:items><tns:extra>x</tns:extra><tns:extra>y</tns:extra><tns:more><tns:a>1</tns:a></tns:more>') },
  { name: 'a SOAP 1.1 fault with a detail', operation: 'GetOrder', xml: () => ENV('<soap:Fault><faultcode>soap:Client.NotFound</faultcode><faultstring>gone</faultstring><detail><tns:ShopFault><tns:code>NotFound</tns:code></tns:ShopFault></detail></soap:Fault>') },
  { name: 'a fault without a detail', operation: 'GetOrder', xml: () => ENV('<soap:Fault><faultcode>soap:Server</faultcode><faultstring>down</faultstring></soap:Fault>') },
  { name: 'mismatched tags', operation: 'GetOrder', xml: () => ORDER('<tns:id>O1</tns:status>') },
  { name: 'an unclosed element', operation: 'GetOrder', xml: () => ORDER('<tns:id>O1').replace('</soap:Envelope>', '') },
  { name: 'an unknown entity', operation: 'GetOrder', xml: () => ORDER('<tns:id>&nope;</tns:id>') },
  { name: 'text outside the root', operation: 'GetOrder', xml: () => `${ORDER('<tns:id>O1</tns:id>')}trailing` },
  { name: 'an unquoted attribute', operation: 'GetOrder', xml: () => ORDER('<tns:id a=1>O1</tns:id>') },
  { name: 'no Envelope', operation: 'GetOrder', xml: () => '<html><body>502 Bad Gateway</body></html>' },
];

describe('soapXmlToObject', () => {
  it.each(CASES)('reads $name as the soap package does', ({ operation, xml }) => {
    const text = xml();
    const reference = asConnectorSees(outcome((x) => wsdl.xmlToObject(x), text), operation);
    expect(asConnectorSees(outcome(soapXmlToObject, text), operation)).toEqual(reference);
  });

  it('gives the package a fault error with the parsed root and a not-well-formed document as "Invalid XML"', () => {
    const fault = outcome(soapXmlToObject, fixture('get-order-not-found.fault.xml'));
    expect('error' in fault && (fault.error as Error).message).toBe('soap:Client: order O9999999 not found: {"ShopFault":{"code":"NotFound","message":"order O9999999 not found"}}');
    const invalid = outcome(soapXmlToObject, ORDER('<tns:id>O1</tns:status>'));
    expect('error' in invalid && invalid.error).toEqual({ Fault: { faultcode: 500, faultstring: 'Invalid XML', detail: 'unexpected close tag </tns:status>; expected </tns:id>', statusCode: 500 } });
  });

  it('hands SOAP-encoded references and embedded XML documents back to the soap package', () => {
    expect(outcome(soapXmlToObject, ENV('<tns:GetOrderResponse><tns:order href="#id1"/></tns:GetOrderResponse>'))).toEqual({ error: NEEDS_SOAP_PARSER });
    expect(outcome(soapXmlToObject, ORDER('<tns:id><![CDATA[<?xml version="1.0"?><a>1</a>]]></tns:id>'))).toEqual({ error: NEEDS_SOAP_PARSER });
  });

  it('reads 100,000 nested elements without recursion', () => {
    const deep = `<a>${'<b>'.repeat(100_000)}x${'</b>'.repeat(100_000)}</a>`;
    let value = (soapXmlToObject(deep) as { a: Record<string, unknown> }).a;
    let depth = 0;
    while (value !== null && typeof value === 'object' && 'b' in value) {
      value = value.b as Record<string, unknown>;
      depth += 1;
    }
    expect(depth).toBe(100_000);
  });
});

describe('useLeanReader on a soap package Client', () => {
  // A Client over an HTTP client that answers from the fixtures: the WSDL for GETs, `answer` for calls.
  async function clientAnswering(answer: string) {
    const httpClient = {
      request(_url: string, data: unknown, callback: (err: unknown, res?: unknown, body?: unknown) => void) {
        const body = data === null || data === undefined ? fixture('shop.wsdl') : answer;
        queueMicrotask(() => callback(null, { status: 200, headers: {}, data: body }, body));
        return undefined as never;
      },
    };
    return soap.createClientAsync('http://127.0.0.1:7002/shop?wsdl', { httpClient, disableCache: true, customDeserializer: SOAP_TEXT_DESERIALIZERS } as never);
  }
  type Call = (args: unknown) => Promise<[unknown]>;

  it('reads every answer of the Client, successes and faults, with the reader given', async () => {
    const client = await clientAnswering(fixture('get-order.response.xml'));
    const read: string[] = [];
    useLeanReader(client, (xml) => (read.push(xml), soapXmlToObject(xml)));
    const [result] = await (client as unknown as { GetOrderAsync: Call }).GetOrderAsync({ orderId: 'O0000020' });
    expect(read).toEqual([fixture('get-order.response.xml')]);
    expect(normaliseResult(result, ops.get('GetOrder')!.output)).toMatchObject({ order: { id: 'O0000020', totalCents: 99600 } });

    const faulty = await clientAnswering(fixture('get-order-not-found.fault.xml'));
    useLeanReader(faulty);
    const err = await (faulty as unknown as { GetOrderAsync: Call }).GetOrderAsync({ orderId: 'O9999999' }).catch((e: unknown) => e);
    expect(faultOf(err)).toMatchObject({ faultcode: 'soap:Client', faultstring: 'order O9999999 not found', detailCode: 'NotFound' });
  });

  it('lets the package read what the lean reader hands back', async () => {
    const client = await clientAnswering(fixture('get-order.response.xml'));
    let asked = 0;
    useLeanReader(client, () => {
      asked += 1;
      throw NEEDS_SOAP_PARSER;
    });
    const [result] = await (client as unknown as { GetOrderAsync: Call }).GetOrderAsync({ orderId: 'O0000020' });
    expect(asked).toBe(1);
    expect((result as { order: { id: string } }).order.id).toBe('O0000020');
  });
});
