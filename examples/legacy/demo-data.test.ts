import { describe, expect, it } from 'vitest';
import { generateDemoData } from './demo-data.ts';

describe('generateDemoData', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateDemoData({ customers: 300, seed: 7 });
    const b = generateDemoData({ customers: 300, seed: 7 });
    expect(b).toEqual(a);
    expect(generateDemoData({ customers: 300, seed: 8 }).contacts).not.toEqual(a.contacts);
  });

  it('maps every CRM contact to a distinct shop customer number and helpdesk user, in a different order', () => {
    const { contacts } = generateDemoData({ customers: 2_000 });
    expect(new Set(contacts.map((c) => c.customerNo)).size).toBe(2_000);
    const users = contacts.map((c) => c.helpdeskUserId).filter((u) => u !== null);
    expect(new Set(users).size).toBe(users.length);
    expect(users.length / contacts.length).toBeGreaterThan(0.7);
    // Not the identity mapping: a connector that joins by position instead of by key would be caught.
    expect(contacts.filter((c, i) => c.customerNo === `K${String(i + 1).padStart(7, '0')}`).length).toBeLessThan(10);
  });

  it('keeps references consistent: orders belong to customers, items, payments and shipments to orders', () => {
    const d = generateDemoData({ customers: 1_000 });
    const customerNos = new Set(d.contacts.map((c) => c.customerNo));
    const orders = new Map(d.orders.map((o) => [o.id, o]));
    expect(d.orders.every((o) => customerNos.has(o.customerNo))).toBe(true);
    expect(d.items.every((i) => orders.has(i.orderId))).toBe(true);
    for (const o of d.orders) {
      const total = d.items.filter((i) => i.orderId === o.id).reduce((s, i) => s + i.quantity * i.unitPriceCents, 0);
      expect(total).toBe(o.totalCents);
    }
    expect(d.payments.every((p) => orders.has(p.orderId) && orders.get(p.orderId)!.status !== 'pending')).toBe(true);
    expect(d.shipments.every((s) => orders.has(s.orderId))).toBe(true);
    const users = new Set(d.contacts.map((c) => c.helpdeskUserId));
    expect(d.tickets.every((t) => users.has(t.userId))).toBe(true);
  });

  it('gives the demo customer C000001 five orders and two tickets', () => {
    const d = generateDemoData();
    const c1 = d.contacts[0]!;
    expect(c1.id).toBe('C000001');
    expect(d.orders.filter((o) => o.customerNo === c1.customerNo)).toHaveLength(5);
    expect(d.tickets.filter((t) => t.userId === c1.helpdeskUserId)).toHaveLength(2);
    expect(d.contacts).toHaveLength(10_000);
    expect(d.orders.length).toBeGreaterThan(15_000);
  });

  it('rejects a customer count out of range', () => {
    expect(() => generateDemoData({ customers: 0 })).toThrow('customers must be a whole number between 1 and 999999, but got 0');
  });
});
