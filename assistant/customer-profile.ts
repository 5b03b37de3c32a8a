// The customer profile the assistant's plugins read: the part of the unified graph (schema/customer.graphql) an
// answer needs, in the same field names and enums, so a plugin written against it reads like a GraphQL query result.
// It is filled by profile-loader.ts through the gateway's executor, for one customer; plugins never read connectors.

export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'REFUNDED';
export type PaymentStatus = 'CAPTURED' | 'REFUNDED';
export type ShipmentStatus = 'IN_TRANSIT' | 'DELIVERED';
export type TicketStatus = 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
export type FreshnessMode = 'LIVE' | 'VIEW' | 'UNAVAILABLE';

/** Customer.profile (the CRM contact). */
export interface ProfileContact {
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly language: string | null;
  readonly tier: string | null;
}

export interface ProfileOrderItem {
  readonly lineNo: number;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface ProfilePayment {
  readonly id: string;
  readonly method: string;
  readonly status: PaymentStatus;
  readonly amountCents: number;
  readonly paidAt: string | null;
  readonly updatedAt: string | null;
}

/** Order.shipment: read live from the warehouse by the gateway ("Shipments are always read live"). */
export interface ProfileShipment {
  readonly shipmentNo: string;
  readonly carrier: string | null;
  readonly trackingNo: string | null;
  readonly status: ShipmentStatus;
  readonly shippedAt: string | null;
  readonly deliveredAt: string | null;
}

export interface ProfileOrder {
  readonly id: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly items: readonly ProfileOrderItem[];
  readonly payment: ProfilePayment | null;
  readonly shipment: ProfileShipment | null;
}

export interface ProfileTicket {
  readonly id: string;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly updatedAt: string | null;
}

/** Customer.freshness: one entry per source the read touched. */
export interface ProfileFreshness {
  readonly source: string;
  readonly mode: FreshnessMode;
  /** ISO time; null when UNAVAILABLE. */
  readonly asOf: string | null;
  readonly lagMs: number | null;
}

/**
 * One customer as the assistant sees them. A part whose source failed is null (orders, tickets) — the plugins then
 * say they cannot see it right now rather than guess — and `freshness` says how old each part is.
 */
export interface CustomerProfile {
  readonly id: string;
  readonly contact: ProfileContact | null;
  /** Newest first (Customer.orders orders by createdAt); null when the shop could not be read. */
  readonly orders: readonly ProfileOrder[] | null;
  readonly tickets: readonly ProfileTicket[] | null;
  readonly freshness: readonly ProfileFreshness[];
  /** Parts that came back with an error (source names), for the log and the agent's note. */
  readonly unavailable: readonly string[];
}

/** Reads one customer's profile; rejects with ASSIST_ERR_PROFILE_UNAVAILABLE when it cannot be read at all. */
export interface ProfileSource {
  load(tenant: string, customerId: string, signal: AbortSignal): Promise<CustomerProfile>;
}
