// The WMS simulator's state: the demo shipments, keyed by SAP shipment number (TKNUM) and by sales order, with a
// change timestamp per shipment for change capture. Status changes made through the API or by tests land here.
import type { Clock } from '../../../common/clock.ts';
import type { DemoData } from '../demo-data.ts';

export type WmsStatus = 'in_transit' | 'delivered';

export interface WmsItem {
  readonly lineNo: number;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
}

export interface WmsShipment {
  /** SAP shipment number (TKNUM), 10 digits. */
  readonly shipmentNo: string;
  /** Outbound delivery number (VBELN): the demo data's shipment id, 0080000001 … */
  readonly deliveryNo: string;
  readonly orderId: string;
  readonly carrier: string;
  readonly trackingNo: string;
  readonly warehouse: string;
  readonly status: WmsStatus;
  readonly shippedAt: string;
  readonly deliveredAt: string | null;
  /** Last change (ms since the epoch): the cursor of change capture. */
  readonly changedAt: number;
  readonly items: readonly WmsItem[];
}

export interface WmsShipmentStore {
  byOrders(orderIds: readonly string[]): WmsShipment[];
  /** By shipment number (TKNUM) or sales order id. */
  get(key: string): WmsShipment | undefined;
  /** Changes after (changedAt, shipmentNo) > (sinceMs, afterShipmentNo), oldest first. */
  changedSince(sinceMs: number, afterShipmentNo: string, limit: number): WmsShipment[];
  setStatus(key: string, status: WmsStatus, atMs?: number): WmsShipment | undefined;
  size(): number;
}

export const shipmentNumber = (index: number) => String(10_000_001 + index).padStart(10, '0');

export function createWmsShipmentStore(data: DemoData, clock: Clock): WmsShipmentStore {
  const itemsByOrder = new Map<string, WmsItem[]>();
  for (const item of data.items) {
    const list = itemsByOrder.get(item.orderId) ?? [];
    list.push({ lineNo: item.lineNo, sku: item.sku, name: item.name, quantity: item.quantity });
    itemsByOrder.set(item.orderId, list);
  }
  const byNo = new Map<string, WmsShipment>();
  const byOrder = new Map<string, string>();
  // Demo data is stamped around its own "now", which may be ahead of the real clock.
  let lastChange = 0;
  data.shipments.forEach((s, i) => {
    const shipment: WmsShipment = {
      shipmentNo: shipmentNumber(i),
      deliveryNo: s.id,
      orderId: s.orderId,
      carrier: s.carrier,
      trackingNo: s.trackingNo,
      warehouse: s.warehouse,
      status: s.status,
      shippedAt: s.shippedAt,
      deliveredAt: s.deliveredAt,
      changedAt: Date.parse(s.deliveredAt ?? s.shippedAt),
      items: itemsByOrder.get(s.orderId) ?? [],
    };
    byNo.set(shipment.shipmentNo, shipment);
    byOrder.set(shipment.orderId, shipment.shipmentNo);
    lastChange = Math.max(lastChange, shipment.changedAt);
  });

  const get = (key: string) => byNo.get(byOrder.get(key) ?? key);

  return {
    byOrders(orderIds) {
      const out: WmsShipment[] = [];
      const seen = new Set<string>();
      for (const id of orderIds) {
        const s = get(id);
        if (s && s.orderId === id && !seen.has(s.shipmentNo)) {
          seen.add(s.shipmentNo);
          out.push(s);
        }
      }
      return out;
    },
    get,
    changedSince(sinceMs, afterShipmentNo, limit) {
      const out: WmsShipment[] = [];
      for (const s of byNo.values()) {
        if (s.changedAt > sinceMs || (s.changedAt === sinceMs && s.shipmentNo > afterShipmentNo)) out.push(s);
      }
      out.sort((a, b) => a.changedAt - b.changedAt || (a.shipmentNo < b.shipmentNo ? -1 : 1));
      return out.slice(0, limit);
    },
    setStatus(key, status, atMs) {
      const s = get(key);
      if (!s) return undefined;
      // Change stamps strictly increase, so a poller that remembers the last one never misses a change.
      const now = Math.max(clock.now(), lastChange + 1);
      lastChange = now;
      const at = new Date(atMs ?? now).toISOString();
      const updated: WmsShipment = {
        ...s,
        status,
        deliveredAt: status === 'delivered' ? at : null,
        changedAt: now,
      };
      byNo.set(s.shipmentNo, updated);
      return updated;
    },
    size: () => byNo.size,
  };
}
