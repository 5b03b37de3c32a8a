// The read side schema/ uses (its CustomerViews seam): views from the store in one round trip with the watermarks,
// shaped as the demo connectors answer (orders with `items` and the latest `payment`), with per-source freshness.
// A source's part of a view is as fresh as the source's watermark: the source time up to which the pipeline has
// applied every change it was sent. No watermark: the freshness is unknown and the source is left out, so readers
// fall back to live.
import type { Clock } from '../common/clock.ts';
import type { CustomerView, CustomerViews, ViewSourceFreshness } from '../schema/schema-module.ts';
import { sourcesOf, type ViewDefinition } from './view-definition.ts';
import { parseViewDoc, type StoredView, type ViewStore, type Watermark } from './view-store.ts';

type Rec = Readonly<Record<string, unknown>>;

const timeOf = (v: unknown) => {
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
};

/** The shop's rule: the latest payment by paidAt (missing last), then by id descending. */
function latestPayment(payments: readonly Rec[]): Rec | null {
  let best: Rec | null = null;
  for (const p of payments) {
    if (best === null) {
      best = p;
      continue;
    }
    const a = timeOf(p.paidAt);
    const b = timeOf(best.paidAt);
    if (a > b || (a === b && String(p.id) > String(best.id))) best = p;
  }
  return best;
}

function shapeOrder(order: Rec): Rec {
  const { payments, items, ...rest } = order as Rec & { payments?: Rec[]; items?: Rec[] };
  const sortedItems = [...(items ?? [])].sort((a, b) => Number(a.lineNo) - Number(b.lineNo));
  return { ...rest, items: sortedItems, payment: latestPayment(payments ?? []) };
}

export function shapeView(def: ViewDefinition, view: StoredView, watermarks: Readonly<Record<string, Watermark>>, nowMs: number): CustomerView {
  const freshness: Record<string, ViewSourceFreshness> = {};
  for (const source of sourcesOf(def)) {
    const wm = watermarks[source];
    if (wm === undefined) continue;
    freshness[source] = { asOfMs: wm.tsMs, lagMs: Math.max(0, Math.round(nowMs - wm.tsMs)) };
  }
  return {
    customerId: view.id,
    version: view.version,
    contact: view.root,
    orders: (view.parts.orders ?? []).map(shapeOrder),
    tickets: view.parts.tickets ?? [],
    freshness,
  };
}

export function createCustomerViews(store: ViewStore, clock: Clock): CustomerViews {
  const def = store.definition;
  return {
    async read(tenant, ids, signal) {
      signal.throwIfAborted();
      const { docs, watermarks } = await store.readWithWatermarks(tenant, ids);
      const nowMs = clock.now();
      return docs.map((doc) => (doc === null ? null : shapeView(def, parseViewDoc(doc), watermarks, nowMs)));
    },
  };
}
