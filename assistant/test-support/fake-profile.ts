// Unit tests only: a fixed customer profile (the shape profile-loader.ts returns) and a ProfileSource over it.
import type { CustomerProfile, ProfileOrder, ProfileSource } from '../customer-profile.ts';

const order = (over: Partial<ProfileOrder> & Pick<ProfileOrder, 'id' | 'status'>): ProfileOrder => ({
  totalCents: 4990,
  currency: 'EUR',
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:00:00.000Z',
  items: [{ lineNo: 1, sku: 'CRAB-1', name: 'Hairy crab, 6 pcs', quantity: 1, unitPriceCents: 4990 }],
  payment: { id: 'P0000001', method: 'card', status: 'CAPTURED', amountCents: 4990, paidAt: '2026-12-01T09:01:00.000Z', updatedAt: '2026-12-01T09:01:00.000Z' },
  shipment: null,
  ...over,
});

/** C000001's profile: three orders, newest first — shipped (DHL), refunded, delivered. */
export const fakeProfile: CustomerProfile = Object.freeze<CustomerProfile>({
  id: 'C000001',
  contact: { firstName: 'Ann', lastName: 'Lee', language: 'en', tier: 'gold' },
  orders: [
    order({
      id: 'O0000003',
      status: 'SHIPPED',
      totalCents: 12900,
      createdAt: '2026-12-05T10:00:00.000Z',
      shipment: { shipmentNo: '0080000003', carrier: 'DHL', trackingNo: 'JD014600006281', status: 'IN_TRANSIT', shippedAt: '2026-12-06T07:00:00.000Z', deliveredAt: null },
    }),
    order({
      id: 'O0000002',
      status: 'REFUNDED',
      totalCents: 2500,
      payment: { id: 'P0000002', method: 'paypal', status: 'REFUNDED', amountCents: 2500, paidAt: '2026-11-20T09:00:00.000Z', updatedAt: '2026-11-28T15:30:00.000Z' },
    }),
    order({
      id: 'O0000001',
      status: 'DELIVERED',
      shipment: { shipmentNo: '0080000001', carrier: 'UPS', trackingNo: '1Z999AA10123456784', status: 'DELIVERED', shippedAt: '2026-11-02T07:00:00.000Z', deliveredAt: '2026-11-03T12:00:00.000Z' },
    }),
  ],
  tickets: [],
  freshness: [
    { source: 'crm', mode: 'LIVE', asOf: '2026-12-07T12:03:07.000Z', lagMs: 0 },
    { source: 'shop', mode: 'VIEW', asOf: '2026-12-07T12:03:07.250Z', lagMs: 40 },
    { source: 'wms', mode: 'LIVE', asOf: '2026-12-07T12:03:08.000Z', lagMs: 0 },
  ],
  unavailable: [],
});

/** A ProfileSource answering `profile` for its own id only; counts loads. */
export function fakeProfiles(profile: CustomerProfile = fakeProfile): ProfileSource & { loads: number } {
  const source = {
    loads: 0,
    async load(_tenant: string, customerId: string) {
      source.loads += 1;
      if (customerId !== profile.id) throw new Error(`fake profiles: only ${profile.id}`);
      return profile;
    },
  };
  return source;
}
