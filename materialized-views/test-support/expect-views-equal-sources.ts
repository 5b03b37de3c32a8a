// The full comparison the recovery tests end with: once the end marker is in the views and the consumer group has
// committed every partition's end, every contact's view must equal what the source tables and the CRM say —
// every order with every item and payment, compared in full, not sampled.
import { expect } from 'vitest';
import { waitFor } from '../../test/support/wait-for.ts';
import { projectRecord } from '../project-change.ts';
import { parseViewDoc, type ViewStore } from '../view-store.ts';
import type { IsolatedSources } from './isolated-sources.ts';

type Row = Record<string, unknown>;

/** Waits for the end marker (order "END", written for contact C1) and for `groupId` to have consumed everything. */
export async function waitForEndOfStream(src: IsolatedSources, store: ViewStore, groupId: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    const [doc] = await store.read(src.tenant, ['C1']);
    return doc && parseViewDoc(doc).parts.orders?.some((o) => o.id === 'END') ? true : undefined;
  }, { timeoutMs, intervalMs: 100, what: 'the end marker in the views' });
  await src.waitUntilConsumed(groupId, timeoutMs);
}

/** Asserts every contact's view equals the tables; returns how many orders were compared. */
export async function expectViewsEqualSources(src: IsolatedSources, store: ViewStore, contacts: ReadonlyMap<string, Row>): Promise<number> {
  const s = src.shopSchema;
  const [ordersSpec] = src.definition.parts;
  const itemsSpec = ordersSpec!.children[0]!;
  const paymentsSpec = ordersSpec!.children[1]!;
  const orders = (await src.pool.query(`select * from ${s}.orders`)).rows as Row[];
  const items = (await src.pool.query(`select * from ${s}.order_items`)).rows as Row[];
  const pays = (await src.pool.query(`select * from ${s}.payments`)).rows as Row[];
  // pg answers timestamptz as Date and bigint as text; the views hold Debezium's JSON (ISO text, numbers).
  const json = (r: Row) => JSON.parse(JSON.stringify(r, (k, v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'string' && /^\d+$/.test(v) && k.endsWith('cents') ? Number(v) : v))) as Row;
  const byLine = (a: Row, b: Row) => Number(a.lineNo) - Number(b.lineNo);
  const byId = (a: Row, b: Row) => String(a.id).localeCompare(String(b.id));
  const expected = (customerNo: string) =>
    orders
      .filter((o) => o.customer_no === customerNo)
      .map((o) => ({
        ...projectRecord(ordersSpec!, json(o)).record,
        items: items.filter((i) => i.order_id === o.id).map((i) => projectRecord(itemsSpec, json(i)).record).sort(byLine),
        payments: pays.filter((p) => p.order_id === o.id).map((p) => projectRecord(paymentsSpec, json(p)).record).sort(byId),
      }))
      .sort(byId);

  const ids = [...contacts.keys()];
  const docs = await store.read(src.tenant, ids);
  let compared = 0;
  for (const [i, id] of ids.entries()) {
    const doc = docs[i];
    expect(doc, `view of ${id}`).not.toBeNull();
    const view = parseViewDoc(doc!);
    const contact = contacts.get(id)!;
    expect(view.root, `contact of ${id}`).toEqual(contact);
    const got = (view.parts.orders ?? []).map((o) => ({ ...o, items: [...(o.items as Row[])].sort(byLine), payments: [...(o.payments as Row[])].sort(byId) })).sort(byId);
    expect(got, `orders of ${id}`).toEqual(expected(String(contact.customerNo)));
    compared += got.length;
  }
  return compared;
}
