import { describe, expect, it } from 'vitest';
import { comparePositions, type ChangePosition } from '../cdc/decode-change-event.ts';
import { customer360 } from './customer-360.ts';
import { positionKey, projectChange, ProjectionError, projectRecord } from './project-change.ts';
import { changeEvent, item, opOf, order, payment } from './test-support/change-events.ts';
import { indexTables } from './view-definition.ts';

describe('positionKey', () => {
  it('sorts exactly as comparePositions orders', () => {
    const values = [0n, 1n, 9n, 10n, 255n, 26_367_816n, 4_294_967_296n, 18_446_744_073_709_551_615n];
    const positions: ChangePosition[] = [];
    for (const commit of [null, ...values]) for (const lsn of values) for (const snapshot of [true, false]) positions.push({ commitLsn: commit, lsn, txId: null, snapshot });
    const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
    for (let i = 0; i < positions.length; i++) {
      for (let j = 0; j < positions.length; j += 7) {
        const a = positions[i]!;
        const b = positions[j]!;
        const ka = positionKey(a);
        const kb = positionKey(b);
        expect(sign(ka < kb ? -1 : ka > kb ? 1 : 0), `${ka} vs ${kb}`).toBe(sign(comparePositions(a, b)));
      }
    }
  });

  it('is empty without a position (the change then always applies)', () => {
    expect(positionKey(null)).toBe('');
  });
});

describe('projectChange on the customer-360 definition', () => {
  const tables = indexTables(customer360);

  it('projects shop rows column by column into the shop connector\'s record shape', () => {
    const op = opOf('shop.orders', 'update', order('O1', 'K1', 'PAID', { total_cents: '12900' }));
    expect(op).toMatchObject({ target: 'part', part: 'orders', id: 'O1', link: 'K1', source: 'shop' });
    expect(JSON.parse(op.record!)).toEqual({
      id: 'O1', customerNo: 'K1', status: 'paid', totalCents: 12_900, currency: 'EUR', createdAt: '2026-11-20T10:00:00.123Z', updatedAt: '2026-11-23T10:00:00.654Z',
    });
  });

  it('keys children by all their key columns and names their parent, and a moved child its former parent', () => {
    expect(opOf('shop.order_items', 'create', item('O7', 3))).toMatchObject({ target: 'child', part: 'orders', child: 'items', id: 'O7|3', parentId: 'O7', fromParentId: null });
    expect(opOf('shop.payments', 'update', payment('P1', 'O2'), { before: payment('P1', 'O1') })).toMatchObject({ parentId: 'O2', fromParentId: 'O1' });
  });

  it('takes a delete\'s identity from the before row and carries no record', () => {
    const op = opOf('shop.orders', 'delete', order('O1', 'K1'));
    expect(op).toMatchObject({ target: 'part', id: 'O1', record: null, link: null });
  });

  it('lists the record fields fed by TOASTed columns instead of writing them', () => {
    const spec = customer360.parts[0]!;
    expect(projectRecord(spec, order('O1', 'K1'), ['currency', 'status']).keep.sort()).toEqual(['currency', 'status']);
    expect(projectRecord(customer360.root, { id: 'C1', note: 'x' }, ['note'])).toEqual({ record: { id: 'C1', note: 'x' }, keep: ['note'] });
  });

  it('converts epoch-microsecond timestamps (timestamp without time zone) to ISO text', () => {
    const op = opOf('shop.orders', 'create', order('O1', 'K1', 'paid', { created_at: 1_795_453_611_250_504 }));
    expect(JSON.parse(op.record!).createdAt).toBe('2026-11-23T17:06:51.250Z');
  });

  it('refuses a row without its key or parent, naming the table and the column', () => {
    const role = tables.get('shop.order_items')!;
    const event = { ...changeEvent('shop.order_items', 'create', { line_no: 1, sku: 'x' }), key: null };
    expect(() => projectChange(role, event)).toThrow(ProjectionError);
    expect(() => projectChange(role, event)).toThrow(/shop\.order_items: no value for the key columns order_id, line_no/);
  });
});
