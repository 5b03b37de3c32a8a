// The behaviour every ViewStore shares, as a vitest suite: memory-view-store.test.ts runs it in the unit tier and
// redis-view-store.int.test.ts against the real Redis. Each case uses a fresh tenant, so stores may be shared.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contact, item, opOf, order, payment, ticket } from './test-support/change-events.ts';
import { parseViewDoc, type StoredView, type ViewStore } from './view-store.ts';

export function describeViewStoreContract(name: string, getStore: () => ViewStore): void {
  describe(`${name}: the view store contract`, () => {
    const tenant = () => `t${randomUUID().slice(0, 8)}`;
    const view = async (store: ViewStore, t: string, id: string): Promise<StoredView | null> => {
      const [doc] = await store.read(t, [id]);
      return doc === null || doc === undefined ? null : parseViewDoc(doc);
    };
    const orderIds = (v: StoredView | null) => (v?.parts.orders ?? []).map((o) => o.id);

    it('joins a contact, its orders with items and payments, and its tickets into one view', async () => {
      const store = getStore();
      const t = tenant();
      const composed = await store.apply(t, [
        opOf('crm.contacts', 'read', contact('C1', 'K1', 'U1'), { tsMs: 100 }),
        opOf('shop.orders', 'create', order('O1', 'K1'), { tsMs: 200 }),
        opOf('shop.order_items', 'create', item('O1', 2), { tsMs: 210 }),
        opOf('shop.order_items', 'create', item('O1', 1), { tsMs: 220 }),
        opOf('shop.payments', 'create', payment('P1', 'O1'), { tsMs: 250 }),
        opOf('helpdesk.tickets', 'create', ticket('T1', 'U1'), { tsMs: 300 }),
        opOf('shop.orders', 'create', order('O2', 'K2'), { tsMs: 999 }), // someone else's
      ]);
      expect(composed.map((c) => c.id)).toEqual(['C1']);
      const v = await view(store, t, 'C1');
      expect(v?.root).toMatchObject({ id: 'C1', customerNo: 'K1' });
      expect(v?.parts.orders).toEqual([
        {
          id: 'O1',
          customerNo: 'K1',
          status: 'paid',
          totalCents: 12_900,
          currency: 'EUR',
          createdAt: '2026-11-20T10:00:00.123Z',
          updatedAt: '2026-11-23T10:00:00.654Z',
          items: [
            { lineNo: 1, sku: 'SKU-1', name: 'Thing 1', quantity: 1, unitPriceCents: 4_300 },
            { lineNo: 2, sku: 'SKU-2', name: 'Thing 2', quantity: 1, unitPriceCents: 4_300 },
          ],
          payments: [{ id: 'P1', method: 'card', status: 'captured', amountCents: 12_900, paidAt: '2026-11-20T10:01:00.000Z', updatedAt: '2026-11-20T10:01:00.000Z' }],
        },
      ]);
      expect(v?.parts.tickets?.map((x) => x.id)).toEqual(['T1']);
      expect(v?.sources).toEqual({ crm: 100, shop: 250, helpdesk: 300 });
      expect(v?.version).toBe(composed[0]?.version);
    });

    it('keeps rows that arrive before the contact they join and shows them once it arrives', async () => {
      const store = getStore();
      const t = tenant();
      expect(await store.apply(t, [opOf('shop.order_items', 'create', item('O1', 1)), opOf('shop.orders', 'create', order('O1', 'K1'))])).toEqual([]);
      expect(await view(store, t, 'C1')).toBeNull();
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C1', 'K1'))]);
      const v = await view(store, t, 'C1');
      expect(orderIds(v)).toEqual(['O1']);
      expect((v?.parts.orders?.[0]?.items as unknown[]).length).toBe(1);
    });

    it('ignores a replayed or older version: no double apply, no going back', async () => {
      const store = getStore();
      const t = tenant();
      const create = opOf('shop.orders', 'create', order('O1', 'K1', 'pending'), { lsn: 10n });
      const paid = opOf('shop.orders', 'update', order('O1', 'K1', 'paid'), { lsn: 20n });
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C1', 'K1')), create, paid]);
      const before = await view(store, t, 'C1');
      expect(await store.apply(t, [create, paid, create])).toEqual([]);
      const after = await view(store, t, 'C1');
      expect(after?.version).toBe(before?.version);
      expect(after?.parts.orders?.[0]?.status).toBe('paid');
    });

    it('moves only the position for a newer version with the same content: no recomposition', async () => {
      const store = getStore();
      const t = tenant();
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C1', 'K1')), opOf('shop.orders', 'create', order('O1', 'K1'), { lsn: 10n }), opOf('shop.order_items', 'create', item('O1', 1), { lsn: 10n })]);
      const version = (await view(store, t, 'C1'))?.version;
      expect(await store.apply(t, [opOf('shop.orders', 'read', order('O1', 'K1'), { lsn: 50n, snapshot: true }), opOf('shop.order_items', 'read', item('O1', 1), { lsn: 50n, snapshot: true }), opOf('crm.contacts', 'read', contact('C1', 'K1'), { lsn: 50n })])).toEqual([]);
      expect((await view(store, t, 'C1'))?.version).toBe(version);
      // The position did move: a change between the two versions is now older and ignored.
      await store.apply(t, [opOf('shop.orders', 'update', order('O1', 'K1', 'cancelled'), { lsn: 30n })]);
      expect((await view(store, t, 'C1'))?.parts.orders?.[0]?.status).toBe('paid');
    });

    it('orders positions by commit LSN then LSN, snapshot reads before streamed changes at the same LSN', async () => {
      const store = getStore();
      const t = tenant();
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C1', 'K1')), opOf('shop.orders', 'update', order('O1', 'K1', 'shipped'), { lsn: 500n })]);
      // The snapshot read at the same LSN is older than the streamed change.
      await store.apply(t, [opOf('shop.orders', 'read', order('O1', 'K1', 'paid'), { lsn: 500n, snapshot: true })]);
      expect((await view(store, t, 'C1'))?.parts.orders?.[0]?.status).toBe('shipped');
      // A much larger LSN with more digits still sorts after (positions are zero-padded).
      await store.apply(t, [opOf('shop.orders', 'update', order('O1', 'K1', 'delivered'), { lsn: 123_456_789_012n })]);
      expect((await view(store, t, 'C1'))?.parts.orders?.[0]?.status).toBe('delivered');
    });

    it('moves orders and tickets when the contact\'s mapping changes', async () => {
      const store = getStore();
      const t = tenant();
      await store.apply(t, [
        opOf('crm.contacts', 'create', contact('C1', 'K1', 'U1')),
        opOf('crm.contacts', 'create', contact('C2', 'K9', null)),
        opOf('shop.orders', 'create', order('O1', 'K1')),
        opOf('shop.orders', 'create', order('O2', 'K2')),
        opOf('helpdesk.tickets', 'create', ticket('T1', 'U1')),
      ]);
      const composed = await store.apply(t, [opOf('crm.contacts', 'update', contact('C1', 'K2', null))]);
      expect(composed.map((c) => c.id)).toEqual(['C1']);
      const v = await view(store, t, 'C1');
      expect(orderIds(v)).toEqual(['O2']);
      expect(v?.parts.tickets).toEqual([]);
      expect(orderIds(await view(store, t, 'C2'))).toEqual([]);
    });

    it('moves an order to the customer its new customer number belongs to and recomposes both', async () => {
      const store = getStore();
      const t = tenant();
      await store.apply(t, [
        opOf('crm.contacts', 'create', contact('C1', 'K1')),
        opOf('crm.contacts', 'create', contact('C2', 'K2')),
        opOf('shop.orders', 'create', order('O1', 'K1')),
      ]);
      const composed = await store.apply(t, [opOf('crm.contacts', 'create', contact('C3', 'K3')), opOf('shop.orders', 'update', order('O1', 'K2'), { before: order('O1', 'K1') })]);
      expect(composed.map((c) => [c.id, c.ops]).sort()).toEqual([['C1', [1]], ['C2', [1]], ['C3', [0]]]);
      expect(orderIds(await view(store, t, 'C1'))).toEqual([]);
      expect(orderIds(await view(store, t, 'C2'))).toEqual(['O1']);
    });

    it('removes deleted rows and keeps their position, so an older create replayed later does not bring them back', async () => {
      const store = getStore();
      const t = tenant();
      const create = opOf('shop.orders', 'create', order('O1', 'K1'), { lsn: 10n });
      const createItem = opOf('shop.order_items', 'create', item('O1', 1), { lsn: 10n });
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C1', 'K1')), create, createItem, opOf('shop.orders', 'create', order('O2', 'K1'))]);
      await store.apply(t, [opOf('shop.order_items', 'delete', item('O1', 1), { lsn: 30n }), opOf('shop.orders', 'delete', order('O2', 'K1'))]);
      let v = await view(store, t, 'C1');
      expect(orderIds(v)).toEqual(['O1']);
      expect(v?.parts.orders?.[0]?.items).toEqual([]);
      await store.apply(t, [opOf('shop.orders', 'delete', order('O1', 'K1'), { lsn: 40n })]);
      expect(orderIds(await view(store, t, 'C1'))).toEqual([]);
      await store.apply(t, [create, createItem]);
      v = await view(store, t, 'C1');
      expect(orderIds(v)).toEqual([]);
    });

    it('moves a payment to its new order', async () => {
      const store = getStore();
      const t = tenant();
      await store.apply(t, [
        opOf('crm.contacts', 'create', contact('C1', 'K1')),
        opOf('shop.orders', 'create', order('O1', 'K1')),
        opOf('shop.orders', 'create', order('O2', 'K1')),
        opOf('shop.payments', 'create', payment('P1', 'O1')),
      ]);
      await store.apply(t, [opOf('shop.payments', 'update', payment('P1', 'O2'), { before: payment('P1', 'O1') })]);
      const orders = (await view(store, t, 'C1'))?.parts.orders ?? [];
      expect(orders.map((o) => [o.id, (o.payments as Array<{ id: string }>).map((p) => p.id)])).toEqual([
        ['O1', []],
        ['O2', ['P1']],
      ]);
    });

    it('keeps stored values of fields whose columns Debezium could not read (TOAST)', async () => {
      const store = getStore();
      const t = tenant();
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C1', 'K1')), opOf('shop.orders', 'create', order('O1', 'K1', 'paid', { currency: 'CNY' }))]);
      const { currency: _gone, ...rest } = order('O1', 'K1', 'shipped');
      await store.apply(t, [opOf('shop.orders', 'update', rest, { unavailable: ['currency'] })]);
      expect((await view(store, t, 'C1'))?.parts.orders?.[0]).toMatchObject({ status: 'shipped', currency: 'CNY' });
    });

    it('drops the view when its contact is deleted, and tells the caller', async () => {
      const store = getStore();
      const t = tenant();
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C1', 'K1')), opOf('shop.orders', 'create', order('O1', 'K1'))]);
      const composed = await store.apply(t, [opOf('crm.contacts', 'delete', contact('C1', 'K1'))]);
      expect(composed).toEqual([expect.objectContaining({ id: 'C1', deleted: true })]);
      expect(await view(store, t, 'C1')).toBeNull();
      // The order stays stored: a contact that takes over K1 sees it.
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C5', 'K1'))]);
      expect(orderIds(await view(store, t, 'C5'))).toEqual(['O1']);
    });

    it('moves watermarks forward only and reads them with the views in one call', async () => {
      const store = getStore();
      const t = tenant();
      await store.advanceWatermark(t, 'shop', { tsMs: 1_000, appliedAtMs: 1_050 });
      await store.advanceWatermark(t, 'shop', { tsMs: 900, appliedAtMs: 2_000 });
      await store.advanceWatermark(t, 'crm', { tsMs: 500, appliedAtMs: 600 });
      expect(await store.watermarks(t)).toEqual({ shop: { tsMs: 1_000, appliedAtMs: 1_050 }, crm: { tsMs: 500, appliedAtMs: 600 } });
      await store.apply(t, [opOf('crm.contacts', 'create', contact('C1', 'K1'))]);
      const both = await store.readWithWatermarks(t, ['C1', 'C404']);
      expect(both.docs.map((d) => (d === null ? null : parseViewDoc(d).id))).toEqual(['C1', null]);
      expect(both.watermarks.shop?.tsMs).toBe(1_000);
    });

    it('keeps tenants apart', async () => {
      const store = getStore();
      const a = tenant();
      const b = tenant();
      await store.apply(a, [opOf('crm.contacts', 'create', contact('C1', 'K1')), opOf('shop.orders', 'create', order('O1', 'K1'))]);
      await store.apply(b, [opOf('crm.contacts', 'create', contact('C1', 'K1'))]);
      expect(orderIds(await view(store, a, 'C1'))).toEqual(['O1']);
      expect(orderIds(await view(store, b, 'C1'))).toEqual([]);
      await store.advanceWatermark(a, 'shop', { tsMs: 1, appliedAtMs: 2 });
      expect(await store.watermarks(b)).toEqual({});
    });

    it('lists and clears a tenant\'s views', async () => {
      const store = getStore();
      const t = tenant();
      await store.apply(t, Array.from({ length: 30 }, (_, i) => opOf('crm.contacts', 'create', contact(`C${i}`, `K${i}`))));
      const ids: string[] = [];
      for await (const page of store.ids(t)) ids.push(...page);
      expect(ids.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `C${i}`).sort());
      await store.clear(t);
      expect(await store.read(t, ['C1'])).toEqual([null]);
      const left: string[] = [];
      for await (const page of store.ids(t)) left.push(...page);
      expect(left).toEqual([]);
    });

    it('applies large batches (more operations than one script call takes)', async () => {
      const store = getStore();
      const t = tenant();
      const ops = [opOf('crm.contacts', 'create', contact('C1', 'K1'))];
      for (let i = 0; i < 250; i++) ops.push(opOf('shop.orders', 'create', order(`O${String(i).padStart(4, '0')}`, 'K1')));
      const composed = await store.apply(t, ops);
      expect(composed.map((c) => c.id)).toEqual(['C1']);
      expect(composed[0]?.ops).toEqual(ops.map((_, i) => i));
      expect(orderIds(await view(store, t, 'C1'))).toHaveLength(250);
    });
  });
}
