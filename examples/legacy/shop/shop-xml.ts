// The Shop's SOAP 1.1 wire format: the request envelope is parsed with xml2js after refusing DOCTYPE and entity
// declarations; answers are written with string templates, escaping every text value.
import { parseStringPromise, processors } from 'xml2js';
import type { ShopOrder } from './shop-queries.ts';
import { SHOP_NS } from './shop-wsdl.ts';

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A SOAP fault the simulator answers with: `Client` for a bad request, `Server` for its own failures. */
export class ShopFault extends Error {
  readonly faultcode: 'Client' | 'Server';
  /** The application code in the fault detail (NotFound, AlreadyRefunded, InvalidAmount, ...). */
  readonly code: string;
  constructor(faultcode: 'Client' | 'Server', code: string, message: string) {
    super(message);
    this.name = 'ShopFault';
    this.faultcode = faultcode;
    this.code = code;
  }
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for XML content and attribute values. Characters XML 1.0 cannot carry at all are dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '') // eslint-disable-line no-control-regex
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

export function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="${SOAP_ENV}" xmlns:tns="${SHOP_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

export function faultEnvelope(fault: ShopFault): string {
  return envelope(
    `<soap:Fault><faultcode>soap:${fault.faultcode}</faultcode><faultstring>${escapeXml(fault.message)}</faultstring>` +
      `<detail><tns:ShopFault><tns:code>${escapeXml(fault.code)}</tns:code><tns:message>${escapeXml(fault.message)}</tns:message></tns:ShopFault></detail></soap:Fault>`,
  );
}

const el = (name: string, value: string | number) => `<tns:${name}>${escapeXml(String(value))}</tns:${name}>`;
const optional = (name: string, value: string | null) => (value === null ? '' : el(name, value));

export function orderXml(o: ShopOrder, tag = 'order'): string {
  const items = o.items
    .map((i) => `<tns:item>${el('lineNo', i.lineNo)}${el('sku', i.sku)}${el('name', i.name)}${el('quantity', i.quantity)}${el('unitPriceCents', i.unitPriceCents)}</tns:item>`)
    .join('');
  const p = o.payment;
  const payment = p
    ? `<tns:payment>${el('id', p.id)}${el('method', p.method)}${el('status', p.status)}${el('amountCents', p.amountCents)}${optional('paidAt', p.paidAt)}${el('updatedAt', p.updatedAt)}</tns:payment>`
    : '';
  return (
    `<tns:${tag}>${el('id', o.id)}${el('customerNo', o.customerNo)}${el('status', o.status)}${el('totalCents', o.totalCents)}` +
    `${el('currency', o.currency)}${optional('createdAt', o.createdAt)}${el('updatedAt', o.updatedAt)}<tns:items>${items}</tns:items>${payment}</tns:${tag}>`
  );
}

// xml2js with explicitArray: every child is an array of nodes; a node is its text, or an object with `_` (text),
// `$` (attributes) and its children.
type XmlNode = string | { readonly _?: string; readonly $?: unknown; readonly [child: string]: unknown };

const children = (node: XmlNode | undefined, name: string): XmlNode[] =>
  node !== undefined && typeof node === 'object' && Array.isArray(node[name]) ? (node[name] as XmlNode[]) : [];
const textOf = (node: XmlNode | undefined): string => (node === undefined ? '' : typeof node === 'string' ? node : (node._ ?? '')).trim();

export interface SoapRequest {
  /** The body's first element: the operation (document/literal wrapped). */
  readonly operation: string;
  /** The operation element's children: each name with the texts of its occurrences, and nested lists one level down. */
  text(name: string): string | undefined;
  list(wrapper: string, item: string): string[];
}

/** Parses a SOAP 1.1 request envelope; throws a Client ShopFault when it is not one. */
export async function parseSoapRequest(xml: string): Promise<SoapRequest> {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new ShopFault('Client', 'Forbidden', 'DOCTYPE and entity declarations are not accepted');
  let doc: Record<string, XmlNode[] | XmlNode>;
  try {
    doc = (await parseStringPromise(xml, { explicitArray: true, tagNameProcessors: [processors.stripPrefix], strict: true })) as typeof doc;
  } catch (err) {
    throw new ShopFault('Client', 'InvalidXml', `the request is not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  const env = doc.Envelope as XmlNode | undefined;
  const body = children(env, 'Body')[0];
  if (body === undefined || typeof body !== 'object') throw new ShopFault('Client', 'InvalidEnvelope', 'expected a SOAP 1.1 Envelope with a Body');
  const operation = Object.keys(body).find((k) => k !== '$' && k !== '_');
  if (operation === undefined) throw new ShopFault('Client', 'InvalidEnvelope', 'the SOAP Body is empty');
  const op = children(body, operation)[0];
  return {
    operation,
    text: (name) => {
      const node = children(op, name)[0];
      return node === undefined ? undefined : textOf(node);
    },
    list: (wrapper, item) => children(children(op, wrapper)[0], item).map(textOf),
  };
}
