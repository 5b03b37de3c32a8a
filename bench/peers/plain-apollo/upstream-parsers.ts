// Request building and answer parsing for the plain Apollo peer, the way a straightforward integration would write
// them: a SOAP envelope by hand, xml2js for the Shop's and the warehouse's XML. Pure functions, no I/O.
import { parseStringPromise, processors } from 'xml2js';

export interface PlainOrder {
  id: string;
  customerNo: string;
  status: string; // lower case, as the Shop writes it
  totalCents: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  items: Array<{ lineNo: number; sku: string; name: string; quantity: number; unitPriceCents: number }>;
  payment: { id: string; method: string; status: string; amountCents: number; paidAt: string | null; updatedAt: string | null } | null;
}

export interface PlainShipment {
  shipmentNo: string;
  deliveryNo: string | null;
  carrier: string | null;
  trackingNo: string | null;
  status: string; // in_transit | delivered
  shippedAt: string | null;
  deliveredAt: string | null;
}

type Node = Record<string, unknown>;
const asArray = <T>(v: T | T[] | undefined | null): T[] => (v === undefined || v === null || (v as unknown) === '' ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A SOAP 1.1 GetOrdersByCustomer envelope for one customer number. */
export function getOrdersEnvelope(customerNo: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    `<GetOrdersByCustomer xmlns="http://legacy.example.com/shop"><customerNos><customerNo>${escapeXml(customerNo)}</customerNo></customerNos></GetOrdersByCustomer>` +
    '</soap:Body></soap:Envelope>'
  );
}

const parseXml = (xml: string) => parseStringPromise(xml, { explicitArray: false, ignoreAttrs: true, tagNameProcessors: [processors.stripPrefix] }) as Promise<Node>;

/** The orders in a GetOrdersByCustomerResponse envelope; throws on a SOAP fault. */
export async function parseOrdersEnvelope(xml: string): Promise<PlainOrder[]> {
  const doc = await parseXml(xml);
  const body = ((doc.Envelope as Node | undefined)?.Body ?? {}) as Node;
  if (body.Fault) throw new Error(`shop fault: ${text((body.Fault as Node).faultstring)}`);
  const response = body.GetOrdersByCustomerResponse as Node | undefined;
  if (!response) throw new Error('shop: no GetOrdersByCustomerResponse in the answer');
  return asArray((response.orders as Node | undefined)?.order as Node | Node[]).map((o) => {
    const p = o.payment as Node | undefined;
    return {
      id: text(o.id),
      customerNo: text(o.customerNo),
      status: text(o.status),
      totalCents: Number(o.totalCents),
      currency: text(o.currency),
      createdAt: text(o.createdAt),
      updatedAt: text(o.updatedAt),
      items: asArray((o.items as Node | undefined)?.item as Node | Node[]).map((i) => ({
        lineNo: Number(i.lineNo),
        sku: text(i.sku),
        name: text(i.name),
        quantity: Number(i.quantity),
        unitPriceCents: Number(i.unitPriceCents),
      })),
      payment: p
        ? { id: text(p.id), method: text(p.method), status: text(p.status), amountCents: Number(p.amountCents), paidAt: text(p.paidAt) || null, updatedAt: text(p.updatedAt) || null }
        : null,
    };
  });
}

const CARRIERS: Record<string, string> = { '0000300001': 'DHL', '0000300002': 'UPS', '0000300003': 'DPD', '0000300004': 'SF Express' };

function sapTime(deadlines: Node[], qualifier: string): string | null {
  const d = deadlines.find((x) => text(x.QUALF) === qualifier);
  if (!d) return null;
  const date = text(d.DATUM);
  const time = text(d.UZEIT).padEnd(6, '0');
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`;
}

/** The shipments in a SHPMNT05 IDoc packet. */
export async function parseShipments(xml: string): Promise<PlainShipment[]> {
  const doc = await parseXml(xml);
  if (doc.ERROR) throw new Error(`wms error: ${text((doc.ERROR as Node).MESSAGE)}`);
  const packet = doc.SHPMNT05 as Node | string | undefined;
  if (packet === undefined) throw new Error('wms: no SHPMNT05 packet in the answer');
  if (typeof packet === 'string') return [];
  return asArray(packet.IDOC as Node | Node[]).map((idoc) => {
    const h = (idoc.E1EDT20 ?? {}) as Node;
    const deadlines = asArray(h.E1EDT10 as Node | Node[]);
    return {
      shipmentNo: text(h.TKNUM),
      deliveryNo: text((h.E1EDL20 as Node | undefined)?.VBELN) || null,
      carrier: CARRIERS[text(h.TDLNR)] ?? null,
      trackingNo: text(h.TRAID) || null,
      status: text(h.STTRG) === '7' ? 'delivered' : 'in_transit',
      shippedAt: sapTime(deadlines, '006'),
      deliveredAt: sapTime(deadlines, '007'),
    };
  });
}
