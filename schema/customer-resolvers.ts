// Query, Customer and Order resolvers: thin. Each part of a customer (profile, orders, tickets) comes from the
// customer's materialized view when that part is fresh within the freshness budget (freshness-budget.ts), else from
// a live load through the request's DataLoaders (view-or-live.ts); either way the source's records go through the
// same mappers (record-mappers.ts), and a source's failure becomes an error on its own field only (field-error.ts),
// so one dead source nulls only what comes from it.
import type { GraphQLResolveInfo } from 'graphql';
import type { Clock } from '../common/clock.ts';
import { schemaErr } from './error-catalogue.ts';
import { toFieldError } from './field-error.ts';
import { createFreshnessBudgets, DEFAULT_FRESHNESS_BUDGET_MS } from './freshness-budget.ts';
import { createFreshnessTracker, type FreshnessTracker } from './freshness-tracker.ts';
import { listOf, mapProfile, mapShipment, selectOrders, selectTickets, type Order, type OrderStatus, type TicketStatus } from './record-mappers.ts';
import type { RequestContext } from './request-context.ts';
import type { SourceMap } from './schema-module.ts';
import { fromFreshView, liveRead, viewOrLive } from './view-or-live.ts';

/** The most ids Query.customers takes in one request. */
export const MAX_CUSTOMER_IDS = 100;

/** A customer being resolved: the CRM contact it was found by, and the sources its subtree reads. */
export interface CustomerParent {
  readonly id: string;
  /** The CRM contact the customer was found by; its customerNo and helpdeskUserId find the parts read live. */
  readonly contact: unknown;
  /** Whether that contact came from the customer's view or from the CRM. */
  readonly contactFrom: 'view' | 'live';
  readonly freshness: FreshnessTracker;
  /** The customer's freshness budget in ms (its Query field's @freshness, else the operation's, else the default). */
  readonly budgetMs: number;
}

const OWNER = Symbol('unics.schema.order-owner');
/** An order, and the customer whose freshness its shipment read counts towards (none for a refund's answer). */
export type OrderParent = Order & { readonly [OWNER]?: FreshnessTracker };

export interface CustomerResolverDeps {
  readonly sources: SourceMap;
  readonly clock: Clock;
  /** Default DEFAULT_FRESHNESS_BUDGET_MS (300). */
  readonly freshnessBudgetMs?: number;
}

const badInput = (message: string, argument: string) =>
  toFieldError(schemaErr.SCHEMA_ERR_BAD_INPUT(message, { details: { argument } }));

/** A source key, or null when the customer has none there (never contacted support, never ordered). */
const keyOrNull = (value: string | null) => (value === null || value === '' ? null : value);

export function createCustomerResolvers(deps: CustomerResolverDeps) {
  const { sources, clock } = deps;
  const budgets = createFreshnessBudgets(deps.freshnessBudgetMs ?? DEFAULT_FRESHNESS_BUDGET_MS);
  const contactRef = sources.contact;

  /** The customer's contact from its view when the CRM part is fresh, else from the CRM (which decides existence). */
  async function loadCustomer(ctx: RequestContext, id: string, budgetMs: number): Promise<CustomerParent | null> {
    const freshness = createFreshnessTracker(clock);
    const viewed = await fromFreshView(ctx, { id, freshness }, contactRef, budgetMs, (view) => view.contact);
    if (viewed !== undefined) return { id, contact: viewed, contactFrom: 'view', freshness, budgetMs };
    const contact = await liveRead(ctx, freshness, contactRef, id);
    return contact === null || contact === undefined ? null : { id, contact, contactFrom: 'live', freshness, budgetMs };
  }

  const mapContact = (contact: unknown) => {
    try {
      return mapProfile(contact, contactRef.connector);
    } catch (err) {
      throw toFieldError(err, contactRef.connector);
    }
  };

  return {
    Query: {
      customer: (_: unknown, args: { id: string }, ctx: RequestContext, info: GraphQLResolveInfo) => loadCustomer(ctx, args.id, budgets.forQuery(info)),

      async customers(_: unknown, args: { ids: readonly string[] }, ctx: RequestContext, info: GraphQLResolveInfo) {
        if (args.ids.length > MAX_CUSTOMER_IDS) {
          throw badInput(`customers takes at most ${MAX_CUSTOMER_IDS} ids, but got ${args.ids.length}; ask in pages of ${MAX_CUSTOMER_IDS}`, 'ids');
        }
        const budgetMs = budgets.forQuery(info);
        // A failed id becomes an error at its own place in the list (graphql-js completes an Error item as one).
        return Promise.all(args.ids.map((id) => loadCustomer(ctx, id, budgetMs).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
      },

      async searchCustomers(_: unknown, args: { email?: string | null; phone?: string | null }, ctx: RequestContext, info: GraphQLResolveInfo) {
        const email = args.email?.trim() || undefined;
        const phone = args.phone?.trim() || undefined;
        if ((email === undefined) === (phone === undefined)) {
          throw badInput('searchCustomers needs exactly one of email and phone (non-empty), e.g. searchCustomers(email: "ann@example.com")', email ? 'phone' : 'email');
        }
        const budgetMs = budgets.forQuery(info);
        const ref = email !== undefined ? sources.contactByEmail : sources.contactByPhone;
        const search = liveRead(ctx, undefined, ref, (email ?? phone) as string);
        const found = await search;
        const contacts = Array.isArray(found) ? found : found === null || found === undefined ? [] : [found];
        return contacts.map((contact): CustomerParent => {
          let id: string;
          try {
            id = mapProfile(contact, ref.connector).id;
          } catch (err) {
            throw toFieldError(err, ref.connector);
          }
          ctx.prime(contactRef, id, contact);
          // Each customer found has its own freshness: the search read counts for each of them.
          const freshness = createFreshnessTracker(clock);
          void freshness.track(ref.connector, search);
          return { id, contact, contactFrom: 'live', freshness, budgetMs };
        });
      },
    },

    Customer: {
      async profile(parent: CustomerParent, _: unknown, ctx: RequestContext, info: GraphQLResolveInfo) {
        const budgetMs = budgets.forPart(info, parent.budgetMs);
        // A contact already read live is never swapped for an older copy from the view.
        const contact =
          parent.contactFrom === 'live'
            ? await liveRead(ctx, parent.freshness, contactRef, parent.id)
            : await viewOrLive(ctx, parent, contactRef, budgetMs, (view) => view.contact, () => parent.id);
        return contact === null || contact === undefined ? null : mapContact(contact);
      },

      // The shop answers all of a customer's orders (and the view keeps them all); filtering by status and keeping
      // the newest `first` happen here, the same for both.
      async orders(parent: CustomerParent, args: { first?: number | null; status?: OrderStatus | null }, ctx: RequestContext, info: GraphQLResolveInfo): Promise<OrderParent[]> {
        const first = args.first ?? 10;
        if (first < 0) throw badInput(`orders(first:) must be 0 or more, but got ${first}`, 'first');
        const ref = sources.ordersByCustomer;
        const budgetMs = budgets.forPart(info, parent.budgetMs);
        const raw = await viewOrLive(ctx, parent, ref, budgetMs, (view) => view.orders, () => keyOrNull(mapContact(parent.contact).customerNo));
        try {
          return selectOrders(raw, ref.connector, ref.entity, { first, status: args.status ?? null }).map((o) => ({ ...o, [OWNER]: parent.freshness }));
        } catch (err) {
          throw toFieldError(err, ref.connector);
        }
      },

      async tickets(parent: CustomerParent, args: { status?: TicketStatus | null }, ctx: RequestContext, info: GraphQLResolveInfo) {
        const ref = sources.ticketsByUser;
        const budgetMs = budgets.forPart(info, parent.budgetMs);
        // A customer who never contacted support has no helpdesk account: no tickets, and nothing to ask.
        const raw = await viewOrLive(ctx, parent, ref, budgetMs, (view) => view.tickets, () => keyOrNull(mapContact(parent.contact).helpdeskUserId));
        try {
          return selectTickets(raw, ref.connector, ref.entity, { status: args.status ?? null });
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
        const raw = await liveRead(ctx, parent[OWNER], ref, parent.id);
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
