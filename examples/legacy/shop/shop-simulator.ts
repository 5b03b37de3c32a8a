// The Shop simulator: a SOAP 1.1 service with a real WSDL over the Shop's PostgreSQL tables (schema "shop").
//   GET  /shop?wsdl                      the WSDL (document/literal, SOAP 1.1 binding)
//   POST /shop  (SOAPAction: ".../Op")   GetOrdersByCustomer, GetOrder, RefundOrder
// Knobs (see simulator-kit.ts): hostile -> a soap:Server fault for every call; malformed -> truncated XML;
// oversized -> a ~20 MB answer; errorRate -> soap:Server faults (HTTP 500).
import type { ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../../common/clock.ts';
import { createSimulator, streamOversized, truncate, type Simulator, type SimulatorRequest } from '../simulator-kit.ts';
import type { ShopDatabase } from './shop-database.ts';
import { orderById, ordersByCustomers, refundOrder, type ShopOrder } from './shop-queries.ts';
import { MAX_CUSTOMER_NOS, SHOP_OPERATIONS, shopWsdl, soapActionOf, type ShopOperation } from './shop-wsdl.ts';
import { envelope, faultEnvelope, orderXml, parseSoapRequest, ShopFault, type SoapRequest } from './shop-xml.ts';

export interface ShopSimulatorOptions {
  readonly db: ShopDatabase;
  /** Stamps updated_at on refunds. Default the system clock. */
  readonly clock?: Clock;
  /** Size of the `oversized` knob's answer in bytes. Default 20 MiB. */
  readonly oversizedBytes?: number;
}

const XML = 'text/xml; charset=utf-8';

function send(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': XML, 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

function sendFault(res: ServerResponse, fault: ShopFault): void {
  send(res, 500, faultEnvelope(fault)); // SOAP 1.1: faults travel with HTTP 500, Client faults included
}

/** A valid-looking answer far over any sane size limit: XML comments inside the orders list (see streamOversized). */
function sendOversized(res: ServerResponse, bytes: number): Promise<void> {
  return streamOversized(res, {
    contentType: XML,
    head: envelope('<tns:GetOrdersByCustomerResponse><tns:orders>').replace('</soap:Body></soap:Envelope>', ''),
    item: `<!-- ${'x'.repeat(64 * 1024)} -->`,
    tail: '</tns:orders></tns:GetOrdersByCustomerResponse></soap:Body></soap:Envelope>',
    bytes,
  });
}

function required(req: SoapRequest, name: string): string {
  const value = req.text(name);
  if (value === undefined || value === '') throw new ShopFault('Client', 'InvalidRequest', `${req.operation}: <${name}> is required`);
  return value;
}

async function perform(db: ShopDatabase, clock: Clock, op: ShopOperation, req: SoapRequest): Promise<string> {
  switch (op) {
    case 'GetOrdersByCustomer': {
      const customerNos = req.list('customerNos', 'customerNo').filter((c) => c !== '');
      if (customerNos.length > MAX_CUSTOMER_NOS) {
        throw new ShopFault('Client', 'TooManyKeys', `GetOrdersByCustomer accepts at most ${MAX_CUSTOMER_NOS} customerNo, but got ${customerNos.length}`);
      }
      const orders = await ordersByCustomers(db, [...new Set(customerNos)]);
      return `<tns:GetOrdersByCustomerResponse><tns:orders>${orders.map((o) => orderXml(o)).join('')}</tns:orders></tns:GetOrdersByCustomerResponse>`;
    }
    case 'GetOrder': {
      const orderId = required(req, 'orderId');
      const order = await orderById(db, orderId);
      if (!order) throw new ShopFault('Client', 'NotFound', `order ${orderId} not found`);
      return `<tns:GetOrderResponse>${orderXml(order)}</tns:GetOrderResponse>`;
    }
    case 'RefundOrder': {
      const orderId = required(req, 'orderId');
      const amountText = required(req, 'amountCents');
      if (!/^\d{1,15}$/.test(amountText)) throw new ShopFault('Client', 'InvalidAmount', `amountCents must be a whole number of cents, but got "${amountText}"`);
      const order: ShopOrder = await refundOrder(db, orderId, Number(amountText), required(req, 'reason'), new Date(clock.now()).toISOString());
      return `<tns:RefundOrderResponse>${orderXml(order)}</tns:RefundOrderResponse>`;
    }
  }
}

export function createShopSimulator(opts: ShopSimulatorOptions): Simulator {
  const { db } = opts;
  const clock = opts.clock ?? systemClock;
  const oversizedBytes = opts.oversizedBytes ?? 20 * 1024 * 1024;

  async function handle({ req, url, body, knobs, count }: SimulatorRequest, res: ServerResponse): Promise<void> {
    if (url.pathname !== '/shop') {
      count('(unknown path)');
      return send(res, 404, envelope(''));
    }
    if (req.method === 'GET' && [...url.searchParams.keys()].some((k) => k.toLowerCase() === 'wsdl')) {
      count('GET wsdl');
      const xml = shopWsdl(`http://${req.headers.host ?? '127.0.0.1'}/shop`);
      return send(res, 200, knobs.malformed ? truncate(xml) : xml);
    }
    if (req.method !== 'POST') {
      count(`${req.method ?? 'GET'} /shop`);
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' });
      return void res.end('POST a SOAP 1.1 envelope, or GET /shop?wsdl');
    }

    let soap: SoapRequest;
    try {
      soap = await parseSoapRequest(body.toString('utf8'));
    } catch (err) {
      count('SOAP (invalid)');
      if (err instanceof ShopFault) return sendFault(res, err);
      throw err;
    }
    const op = SHOP_OPERATIONS.find((o) => o === soap.operation);
    count(`SOAP ${op ?? '(unknown)'}`);
    try {
      if (!op) throw new ShopFault('Client', 'UnknownOperation', `unknown operation ${soap.operation}; this service has ${SHOP_OPERATIONS.join(', ')}`);
      const header = req.headers.soapaction;
      const action = (Array.isArray(header) ? header[0] : header)?.replace(/^"|"$/g, '');
      if (action !== undefined && action !== '' && action !== soapActionOf(op)) {
        throw new ShopFault('Client', 'ActionMismatch', `SOAPAction "${action}" does not match the body element ${op} (expected "${soapActionOf(op)}")`);
      }
      if (knobs.hostile) throw new ShopFault('Server', 'Hostile', 'Shop simulator: the service is failing on purpose (hostile knob)');
      if (knobs.oversized) return sendOversized(res, oversizedBytes);
      const xml = envelope(await perform(db, clock, op, soap));
      return send(res, 200, knobs.malformed ? truncate(xml) : xml);
    } catch (err) {
      if (err instanceof ShopFault) return sendFault(res, err);
      return sendFault(res, new ShopFault('Server', 'Internal', `Shop simulator: ${(err as Error).message}`));
    }
  }

  return createSimulator({
    name: 'shop',
    handle,
    errorResponse: (res) => sendFault(res, new ShopFault('Server', 'Unavailable', 'Shop simulator: injected failure')),
  });
}
