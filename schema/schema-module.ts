// The seam between gateway/ (HTTP, auth, limits, Apollo Server) and schema/ (the unified graph and its resolvers).
// gateway/ authenticates a request, then asks the schema module for a per-request context; resolvers use only that
// context. Types only: the implementation is createSchemaModule() in create-schema-module.ts.
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import type { Connector } from '../connectors/connector.ts';

/** Who is asking, from a verified token. */
export interface Principal {
  readonly subject: string;
  readonly tenant: string;
  readonly roles: readonly string[];
}

/** Which connector and entity (or command) serves each part of the unified graph; configurable in unics.yaml. */
export interface SourceRef {
  readonly connector: string;
  readonly entity: string;
}
export interface CommandRef {
  readonly connector: string;
  readonly command: string;
}
export interface SourceMap {
  readonly contact: SourceRef; // CRM contact by CRM id
  readonly contactByEmail: SourceRef;
  readonly contactByPhone: SourceRef;
  readonly ordersByCustomer: SourceRef; // shop orders (with items and payment) by shop customer number
  readonly order: SourceRef; // one shop order by id
  readonly ticketsByUser: SourceRef; // helpdesk tickets by helpdesk user id
  readonly shipmentsByOrder: SourceRef; // warehouse shipments by order id
  readonly refundOrder: CommandRef;
}

/** A change to one customer's data, published to `Subscription.customerChanged` subscribers. */
export interface CustomerChange {
  readonly tenant: string;
  readonly customerId: string;
  /** The source whose data changed (crm, shop, helpdesk, wms). */
  readonly source: string;
  readonly at: string; // ISO time
  readonly reason: string; // e.g. "order O0000001 refunded"
}

/** The change feed subscriptions read; the CDC pipeline (and, until it exists, commands) publish to it. */
export interface ChangeFeed {
  publish(change: CustomerChange): void;
  /** Changes of one customer of one tenant, until the signal aborts. */
  subscribe(tenant: string, customerId: string, signal: AbortSignal): AsyncIterable<CustomerChange>;
}

/**
 * How fresh one source's part of a materialized view is: the view is known to equal the source as of `asOfMs` (ms
 * since epoch), which trails now by `lagMs`.
 */
export interface ViewSourceFreshness {
  readonly asOfMs: number;
  readonly lagMs: number;
}

/**
 * One customer's materialized view (materialized-views/ keeps it fresh from change events). The records have the
 * shapes the demo connectors answer (schema/fixtures/source-records.json), so the same mappers read both: `contact`
 * as the CRM answers a contact, `orders` as the shop answers orders (each with `items` and `payment`, the latest
 * payment or null), `tickets` as the helpdesk answers tickets.
 */
export interface CustomerView {
  readonly customerId: string;
  /** Grows by one each time the view changes. */
  readonly version: number;
  readonly contact: Readonly<Record<string, unknown>>;
  readonly orders: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly tickets: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** Per source name (the connector names of the SourceMap: crm, shop, helpdesk); a source missing here is unknown. */
  readonly freshness: Readonly<Record<string, ViewSourceFreshness>>;
}

/** What schema/ reads materialized views through (implemented by materialized-views/). */
export interface CustomerViews {
  /** The views of these customers of one tenant, in the order asked; null where no view exists. Rejects when the
   * store cannot be read (the resolvers then read live). */
  read(tenant: string, customerIds: readonly string[], signal: AbortSignal): Promise<Array<CustomerView | null>>;
}

/** Per-request options decided by gateway/ from headers. */
export interface RequestOptions {
  /** The request's deadline: aborted when the client goes away or the request budget runs out. */
  readonly signal: AbortSignal;
  /** Collect per-source call details for `extensions.unics` (the explain header). */
  readonly explain: boolean;
}

/** What gateway/ needs from schema/. */
export interface SchemaModule {
  /** The SDL of the unified graph. */
  readonly typeDefs: string;
  /** graphql-tools style resolver map (Apollo Server `resolvers`). */
  readonly resolvers: Record<string, unknown>;
  /** Builds the per-request context (DataLoaders over the connectors, scoped to the principal's tenant). */
  createContext(principal: Principal, options: RequestOptions): unknown;
  /** The explain report of a finished request (undefined when explain was off). */
  explainOf(context: unknown): unknown;
}

export interface SchemaModuleDeps {
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly sources: SourceMap;
  readonly changeFeed: ChangeFeed;
  readonly clock: Clock;
  readonly log: Logger;
  /** Roles allowed to run Mutation.refundOrder. Default ["supervisor", "refunds"]. */
  readonly refundRoles?: readonly string[];
  /** Materialized views read before the connectors; absent: every read is live. */
  readonly views?: CustomerViews;
  /** A view part older than this (lagMs) is not used; the resolver reads live instead. Default 300. */
  readonly freshnessBudgetMs?: number;
}
