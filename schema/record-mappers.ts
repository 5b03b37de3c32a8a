// The pure core of the resolvers (STYLE.md 8): the records each demo connector answers (shapes recorded in
// fixtures/source-records.json) mapped to the unified graph's types. Status codes become the upper-case GraphQL enum
// values; a value the graph cannot represent is SCHEMA_ERR_UNEXPECTED_VALUE naming the source, the field and the
// value, so the resolver nulls that field only.
import { schemaErr } from './error-catalogue.ts';

export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'REFUNDED';
export type PaymentStatus = 'CAPTURED' | 'REFUNDED';
export type ShipmentStatus = 'IN_TRANSIT' | 'DELIVERED';
export type TicketStatus = 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
export type TicketPriority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';

export const ORDER_STATUSES: readonly OrderStatus[] = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED'];
const PAYMENT_STATUSES: readonly PaymentStatus[] = ['CAPTURED', 'REFUNDED'];
const SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['IN_TRANSIT', 'DELIVERED'];
export const TICKET_STATUSES: readonly TicketStatus[] = ['OPEN', 'PENDING', 'RESOLVED', 'CLOSED'];
const TICKET_PRIORITIES: readonly TicketPriority[] = ['LOW', 'NORMAL', 'HIGH', 'URGENT'];

export interface Profile {
  readonly id: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly language: string | null;
  readonly tier: string | null;
  readonly customerNo: string | null;
  readonly helpdeskUserId: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export interface OrderItem {
  readonly lineNo: number;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface Payment {
  readonly id: string;
  readonly method: string;
  readonly status: PaymentStatus;
  readonly amountCents: number;
  readonly paidAt: string | null;
  readonly updatedAt: string | null;
}

export interface Order {
  readonly id: string;
  /** The shop's customer number (not in the graph; used to find the order's owner). */
  readonly customerNo: string | null;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly items: readonly OrderItem[];
  readonly payment: Payment | null;
}

export interface Shipment {
  readonly shipmentNo: string;
  readonly deliveryNo: string | null;
  readonly carrier: string | null;
  readonly trackingNo: string | null;
  readonly status: ShipmentStatus;
  readonly shippedAt: string | null;
  readonly deliveredAt: string | null;
}

export interface Ticket {
  readonly id: string;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly priority: TicketPriority | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

type Rec = Readonly<Record<string, unknown>>;

/** Reads one record of one source, naming both in every complaint. */
function reader(source: string, what: string, raw: unknown) {
  const unexpected = (field: string, value: unknown, expected: string) =>
    schemaErr.SCHEMA_ERR_UNEXPECTED_VALUE(
      `source "${source}": ${what}.${field} should be ${expected}, but is ${JSON.stringify(value) ?? 'undefined'}`,
      { details: { source, field: `${what}.${field}` } },
    );
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw unexpected('(record)', raw, 'an object');
  const rec = raw as Rec;
  const text = (field: string): string | null => {
    const value = rec[field];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw unexpected(field, value, 'text');
  };
  const requiredText = (field: string): string => {
    const value = text(field);
    if (value === null || value === '') throw unexpected(field, rec[field], 'non-empty text');
    return value;
  };
  const integer = (field: string): number => {
    const value = rec[field];
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw unexpected(field, value, 'an integer');
    return n;
  };
  const oneOf = <T extends string>(field: string, allowed: readonly T[]): T => {
    const value = rec[field];
    const name = typeof value === 'string' ? value.trim().toUpperCase() : undefined;
    if (name === undefined || !(allowed as readonly string[]).includes(name)) {
      throw unexpected(field, value, `one of ${allowed.map((a) => a.toLowerCase()).join(', ')}`);
    }
    return name as T;
  };
  return { rec, text, requiredText, integer, oneOf, unexpected };
}

/** A CRM contact (the rest connector's record, camelCase as the CRM sends it). */
export function mapProfile(raw: unknown, source: string): Profile {
  const r = reader(source, 'contact', raw);
  return {
    id: r.requiredText('id'),
    firstName: r.text('firstName'),
    lastName: r.text('lastName'),
    email: r.text('email'),
    phone: r.text('phone'),
    language: r.text('language'),
    tier: r.text('tier'),
    customerNo: r.text('customerNo'),
    helpdeskUserId: r.text('helpdeskUserId'),
    createdAt: r.text('createdAt'),
    updatedAt: r.text('updatedAt'),
  };
}

function mapItem(raw: unknown, source: string): OrderItem {
  const r = reader(source, 'order.items.item', raw);
  return { lineNo: r.integer('lineNo'), sku: r.requiredText('sku'), name: r.text('name') ?? '', quantity: r.integer('quantity'), unitPriceCents: r.integer('unitPriceCents') };
}

function mapPayment(raw: unknown, source: string): Payment {
  const r = reader(source, 'order.payment', raw);
  return {
    id: r.requiredText('id'),
    method: r.text('method') ?? '',
    status: r.oneOf('status', PAYMENT_STATUSES),
    amountCents: r.integer('amountCents'),
    paidAt: r.text('paidAt'),
    updatedAt: r.text('updatedAt'),
  };
}

/**
 * A shop order as the soap connector answers it: XSD-typed numbers, and the repeated items wrapped as
 * `items.item` (always a list; absent when the shop sent no <items>). `payment` is absent for unpaid orders.
 */
export function mapOrder(raw: unknown, source: string): Order {
  const r = reader(source, 'order', raw);
  const id = r.requiredText('id');
  const items = r.rec.items;
  let itemList: unknown[] = [];
  if (items !== undefined && items !== null) {
    const inner = typeof items === 'object' && !Array.isArray(items) ? (items as Rec).item : items;
    if (inner === undefined || inner === null) itemList = [];
    else if (Array.isArray(inner)) itemList = inner;
    else itemList = [inner];
  }
  const payment = r.rec.payment;
  return {
    id,
    customerNo: r.text('customerNo'),
    status: r.oneOf('status', ORDER_STATUSES),
    totalCents: r.integer('totalCents'),
    currency: r.requiredText('currency'),
    createdAt: r.requiredText('createdAt'),
    updatedAt: r.requiredText('updatedAt'),
    items: itemList.map((item) => mapItem(item, source)),
    payment: payment === undefined || payment === null ? null : mapPayment(payment, source),
  };
}

/** A warehouse shipment: the xml connector's `fields` output (status already translated from the SAP code). */
export function mapShipment(raw: unknown, source: string): Shipment {
  const r = reader(source, 'shipment', raw);
  return {
    shipmentNo: r.requiredText('shipmentNo'),
    deliveryNo: r.text('deliveryNo'),
    carrier: r.text('carrier'),
    trackingNo: r.text('trackingNo'),
    status: r.oneOf('status', SHIPMENT_STATUSES),
    shippedAt: r.text('shippedAt'),
    deliveredAt: r.text('deliveredAt'),
  };
}

/** A helpdesk ticket (the graphql connector's record; the helpdesk's enums are upper-case already). */
export function mapTicket(raw: unknown, source: string): Ticket {
  const r = reader(source, 'ticket', raw);
  const priority = r.rec.priority;
  return {
    id: r.requiredText('id'),
    subject: r.text('subject') ?? '',
    status: r.oneOf('status', TICKET_STATUSES),
    priority: priority === undefined || priority === null ? null : r.oneOf('priority', TICKET_PRIORITIES),
    createdAt: r.text('createdAt'),
    updatedAt: r.text('updatedAt'),
  };
}

/** A `many` entity's value: a list (an unknown key is an empty list; null is treated the same). */
export function listOf(raw: unknown, source: string, what: string): readonly unknown[] {
  if (raw === null || raw === undefined) return [];
  if (Array.isArray(raw)) return raw;
  throw schemaErr.SCHEMA_ERR_UNEXPECTED_VALUE(`source "${source}": ${what} should be a list of records, but is ${typeof raw}`, {
    details: { source, field: what },
  });
}

/** Newest first by an ISO time field; records without it go last, ties keep the source's order. */
export function newestFirst<T>(records: readonly T[], timeOf: (record: T) => string | null): T[] {
  const at = (r: T) => {
    const t = timeOf(r);
    const ms = t === null ? Number.NaN : Date.parse(t);
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  };
  return records.map((r, i) => ({ r, i, t: at(r) })).sort((a, b) => b.t - a.t || a.i - b.i).map((x) => x.r);
}

/** A customer's orders (the shop's answer or the view's list): filtered by status, newest first by createdAt, at most `first`. */
export function selectOrders(raw: unknown, source: string, what: string, args: { readonly first: number; readonly status?: OrderStatus | null }): Order[] {
  const orders = listOf(raw, source, what).map((o) => mapOrder(o, source));
  return newestFirst(args.status ? orders.filter((o) => o.status === args.status) : orders, (o) => o.createdAt).slice(0, args.first);
}

/** A customer's tickets (the helpdesk's answer or the view's list): filtered by status, newest first by createdAt. */
export function selectTickets(raw: unknown, source: string, what: string, args: { readonly status?: TicketStatus | null }): Ticket[] {
  const tickets = listOf(raw, source, what).map((t) => mapTicket(t, source));
  return newestFirst(args.status ? tickets.filter((t) => t.status === args.status) : tickets, (t) => t.createdAt);
}
