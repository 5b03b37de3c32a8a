// The WMS (warehouse) legacy simulator: XML over plain HTTP, no SOAP, answering with SAP-style SHPMNT05 IDoc packets
// (see idoc-shipments.ts and README.md). It behaves like the exports UniCS meets in the field: the batch answer lists
// shipments in the warehouse's own order and silently leaves out orders without a shipment (clients must align by
// key), change capture pages by change stamp, and the kit's knobs make it slow, failing, hanging, truncated,
// enormous or outright hostile (entity bombs, XXE, deep nesting).
import type { ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../../common/clock.ts';
import { parseXmlSafely } from '../../../connectors/xml/safe-xml.ts';
import { compileXmlPath, selectAll, selectText, textOf } from '../../../connectors/xml/xml-path.ts';
import type { DemoData } from '../demo-data.ts';
import { createSimulator, streamOversized, truncate, type Simulator, type SimulatorKnobs, type SimulatorRequest } from '../simulator-kit.ts';
import { hostileDocument, HOSTILE_KINDS, type HostileKind } from './hostile-documents.ts';
import { parseSapTimestampLong, renderError, renderIdoc, renderShipmentPacket, STATUS_BY_STTRG } from './idoc-shipments.ts';
import { createWmsShipmentStore, type WmsShipment, type WmsStatus } from './wms-shipment-store.ts';

export interface WmsSimulatorOptions {
  readonly data: DemoData;
  /** Which attack the `hostile` knob sends. Default 'entity-bomb'. */
  readonly hostileKind?: HostileKind;
  /** Drives change stamps and export times. Default the system clock. */
  readonly clock?: Clock;
  readonly knobs?: Partial<SimulatorKnobs>;
}

export type WmsSimulator = Simulator & {
  /** Sets a shipment's status (by TKNUM or sales order id), stamping it as changed now; undefined when unknown. */
  setShipmentStatus(key: string, status: WmsStatus, atIso?: string): WmsShipment | undefined;
  /** The current state of one shipment (by TKNUM or sales order id), for tests. */
  shipment(key: string): WmsShipment | undefined;
  /** Chooses the attack the `hostile` knob sends. */
  setHostileKind(kind: HostileKind): void;
  hostileKind(): HostileKind;
};

export const WMS_SHIPMENTS_PATH = '/idoc/shipments';
/** Most order ids one request may carry. */
export const WMS_MAX_ORDERS = 500;
const DEFAULT_CHANGES_LIMIT = 500;
/** The body size the `oversized` knob streams. */
export const WMS_OVERSIZED_BYTES = 30 * 1024 * 1024;
const XML_TYPE = 'application/xml; charset=utf-8';
const QUERY_ORDER_IDS = compileXmlPath('ShipmentQuery.ORDER_ID');

class WmsInputError extends Error {}

/**
 * Creates the WMS simulator. Routes:
 *  GET  /idoc/shipments?orders=O0000001,O0000002        shipments of up to 500 orders
 *  POST /idoc/shipments  <ShipmentQuery><ORDER_ID>…       the same, orders listed in an XML body
 *  GET  /idoc/shipments?changed_since=ISO[&after=TKNUM][&limit=N]   change capture, oldest change first
 *  POST /idoc/shipments/{TKNUM}/status  <StatusUpdate><STTRG>7</STTRG>[<DATUM/><UZEIT/>]</StatusUpdate>
 *  POST /__wms/hostile-kind?kind=external-entity         chooses the attack (not counted)
 * Knobs: `malformed` truncates the XML, `oversized` streams ~30 MB of valid IDocs, `hostile` sends the chosen
 * attack, errorRate answers HTTP 500 with an XML error document; latency and hang come from the kit.
 */
export function createWmsSimulator(options: WmsSimulatorOptions): WmsSimulator {
  const clock = options.clock ?? systemClock;
  const store = createWmsShipmentStore(options.data, clock);
  let hostileKind: HostileKind = options.hostileKind ?? 'entity-bomb';
  let docnum = 1;

  const sendXml = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': XML_TYPE, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function handle(sr: SimulatorRequest, res: ServerResponse): Promise<void> {
    const method = sr.req.method ?? 'GET';
    const path = sr.url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/__wms/hostile-kind' && method === 'POST') {
      const kind = sr.url.searchParams.get('kind') ?? '';
      if (!(HOSTILE_KINDS as readonly string[]).includes(kind)) return sendXml(res, 400, renderError('BAD_KIND', `kind must be one of ${HOSTILE_KINDS.join(', ')}`));
      hostileKind = kind as HostileKind;
      return sendXml(res, 200, renderError('OK', `hostile kind is ${hostileKind}`));
    }
    const status = /^\/idoc\/shipments\/([^/]+)\/status$/.exec(path);
    try {
      if (path === WMS_SHIPMENTS_PATH && method === 'GET' && sr.url.searchParams.has('changed_since')) {
        sr.count('GET /idoc/shipments:changes');
        return answer(sr, res, changes(sr.url.searchParams));
      }
      if (path === WMS_SHIPMENTS_PATH && method === 'GET') {
        sr.count('GET /idoc/shipments');
        const orders = (sr.url.searchParams.get('orders') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        return answer(sr, res, byOrders(orders));
      }
      if (path === WMS_SHIPMENTS_PATH && method === 'POST') {
        sr.count('POST /idoc/shipments');
        const doc = await readXml(sr.body);
        if (!Object.hasOwn(doc, 'ShipmentQuery')) throw new WmsInputError('the body must be a <ShipmentQuery> listing <ORDER_ID> elements');
        const orders = selectAll(doc, QUERY_ORDER_IDS).map((n) => textOf(n)?.trim() ?? '').filter((s) => s !== '');
        return answer(sr, res, byOrders(orders));
      }
      if (status && method === 'POST') {
        sr.count('POST /idoc/shipments/:tknum/status');
        const tknum = decodeURIComponent(status[1]!);
        const update = await readStatusUpdate(sr.body);
        const updated = store.get(tknum)?.shipmentNo === tknum ? store.setStatus(tknum, update.status, update.atMs) : undefined;
        if (!updated) return sendXml(res, 404, renderError('NOT_FOUND', `no shipment ${tknum}`));
        return sendXml(res, 200, renderShipmentPacket([updated], docnum++, clock.now()));
      }
      sr.count('(unknown)');
      return sendXml(res, path.startsWith(WMS_SHIPMENTS_PATH) ? 405 : 404, renderError('NOT_FOUND', `no route ${method} ${path}`));
    } catch (err) {
      if (err instanceof WmsInputError) return sendXml(res, 400, renderError('BAD_REQUEST', err.message));
      throw err;
    }
  }

  function byOrders(orders: readonly string[]): WmsShipment[] {
    if (orders.length === 0) throw new WmsInputError('list at least one order id (orders=O0000001,O0000002)');
    if (orders.length > WMS_MAX_ORDERS) throw new WmsInputError(`at most ${WMS_MAX_ORDERS} orders per request, got ${orders.length}`);
    // The warehouse's own order: grouped by warehouse, newest shipment first; never the order asked in.
    return store.byOrders(orders).sort((a, b) => a.warehouse.localeCompare(b.warehouse) || b.shipmentNo.localeCompare(a.shipmentNo));
  }

  function changes(q: URLSearchParams): WmsShipment[] {
    const since = q.get('changed_since') ?? '';
    const sinceMs = /^\d{14}(\.\d+)?$/.test(since) ? parseSapTimestampLong(since) : Date.parse(since);
    if (!Number.isFinite(sinceMs)) throw new WmsInputError(`changed_since must be an ISO time or a SAP timestamp (YYYYMMDDhhmmss.sss), but got ${JSON.stringify(since)}`);
    const limitText = q.get('limit');
    const limit = limitText === null ? DEFAULT_CHANGES_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > WMS_MAX_ORDERS) throw new WmsInputError(`limit must be a whole number from 1 to ${WMS_MAX_ORDERS}, but got ${JSON.stringify(limitText)}`);
    return store.changedSince(sinceMs, q.get('after') ?? '', limit);
  }

  /** A 200 answer with the packet, broken on purpose when a knob says so. */
  async function answer(sr: SimulatorRequest, res: ServerResponse, shipments: readonly WmsShipment[]): Promise<void> {
    if (sr.knobs.hostile) {
      const doc = hostileDocument(hostileKind);
      res.writeHead(200, { 'content-type': doc.contentType, 'content-length': doc.body.length });
      res.end(doc.body);
      return;
    }
    if (sr.knobs.oversized) return sendOversized(res, shipments[0] ?? store.get('0010000001'), docnum++, clock.now());
    const text = renderShipmentPacket(shipments, docnum, clock.now());
    docnum += shipments.length;
    sendXml(res, 200, sr.knobs.malformed ? truncate(text) : text);
  }

  const sim = createSimulator({
    name: 'wms',
    handle,
    knobs: options.knobs,
    errorResponse: (res) => sendXml(res, 500, renderError('SYSTEM_FAILURE', 'wms simulator: injected failure')),
  });
  return Object.assign(sim, {
    setShipmentStatus: (key: string, status: WmsStatus, atIso?: string) => store.setStatus(key, status, atIso === undefined ? undefined : Date.parse(atIso)),
    shipment: (key: string) => store.get(key),
    setHostileKind: (kind: HostileKind) => {
      hostileKind = kind;
    },
    hostileKind: () => hostileKind,
  });
}

async function readXml(body: Buffer) {
  try {
    return await parseXmlSafely(body, { maxBytes: 1024 * 1024, maxDepth: 16 }, { connector: 'wms-simulator' });
  } catch (err) {
    throw new WmsInputError(`the body is not acceptable XML: ${(err as Error).message}`);
  }
}

async function readStatusUpdate(body: Buffer): Promise<{ status: WmsStatus; atMs?: number }> {
  const doc = await readXml(body);
  const root = doc['StatusUpdate'];
  if (!Object.hasOwn(doc, 'StatusUpdate') || root === undefined) throw new WmsInputError('the body must be a <StatusUpdate> with <STTRG>');
  const sttrg = selectText(root, compileXmlPath('STTRG'))?.trim() ?? '';
  const status = STATUS_BY_STTRG[sttrg];
  if (status === undefined) throw new WmsInputError(`STTRG must be ${Object.keys(STATUS_BY_STTRG).join(' or ')}, but got ${JSON.stringify(sttrg)}`);
  const date = selectText(root, compileXmlPath('DATUM'))?.trim();
  if (date === undefined || date === '') return { status };
  const time = selectText(root, compileXmlPath('UZEIT'))?.trim() || '000000';
  const atMs = parseSapTimestampLong(`${date}${time}`);
  if (!Number.isFinite(atMs)) throw new WmsInputError(`DATUM/UZEIT must be YYYYMMDD/HHMMSS, but got ${JSON.stringify(`${date}/${time}`)}`);
  return { status, atMs };
}

/** Streams ~30 MB of valid IDocs: one shipment's IDoc repeated (see streamOversized). */
function sendOversized(res: ServerResponse, sample: WmsShipment | undefined, docnum: number, nowMs: number): Promise<void> {
  const idoc = sample ? renderIdoc(sample, { docnum, createdAtMs: nowMs }) : '<IDOC BEGIN="1"/>';
  return streamOversized(res, { contentType: XML_TYPE, head: '<?xml version="1.0" encoding="UTF-8"?>\n<SHPMNT05>\n', item: `${idoc}\n`, tail: '</SHPMNT05>\n', bytes: WMS_OVERSIZED_BYTES });
}
