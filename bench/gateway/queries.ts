// The gateway benchmark's two queries, written for each contender so that all of them fetch the same data, and a
// canonical form of each contender's answer so the harness can prove it before measuring (and compare with the
// demo data itself).
//
//   profile: one customer (C000001: 5 orders, 2 tickets) with contact, orders with items, tickets
//   list:    50 customers (C000001-C000050) with the same fields
//   profile-distinct: the profile query, each request for another customer (C000001, C000002, ... cycling over
//            the first 9,000): what concurrent requests for the same customer share (singleflight, in-flight
//            deduplication) no longer helps, so it shows the cost of a profile when every agent looks at a
//            different customer
//
// UniCS and plain Apollo share the unified schema (customer / customers, Customer { profile orders tickets }).
// Mesh composes the sources side by side, so Hive Gateway's query starts at the CRM's contact(s) (a union with the
// CRM's error type, as Mesh types an OpenAPI operation with documented error responses) and reaches orders and
// tickets through the batched @resolveTo joins of bench/peers/hive/mesh.config.ts; items are the SOAP handler's
// items { item [...] } wrapper.
import type { DemoData } from '../../examples/legacy/demo-data.ts';

export type QueryName = 'profile' | 'list' | 'profile-distinct';
/** unics-views and unics-memory-views: UniCS's view path, views in Redis and its ceiling, views in process memory. */
export type ContenderName = 'unics' | 'plain-apollo' | 'hive' | 'unics-views' | 'unics-memory-views';
export const VIEW_CONTENDERS: readonly ContenderName[] = ['unics-views', 'unics-memory-views'];

export const PROFILE_ID = 'C000001';
export const LIST_IDS: readonly string[] = Array.from({ length: 50 }, (_, i) => `C${String(i + 1).padStart(6, '0')}`);
/** Customers the profile-distinct query cycles over. */
export const DISTINCT_CUSTOMERS = 9000;
/** The customer of the n-th request of the profile-distinct query (n from 0). */
export const distinctCustomerId = (n: number) => `C${String((n % DISTINCT_CUSTOMERS) + 1).padStart(6, '0')}`;

const ORDER_FIELDS = 'id status totalCents currency createdAt updatedAt';
const ITEM_FIELDS = 'lineNo sku name quantity unitPriceCents';
const TICKET_FIELDS = 'id subject status priority createdAt updatedAt';
const PROFILE_FIELDS = 'firstName lastName email phone language tier customerNo helpdeskUserId';

// first: 10 is the unified schema's default, and no demo customer among the 50 has more than 8 orders, so every
// contender returns all orders (Mesh's join has no first argument).
const unifiedCustomer = `id profile { ${PROFILE_FIELDS} } orders(first: 10) { ${ORDER_FIELDS} items { ${ITEM_FIELDS} } } tickets { ${TICKET_FIELDS} }`;
const meshContact = `id ${PROFILE_FIELDS} orders { ${ORDER_FIELDS} items { item { ${ITEM_FIELDS} } } } tickets { ${TICKET_FIELDS} }`;

/** The HTTP body (GraphQL over HTTP, JSON) of a query for a contender (`id`: the profile's customer). */
export function requestBody(contender: ContenderName, query: QueryName, id = PROFILE_ID): string {
  if (contender === 'hive') {
    return JSON.stringify(
      query !== 'list'
        ? { query: `query Profile($id: String!) { contact(id: $id) { ... on Contact { ${meshContact} } } }`, variables: { id } }
        : { query: `query List($ids: [String]) { contacts(ids: $ids) { ... on ContactPage { items { ${meshContact} } } } }`, variables: { ids: LIST_IDS } },
    );
  }
  return JSON.stringify(
    query !== 'list'
      ? { query: `query Profile($id: ID!) { customer(id: $id) { ${unifiedCustomer} } }`, variables: { id } }
      : { query: `query List($ids: [ID!]!) { customers(ids: $ids) { ${unifiedCustomer} } }`, variables: { ids: LIST_IDS } },
  );
}

export interface CanonicalItem {
  lineNo: number;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
}
export interface CanonicalOrder {
  id: string;
  status: string;
  totalCents: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  items: CanonicalItem[];
}
export interface CanonicalTicket {
  id: string;
  subject: string;
  status: string;
  priority: string;
  createdAt: string;
  updatedAt: string;
}
export interface CanonicalCustomer {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  language: string;
  tier: string;
  customerNo: string;
  helpdeskUserId: string | null;
  orders: CanonicalOrder[];
  tickets: CanonicalTicket[];
}

type Rec = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const iso = (v: unknown) => (v === null || v === undefined || v === '' ? '' : new Date(String(v)).toISOString());
const lower = (v: unknown) => str(v).toLowerCase();
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function canonicalOrder(o: Rec, items: Rec[]): CanonicalOrder {
  return {
    id: str(o.id),
    status: lower(o.status),
    totalCents: Number(o.totalCents),
    currency: str(o.currency),
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    items: items
      .map((i) => ({ lineNo: Number(i.lineNo), sku: str(i.sku), name: str(i.name), quantity: Number(i.quantity), unitPriceCents: Number(i.unitPriceCents) }))
      .sort((a, b) => a.lineNo - b.lineNo),
  };
}

function canonicalTicket(t: Rec): CanonicalTicket {
  return { id: str(t.id), subject: str(t.subject), status: lower(t.status), priority: lower(t.priority), createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

function canonicalCustomer(id: unknown, p: Rec, orders: CanonicalOrder[], tickets: Rec[]): CanonicalCustomer {
  return {
    id: str(id),
    firstName: str(p.firstName),
    lastName: str(p.lastName),
    email: str(p.email),
    phone: str(p.phone),
    language: str(p.language),
    tier: str(p.tier),
    customerNo: str(p.customerNo),
    helpdeskUserId: p.helpdeskUserId === null || p.helpdeskUserId === undefined ? null : str(p.helpdeskUserId),
    orders: orders.sort(byId),
    tickets: tickets.map(canonicalTicket).sort(byId),
  };
}

const list = (v: unknown): Rec[] => (Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as Rec[]) : []);

/**
 * The customers in a contender's GraphQL answer, in canonical form (sorted by id; orders and tickets sorted by id,
 * items by line; statuses lower case; times as ISO strings). Throws when the answer has errors or no data.
 */
export function canonicalAnswer(contender: ContenderName, body: unknown): CanonicalCustomer[] {
  const b = body as { data?: Rec | null; errors?: Array<{ message?: string }> };
  if (b.errors?.length) throw new Error(`${contender}: ${b.errors.length} GraphQL error(s), first: ${b.errors[0]?.message ?? '?'}`);
  if (!b.data) throw new Error(`${contender}: the answer has no data`);
  let customers: Rec[];
  if (contender === 'hive') {
    customers = b.data.contact !== undefined ? list([b.data.contact]) : list((b.data.contacts as Rec | null)?.items);
    return customers
      .map((c) => canonicalCustomer(c.id, c, list(c.orders).map((o) => canonicalOrder(o, list((o.items as Rec | null)?.item))), list(c.tickets)))
      .sort(byId);
  }
  customers = b.data.customer !== undefined ? list([b.data.customer]) : list(b.data.customers);
  return customers
    .map((c) => canonicalCustomer(c.id, (c.profile ?? {}) as Rec, list(c.orders).map((o) => canonicalOrder(o, list(o.items))), list(c.tickets)))
    .sort(byId);
}

/** What every contender must answer: the same customers straight from the demo data set. */
export function expectedAnswer(data: DemoData, query: QueryName): CanonicalCustomer[] {
  const ids = new Set(query === 'list' ? LIST_IDS : [PROFILE_ID]);
  return data.contacts
    .filter((c) => ids.has(c.id))
    .map((c) => {
      const orders = data.orders
        .filter((o) => o.customerNo === c.customerNo)
        .map((o) => canonicalOrder(o as unknown as Rec, data.items.filter((i) => i.orderId === o.id) as unknown as Rec[]));
      const tickets = c.helpdeskUserId === null ? [] : data.tickets.filter((t) => t.userId === c.helpdeskUserId);
      return canonicalCustomer(c.id, c as unknown as Rec, orders, tickets as unknown as Rec[]);
    })
    .sort(byId);
}

/** A one-line description of the first difference between two canonical answers, or null when they are equal. */
export function firstDifference(actual: unknown, expected: unknown, path = '$'): string | null {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `${path}: ${actual.length} entries, expected ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const d = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    for (const k of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
      const d = firstDifference((actual as Rec)[k], (expected as Rec)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(actual, expected) ? null : `${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
}
