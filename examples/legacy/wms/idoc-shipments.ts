// Rendering WMS shipments as an XML IDoc packet in the style of SAP's SHPMNT05 (message type SHPMNT), the way an
// SAP XML file port writes it: one <IDOC> per shipment under the <SHPMNT05> root, each with its control record
// (EDI_DC40) and one shipment segment (E1EDT20). Pure: the caller passes the IDoc numbers and the export time.
// The field mapping is documented in README.md.
import type { WmsShipment, WmsStatus } from './wms-shipment-store.ts';

/** Overall transportation status (VTTK-STTRG): 6 = shipment start (goods left the warehouse), 7 = shipment end. */
export const STTRG_BY_STATUS: Readonly<Record<WmsStatus, string>> = { in_transit: '6', delivered: '7' };
export const STATUS_BY_STTRG: Readonly<Record<string, WmsStatus>> = { '6': 'in_transit', '7': 'delivered' };

/** Deadline qualifiers (E1EDT10-QUALF) used by this WMS: actual shipment start and actual shipment end. */
export const QUALF_SHIPMENT_START = '006';
export const QUALF_SHIPMENT_END = '007';

/** Service agent (forwarding agent) vendor numbers (TDLNR) of the demo carriers. */
export const TDLNR_BY_CARRIER: Readonly<Record<string, string>> = {
  DHL: '0000300001',
  UPS: '0000300002',
  DPD: '0000300003',
  'SF Express': '0000300004',
};

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** SAP date (DATUM, YYYYMMDD) and time (UZEIT, HHMMSS) of an instant, in UTC (the WMS runs in UTC). */
export function sapDateTime(ms: number): { date: string; time: string } {
  const iso = new Date(ms).toISOString(); // 2026-11-01T12:34:56.789Z
  return { date: iso.slice(0, 10).replaceAll('-', ''), time: iso.slice(11, 19).replaceAll(':', '') };
}

/** SAP long timestamp (TIMESTAMPL, YYYYMMDDhhmmss.sssssss) of an instant, in UTC. */
export function sapTimestampLong(ms: number): string {
  const { date, time } = sapDateTime(ms);
  return `${date}${time}.${String(ms % 1000).padStart(3, '0')}0000`;
}

/** Reads a SAP long timestamp back into ms since the epoch (NaN when it is not one). */
export function parseSapTimestampLong(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (!m) return Number.NaN;
  const ms = Number((m[7] ?? '0').padEnd(7, '0').slice(0, 3));
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

const el = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;

export interface ControlRecord {
  /** IDoc number (DOCNUM), unique per IDoc. */
  readonly docnum: number;
  /** Export time (CREDAT/CRETIM). */
  readonly createdAtMs: number;
}

export function renderControlRecord(control: ControlRecord): string {
  const { date, time } = sapDateTime(control.createdAtMs);
  return (
    '<EDI_DC40 SEGMENT="1">' +
    el('TABNAM', 'EDI_DC40') + el('MANDT', '100') + el('DOCNUM', String(control.docnum).padStart(16, '0')) + el('DOCREL', '750') +
    el('STATUS', '30') + el('DIRECT', '1') + el('OUTMOD', '2') + el('IDOCTYP', 'SHPMNT05') + el('CIMTYP', 'ZSHPMNT05') +
    el('MESTYP', 'SHPMNT') + el('SNDPOR', 'SAPWMS') + el('SNDPRT', 'LS') + el('SNDPRN', 'WMS') +
    el('RCVPOR', 'UNICS') + el('RCVPRT', 'LS') + el('RCVPRN', 'UNICS') + el('CREDAT', date) + el('CRETIM', time) +
    '</EDI_DC40>'
  );
}

function deadline(qualifier: string, iso: string): string {
  const { date, time } = sapDateTime(Date.parse(iso));
  return `<E1EDT10 SEGMENT="1">${el('QUALF', qualifier)}${el('DATUM', date)}${el('UZEIT', time)}</E1EDT10>`;
}

/** One shipment segment (E1EDT20) with its deadlines, its delivery and items, and the change-stamp extension. */
export function renderShipmentSegment(s: WmsShipment): string {
  const items = s.items
    .map((item) => {
      const posnr = String(item.lineNo * 10).padStart(6, '0');
      return (
        '<E1EDL24 SEGMENT="1">' +
        el('POSNR', posnr) + el('MATNR', item.sku) + el('ARKTX', item.name) + el('LFIMG', item.quantity.toFixed(3)) +
        el('VRKME', 'ST') + el('VGBEL', s.orderId) + el('VGPOS', posnr) +
        '</E1EDL24>'
      );
    })
    .join('');
  const changed = sapDateTime(s.changedAt);
  return (
    '<E1EDT20 SEGMENT="1">' +
    el('TKNUM', s.shipmentNo) + el('SHTYP', '0001') + el('VSART', '01') + el('TDLNR', TDLNR_BY_CARRIER[s.carrier] ?? s.carrier) +
    el('EXTI1', `BL${s.shipmentNo}`) + el('TRAID', s.trackingNo) + el('STTRG', STTRG_BY_STATUS[s.status]) +
    deadline(QUALF_SHIPMENT_START, s.shippedAt) +
    (s.deliveredAt === null ? '' : deadline(QUALF_SHIPMENT_END, s.deliveredAt)) +
    '<E1EDL20 SEGMENT="1">' + el('VBELN', s.deliveryNo) + el('LGNUM', s.warehouse) + items + '</E1EDL20>' +
    '<Z1EDT20 SEGMENT="1">' + el('AEDAT', changed.date) + el('AEZET', changed.time) + el('TIMESTAMPL', sapTimestampLong(s.changedAt)) + '</Z1EDT20>' +
    '</E1EDT20>'
  );
}

/** One <IDOC> holding one shipment. */
export function renderIdoc(s: WmsShipment, control: ControlRecord): string {
  return `<IDOC BEGIN="1">${renderControlRecord(control)}${renderShipmentSegment(s)}</IDOC>`;
}

/**
 * The whole packet: `<SHPMNT05>` with one IDOC per shipment, in the order given (the simulator passes them in its
 * own order, never the request's). No shipments gives an empty <SHPMNT05/>.
 */
export function renderShipmentPacket(shipments: readonly WmsShipment[], firstDocnum: number, createdAtMs: number): string {
  const idocs = shipments.map((s, i) => renderIdoc(s, { docnum: firstDocnum + i, createdAtMs })).join('\n');
  return `${XML_DECL}\n<SHPMNT05>${idocs === '' ? '' : `\n${idocs}\n`}</SHPMNT05>\n`;
}

/** The WMS's error document (HTTP 4xx/5xx bodies). */
export function renderError(code: string, message: string): string {
  return `${XML_DECL}\n<ERROR>${el('CODE', code)}${el('MESSAGE', message)}</ERROR>\n`;
}
