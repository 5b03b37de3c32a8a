// The Shop's data access: orders with their items and payment, read in three indexed queries, and the refund,
// which changes the order and its payment in one transaction.
import type { ShopDatabase, ShopQueryable } from './shop-database.ts';
import { ShopFault } from './shop-xml.ts';

export interface ShopOrderItem {
  readonly lineNo: number;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface ShopPayment {
  readonly id: string;
  readonly method: string;
  readonly status: string;
  readonly amountCents: number;
  readonly paidAt: string | null;
  readonly updatedAt: string;
}

export interface ShopOrder {
  readonly id: string;
  readonly customerNo: string;
  readonly status: string;
  readonly totalCents: number;
  readonly currency: string;
  readonly createdAt: string | null;
  readonly updatedAt: string;
  readonly items: readonly ShopOrderItem[];
  readonly payment: ShopPayment | null;
}

interface OrderRow { id: string; customer_no: string; status: string; total_cents: unknown; currency: string; created_at: unknown; updated_at: unknown }
interface ItemRow { order_id: string; line_no: number; sku: string; name: string; quantity: number; unit_price_cents: unknown }
interface PaymentRow { id: string; order_id: string; method: string; status: string; amount_cents: unknown; paid_at: unknown; updated_at: unknown }

// pg answers bigint as a string, PGlite as a number; both answer timestamptz as a Date.
const num = (v: unknown) => Number(v);
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date).toISOString());

/** Reads the orders with `where` (a condition on alias o, parameter $1), ordered by order id. */
async function readOrders(db: ShopQueryable, where: string, param: unknown): Promise<ShopOrder[]> {
  const { rows: orders } = await db.query<OrderRow>(
    `select id, customer_no, status, total_cents, currency, created_at, updated_at from shop.orders o where ${where} order by id`,
    [param],
  );
  if (orders.length === 0) return [];
  const ids = orders.map((o) => o.id);
  const [{ rows: items }, { rows: payments }] = await Promise.all([
    db.query<ItemRow>('select * from shop.order_items where order_id = any($1::text[]) order by order_id, line_no', [ids]),
    // The latest payment of each order (the demo has at most one).
    db.query<PaymentRow>(
      'select distinct on (order_id) * from shop.payments where order_id = any($1::text[]) order by order_id, paid_at desc nulls last, id desc',
      [ids],
    ),
  ]);
  const itemsByOrder = new Map<string, ShopOrderItem[]>();
  for (const i of items) {
    const list = itemsByOrder.get(i.order_id) ?? [];
    list.push({ lineNo: num(i.line_no), sku: i.sku, name: i.name, quantity: num(i.quantity), unitPriceCents: num(i.unit_price_cents) });
    itemsByOrder.set(i.order_id, list);
  }
  const paymentByOrder = new Map<string, ShopPayment>();
  for (const p of payments) {
    paymentByOrder.set(p.order_id, {
      id: p.id, method: p.method, status: p.status, amountCents: num(p.amount_cents), paidAt: iso(p.paid_at), updatedAt: iso(p.updated_at) ?? '',
    });
  }
  return orders.map((o) => ({
    id: o.id,
    customerNo: o.customer_no,
    status: o.status,
    totalCents: num(o.total_cents),
    currency: o.currency.trim(),
    createdAt: iso(o.created_at),
    updatedAt: iso(o.updated_at) ?? '',
    items: itemsByOrder.get(o.id) ?? [],
    payment: paymentByOrder.get(o.id) ?? null,
  }));
}

/** The orders of all these customers, ordered by order id (not by the order of `customerNos`). */
export function ordersByCustomers(db: ShopQueryable, customerNos: readonly string[]): Promise<ShopOrder[]> {
  if (customerNos.length === 0) return Promise.resolve([]);
  return readOrders(db, 'o.customer_no = any($1::text[])', customerNos);
}

export async function orderById(db: ShopQueryable, orderId: string): Promise<ShopOrder | undefined> {
  return (await readOrders(db, 'o.id = $1', orderId))[0];
}

/**
 * Refunds an order: order and payment status become 'refunded' in one transaction. Client faults: NotFound,
 * AlreadyRefunded, InvalidAmount (not a positive whole number of cents, or more than the order's total).
 */
export async function refundOrder(db: ShopDatabase, orderId: string, amountCents: number, _reason: string, nowIso: string): Promise<ShopOrder> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ status: string; total_cents: unknown }>('select status, total_cents from shop.orders where id = $1 for update', [orderId]);
    const order = rows[0];
    if (!order) throw new ShopFault('Client', 'NotFound', `order ${orderId} not found`);
    if (order.status === 'refunded') throw new ShopFault('Client', 'AlreadyRefunded', `order ${orderId} is already refunded`);
    const total = num(order.total_cents);
    if (!Number.isSafeInteger(amountCents) || amountCents <= 0 || amountCents > total) {
      throw new ShopFault('Client', 'InvalidAmount', `refund amount ${amountCents} must be between 1 and the order total ${total}`);
    }
    await tx.query("update shop.orders set status = 'refunded', updated_at = $2 where id = $1", [orderId, nowIso]);
    await tx.query("update shop.payments set status = 'refunded', updated_at = $2 where order_id = $1", [orderId, nowIso]);
  });
  const refunded = await orderById(db, orderId);
  if (!refunded) throw new ShopFault('Server', 'Internal', `order ${orderId} vanished after its refund`);
  return refunded;
}
