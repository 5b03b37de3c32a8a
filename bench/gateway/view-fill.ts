// Fills a view store with the customer-360 views of the benchmark's simulators, as `unics views rebuild` does: the
// CRM's contacts and the helpdesk's tickets read in full through their change APIs (the poll capture's sources), the
// shop's orders, items and payments as snapshot reads of the rows the simulators' shop database was seeded with (the
// same generateDemoData; the simulators keep their shop in PGlite, which the rebuild's PostgreSQL snapshot cannot
// read). Then every source's watermark is set to now and every view is read once, so each view is composed before
// the first request (both stores compose a view when it is first read after a change).
import { createCrmChangeSource, createHelpdeskChangeSource } from '../../cdc/poll-capture/index.ts';
import type { ChangeEvent } from '../../cdc/decode-change-event.ts';
import type { DemoData } from '../../examples/legacy/demo-data.ts';
import { changeSourceSnapshot, customer360, rebuildViews, sourcesOf, type RebuildReport, type SnapshotSource, type ViewStore } from '../../materialized-views/index.ts';
import type { SourceName } from './upstream-counter.ts';

type Row = Record<string, unknown>;

/** Shop rows in the columns of examples/legacy/shop/shop-seed.ts. Pure. */
export function shopRows(data: DemoData): Record<'shop.orders' | 'shop.order_items' | 'shop.payments', Row[]> {
  return {
    'shop.orders': data.orders.map((o) => ({ id: o.id, customer_no: o.customerNo, status: o.status, total_cents: o.totalCents, currency: o.currency, created_at: o.createdAt, updated_at: o.updatedAt })),
    'shop.order_items': data.items.map((i) => ({ order_id: i.orderId, line_no: i.lineNo, sku: i.sku, name: i.name, quantity: i.quantity, unit_price_cents: i.unitPriceCents })),
    'shop.payments': data.payments.map((p) => ({ id: p.id, order_id: p.orderId, method: p.method, status: p.status, amount_cents: p.amountCents, paid_at: p.paidAt, updated_at: p.updatedAt })),
  };
}

const KEYS: Readonly<Record<string, readonly string[]>> = { 'shop.orders': ['id'], 'shop.order_items': ['order_id', 'line_no'], 'shop.payments': ['id'] };

/** One table's rows as snapshot reads (op "read", snapshot flag, one position for the whole snapshot). Pure. */
export function rowSnapshot(table: string, rows: readonly Row[], pageSize = 1000): SnapshotSource {
  const [schema, name] = table.split('.') as [string, string];
  const keyColumns = KEYS[table] ?? ['id'];
  const event = (row: Row): ChangeEvent => ({
    kind: 'change', op: 'read', schema, table: name, key: Object.fromEntries(keyColumns.map((c) => [c, row[c]])), before: null, after: row, unavailable: [],
    position: { commitLsn: 1n, lsn: 1n, txId: null, snapshot: true }, snapshot: 'true', sourceTsMs: 0, eventTsMs: null, flattened: false,
  });
  return {
    table,
    count: async () => rows.length,
    async *pages() {
      for (let i = 0; i < rows.length; i += pageSize) yield rows.slice(i, i + pageSize).map(event);
    },
  };
}

export interface FillReport {
  readonly rebuild: RebuildReport;
  readonly views: number;
}

export async function fillViews(store: ViewStore, tenant: string, sims: Readonly<Record<SourceName, string>>, data: DemoData, now: () => number = Date.now): Promise<FillReport> {
  const crm = createCrmChangeSource({
    baseUrl: `${sims.crm}/api/v1`,
    auth: { type: 'oauth2-client-credentials', tokenUrl: `${sims.crm}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret', refreshSkewMs: 30_000 },
  });
  const helpdesk = createHelpdeskChangeSource({ url: `${sims.helpdesk}/graphql` });
  try {
    const shop = shopRows(data);
    const rebuild = await rebuildViews({
      store,
      definition: customer360,
      tenant,
      // Parts first, the root last (fewer compositions).
      sources: [
        rowSnapshot('shop.orders', shop['shop.orders']),
        rowSnapshot('shop.order_items', shop['shop.order_items']),
        rowSnapshot('shop.payments', shop['shop.payments']),
        changeSourceSnapshot(helpdesk, 'helpdesk.tickets'),
        changeSourceSnapshot(crm, 'crm.contacts'),
      ],
    });
    if (rebuild.rejected.length > 0) throw new Error(`view fill: ${rebuild.rejected.length} rows rejected, first: ${JSON.stringify(rebuild.rejected[0])}`);
    const at = now();
    for (const source of sourcesOf(customer360)) await store.advanceWatermark(tenant, source, { tsMs: at, appliedAtMs: at });
    let views = 0;
    for await (const ids of store.ids(tenant)) {
      await store.read(tenant, ids);
      views += ids.length;
    }
    return { rebuild, views };
  } finally {
    await crm.close().catch(() => {});
    await helpdesk.close().catch(() => {});
  }
}
