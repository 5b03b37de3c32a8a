// Query, Customer and Order resolvers: thin. Each loads through the request's DataLoaders (request-context.ts), maps
// the source's record (record-mappers.ts) and turns a source's failure into an error on its own field only
// (field-error.ts), so one dead source nulls only what comes from it.
import type { Clock } from '../common/clock.ts';
import { schemaErr } from './error-catalogue.ts';
import { fromSource, toFieldError } from './field-error.ts';
import { createFreshnessTracker, type FreshnessTracker } from './freshness-tracker.ts';
import { listOf, mapOrder, mapProfile, mapShipment, mapTicket, newestFirst, type Order, type OrderStatus, type TicketStatus } from './record-mappers.ts';
import type { RequestContext } from './request-context.ts';
import type { SourceMap, SourceRef } from './schema-module.ts';

/** The most ids Query.customers takes in one request. */
export const MAX_CUSTOMER_IDS = 100;

/** A customer being resolved: the CRM contact it was found by, and the sources its subtree reads. */
export interface CustomerParent {
  readonly id: string;
  readonly contact: unknown;
  readonly freshness: FreshnessTracker;
}

const OWNER = Symbol('unics.schema.order-owner');
/** An order, and the customer whose freshness its shipment read counts towards (none for a refund's answer). */
export type OrderParent = Order & { readonly [OWNER]?: FreshnessTracker };

export interface CustomerResolverDeps {
  readonly sources: SourceMap;
  readonly clock: Clock;
}

const badInput = (message: string, argument: string) =>
  toFieldError(schemaErr.SCHEMA_ERR_BAD_INPUT(message, { details: { argument } }));

export function createCustomerResolvers(deps: CustomerResolverDeps) {
  const { sources, clock } = deps;

  /** Loads a contact and tracks the read for the customer's freshness; a source failure becomes a field error. */
  const tracked = (ctx: RequestContext, freshness: FreshnessTracker | undefined, ref: SourceRef, key: string) =>
    fromSource(ref.connector, () => {
      const work = ctx.load(ref, key);
      return freshness ? freshness.track(ref.connector, work) : work;
    });

  async function loadCustomer(ctx: RequestContext, id: string): Promise<CustomerParent | null> {
    const freshness = createFreshnessTracker(clock);
    const contact = await tracked(ctx, freshness, sources.contact, id);
    return contact === null || contact === undefined ? null : { id, contact, freshness };
  }

  const profileOf = (parent: CustomerParent) => {
    try {
      return mapProfile(parent.contact, sources.contact.connector);
    } catch (err) {
      throw toFieldError(err, sources.contact.connector);
    }
  };

  return {
    Query: {
      customer: (_: unknown, args: { id: string }, ctx: RequestContext) => loadCustomer(ctx, args.id),

      async customers(_: unknown, args: { ids: readonly string[] }, ctx: RequestContext) {
        if (args.ids.length > MAX_CUSTOMER_IDS) {
          throw badInput(`customers takes at most ${MAX_CUSTOMER_IDS} ids, but got ${args.ids.length}; ask in pages of ${MAX_CUSTOMER_IDS}`, 'ids');
        }
        // A failed id becomes an error at its own place in the list (graphql-js completes an Error item as one).
        return Promise.all(args.ids.map((id) => loadCustomer(ctx, id).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
      },

      async searchCustomers(_: unknown, args: { email?: string | null; phone?: string | null }, ctx: RequestContext) {
        const email = args.email?.trim() || undefined;
        const phone = args.phone?.trim() || undefined;
        if ((email === undefined) === (phone === undefined)) {
          throw badInput('searchCustomers needs exactly one of email and phone (non-empty), e.g. searchCustomers(email: "ann@example.com")', email ? 'phone' : 'email');
        }
        const ref = email !== undefined ? sources.contactByEmail : sources.contactByPhone;
        const freshness = createFreshnessTracker(clock);
        const found = await tracked(ctx, freshness, ref, (email ?? phone) as string);
        const contacts = Array.isArray(found) ? found : found === null || found === undefined ? [] : [found];
        return contacts.map((contact): CustomerParent => {
          let id: string;
          try {
            id = mapProfile(contact, ref.connector).id;
          } catch (err) {
            throw toFieldError(err, ref.connector);
          }
          ctx.prime(sources.contact, id, contact);
          return { id, contact, freshness };
        });
      },
    },

    Customer: {
      async profile(parent: CustomerParent, _: unknown, ctx: RequestContext) {
        const contact = await tracked(ctx, parent.freshness, sources.contact, parent.id);
        return contact === null || contact === undefined ? null : profileOf({ ...parent, contact });
      },

      // The shop answers all of a customer's orders; filtering by status and keeping the newest `first` happen here.
      async orders(parent: CustomerParent, args: { first?: number | null; status?: OrderStatus | null }, ctx: RequestContext): Promise<OrderParent[]> {
        const first = args.first ?? 10;
        if (first < 0) throw badInput(`orders(first:) must be 0 or more, but got ${first}`, 'first');
        const { customerNo } = profileOf(parent);
        if (customerNo === null || customerNo === '') return [];
        const ref = sources.ordersByCustomer;
        const raw = await tracked(ctx, parent.freshness, ref, customerNo);
        try {
          const orders = listOf(raw, ref.connector, ref.entity).map((o) => mapOrder(o, ref.connector));
          const wanted = args.status ? orders.filter((o) => o.status === args.status) : orders;
          return newestFirst(wanted, (o) => o.createdAt)
            .slice(0, first)
            .map((o) => ({ ...o, [OWNER]: parent.freshness }));
        } catch (err) {
          throw toFieldError(err, ref.connector);
        }
      },

      async tickets(parent: CustomerParent, args: { status?: TicketStatus | null }, ctx: RequestContext) {
        const { helpdeskUserId } = profileOf(parent);
        // A customer who never contacted support has no helpdesk account: no tickets, and nothing to ask.
        if (helpdeskUserId === null || helpdeskUserId === '') return [];
        const ref = sources.ticketsByUser;
        const raw = await tracked(ctx, parent.freshness, ref, helpdeskUserId);
        try {
          const tickets = listOf(raw, ref.connector, ref.entity).map((t) => mapTicket(t, ref.connector));
          return newestFirst(args.status ? tickets.filter((t) => t.status === args.status) : tickets, (t) => t.createdAt);
        } catch (err) {
          throw toFieldError(err, ref.connector);
        }
      },

      conversations() {
        // The chat core does not exist yet: say so rather than answer an empty list that would look like "none".
        throw toFieldError(
          schemaErr.SCHEMA_ERR_SOURCE_NOT_CONFIGURED('conversations come from the chat core, which this version of UniCS does not have yet'),
          'chat',
        );
      },

      freshness: (parent: CustomerParent) => parent.freshness.report(),
    },

    Order: {
      async shipment(parent: OrderParent, _: unknown, ctx: RequestContext) {
        const ref = sources.shipmentsByOrder;
        const raw = await tracked(ctx, parent[OWNER], ref, parent.id);
        try {
          const first = listOf(raw, ref.connector, ref.entity)[0];
          return first === undefined ? null : mapShipment(first, ref.connector);
        } catch (err) {
          throw toFieldError(err, ref.connector);
        }
      },
    },
  };
}
