// The Shop's in-process change capture (embedded demo): snapshot reads, then every committed row change in commit
// order as Debezium-format envelopes that cdc/'s decoder reads like Debezium's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChangeEvent, type ChangeEvent, type DecodedEvent } from '../../../cdc/decode-change-event.ts';
import { installShopChangeCapture, type CapturedMessage, type ShopChangeCapture } from './shop-change-capture.ts';
import { refundOrder } from './shop-queries.ts';
import { startShop, type RunningShop } from './start-shop.ts';

let shop: RunningShop;
let capture: ShopChangeCapture;

beforeAll(async () => {
  shop = await startShop({ customers: 20 });
  capture = await installShopChangeCapture(shop.db);
}, 60_000);
afterAll(async () => shop?.close());

const decode = (m: CapturedMessage): DecodedEvent => decodeChangeEvent({ topic: m.topic, key: m.key, value: m.value, partition: 0, offset: '0' });
const asChange = (e: DecodedEvent): ChangeEvent => {
  if (e.kind !== 'change') throw new Error(`expected a change, got ${e.kind}`);
  return e;
};

describe('shop change capture', () => {
  it('reads every row as a snapshot, then streams committed changes in order after it', async () => {
    const snapshot = await capture.snapshot(Date.now());
    const counts = await shop.db.query<{ n: number }>('select (select count(*) from shop.orders) + (select count(*) from shop.order_items) + (select count(*) from shop.payments) as n');
    expect(snapshot.length).toBe(Number(counts.rows[0]!.n));
    const reads = snapshot.map((m) => asChange(decode(m)));
    expect(new Set(reads.map((e) => e.op))).toEqual(new Set(['read']));
    expect(reads.every((e) => e.position?.snapshot === true)).toBe(true);
    expect(new Set(snapshot.map((m) => m.topic))).toEqual(new Set(['unics.shop.orders', 'unics.shop.order_items', 'unics.shop.payments']));
    const item = snapshot.find((m) => m.topic === 'unics.shop.order_items')!;
    expect(Object.keys(JSON.parse(item.key) as object)).toEqual(['order_id', 'line_no']);

    const { rows: [paid] } = await shop.db.query<{ id: string; total_cents: string; status: string }>("select o.id, o.total_cents::text, o.status from shop.orders o where o.status <> 'refunded' and (select count(*) from shop.payments p where p.order_id = o.id) = 1 and exists (select 1 from shop.order_items i where i.order_id = o.id and i.line_no = 1) order by o.id limit 1");
    await refundOrder(shop.db, paid!.id, Number(paid!.total_cents), 'test', new Date().toISOString());
    await shop.db.query('delete from shop.order_items where order_id = $1 and line_no = 1', [paid!.id]);
    await shop.db.query('insert into shop.order_items values ($1, 99, $2, $3, 1, 100)', [paid!.id, 'SKU-X', 'Thing']);

    const streamed = (await capture.next(Date.now())).map((m) => ({ topic: m.topic, e: asChange(decode(m)) }));
    expect(streamed.map((s) => `${s.topic}:${s.e.op}`)).toEqual([
      'unics.shop.orders:update',
      'unics.shop.payments:update',
      'unics.shop.order_items:delete',
      'unics.shop.order_items:create',
    ]);
    const [order, payment, deleted, created] = streamed.map((s) => s.e);
    expect(order!.before).toMatchObject({ id: paid!.id, status: paid!.status });
    expect(order!.after).toMatchObject({ id: paid!.id, status: 'refunded' });
    expect(payment!.after).toMatchObject({ order_id: paid!.id, status: 'refunded' });
    expect(deleted!.after).toBeNull();
    expect(deleted!.before).toMatchObject({ order_id: paid!.id, line_no: 1 });
    expect(created!.after).toMatchObject({ order_id: paid!.id, line_no: 99, sku: 'SKU-X' });
    // Positions grow, sort after the snapshot, and are unique.
    const lsns = streamed.map((s) => s.e.position!.lsn);
    expect(lsns.every((l, i) => i === 0 || l > lsns[i - 1]!)).toBe(true);
    expect(lsns[0]! > reads[0]!.position!.lsn).toBe(true);
    expect(streamed.every((s) => s.e.position!.snapshot === false && s.e.sourceTsMs !== null)).toBe(true);

    // Read once: the outbox is emptied and nothing comes again.
    expect(await capture.next(Date.now())).toEqual([]);
    const { rows: [left] } = await shop.db.query<{ n: number }>('select count(*)::int as n from shop_capture.changes');
    expect(left!.n).toBe(0);
  });

  it('writes Debezium heartbeats for the source', () => {
    const hb = decode(capture.heartbeat(1_700_000_000_000));
    expect(hb).toEqual({ kind: 'heartbeat', tsMs: 1_700_000_000_000 });
  });
});
