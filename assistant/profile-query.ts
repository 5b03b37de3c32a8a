// The one GraphQL operation the assistant reads a customer with, and the pure mapping of its result to a
// CustomerProfile. A part whose source failed comes back null with an error naming the source (schema/ partial
// results); it stays null here and the source is listed in `unavailable`, so a plugin can tell "not shipped yet"
// (shipment null, wms fine) from "the warehouse could not be read" (shipment null, wms unavailable).
import type { CustomerProfile, ProfileFreshness, ProfileOrder, ProfileTicket } from './customer-profile.ts';
import { assistErr } from './error-catalogue.ts';

/** How many of the newest orders the assistant sees; an order number older than these is not answered. */
export const PROFILE_ORDERS = 20;

export const PROFILE_QUERY = `query AssistantProfile($id: ID!, $first: Int!) {
  customer(id: $id) {
    id
    profile { firstName lastName language tier }
    orders(first: $first) {
      id status totalCents currency createdAt updatedAt
      items { lineNo sku name quantity unitPriceCents }
      payment { id method status amountCents paidAt updatedAt }
      shipment { shipmentNo carrier trackingNo status shippedAt deliveredAt }
    }
    tickets { id subject status updatedAt }
    freshness { source mode asOf lagMs }
  }
}`;

export interface GraphQLResultLike {
  readonly data?: Readonly<Record<string, unknown>> | null;
  readonly errors?: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<string | number>; readonly extensions?: Readonly<Record<string, unknown>> }>;
}

interface RawCustomer {
  id: string;
  profile: CustomerProfile['contact'];
  orders: ProfileOrder[] | null;
  tickets: ProfileTicket[] | null;
  freshness: ProfileFreshness[];
}

/** Maps the operation's result for `customerId`; throws ASSIST_ERR_PROFILE_UNAVAILABLE when there is no customer. */
export function toCustomerProfile(customerId: string, result: GraphQLResultLike): CustomerProfile {
  const customer = (result.data?.customer ?? null) as RawCustomer | null;
  const errors = result.errors ?? [];
  if (customer === null) {
    const why = errors.length > 0 ? errors.map((e) => `${String(e.extensions?.code ?? 'error')}: ${e.message}`).join('; ') : 'the customer is unknown';
    throw assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE(`customer ${customerId}: no profile (${why})`, { details: { customerId } });
  }
  if (customer.id !== customerId) {
    // Never answer from a profile other than the one asked for.
    throw assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE(`customer ${customerId}: the gateway answered for ${customer.id}`, { details: { customerId } });
  }
  const unavailable = new Set<string>();
  for (const e of errors) if (typeof e.extensions?.source === 'string') unavailable.add(e.extensions.source);
  for (const f of customer.freshness ?? []) if (f.mode === 'UNAVAILABLE') unavailable.add(f.source);
  return Object.freeze({
    id: customer.id,
    contact: customer.profile ?? null,
    orders: customer.orders ?? null,
    tickets: customer.tickets ?? null,
    freshness: customer.freshness ?? [],
    unavailable: [...unavailable].sort(),
  });
}
