// Builders of decoded change events and row operations for the customer-360 view, for tests of projections and
// stores. Positions grow with a counter unless a test gives one.
import type { ChangeEvent, ChangeOp } from '../../cdc/decode-change-event.ts';
import { customer360 } from '../customer-360.ts';
import { projectChange, type RowOp } from '../project-change.ts';
import { indexTables } from '../view-definition.ts';

type Row = Record<string, unknown>;

const tables = indexTables(customer360);
let nextLsn = 1_000n;

export interface ChangeOptions {
  readonly lsn?: bigint;
  readonly before?: Row | null;
  readonly tsMs?: number;
  readonly unavailable?: readonly string[];
  readonly snapshot?: boolean;
}

const KEYS: Record<string, readonly string[]> = {
  'crm.contacts': ['id'],
  'shop.orders': ['id'],
  'shop.order_items': ['order_id', 'line_no'],
  'shop.payments': ['id'],
  'helpdesk.tickets': ['id'],
};

export function changeEvent(table: string, op: ChangeOp, row: Row, options: ChangeOptions = {}): ChangeEvent {
  const [schema, name] = table.split('.') as [string, string];
  const lsn = options.lsn ?? (nextLsn += 8n);
  const key: Row = {};
  for (const c of KEYS[table] ?? ['id']) key[c] = row[c];
  return {
    kind: 'change',
    op,
    schema,
    table: name,
    key,
    before: op === 'delete' ? row : (options.before ?? null),
    after: op === 'delete' ? null : row,
    unavailable: options.unavailable ?? [],
    position: { commitLsn: lsn, lsn, txId: null, snapshot: options.snapshot ?? false },
    snapshot: options.snapshot ? 'true' : 'false',
    sourceTsMs: options.tsMs ?? 1_800_000_000_000,
    eventTsMs: null,
    flattened: false,
  };
}

/** The row operation of a change to a customer-360 table. */
export function opOf(table: string, op: ChangeOp, row: Row, options: ChangeOptions = {}): RowOp {
  const role = tables.get(table);
  if (role === undefined) throw new Error(`customer360 has no table ${table}`);
  return projectChange(role, changeEvent(table, op, row, options));
}

export const contact = (id: string, customerNo: string | null, helpdeskUserId: string | null = null, extra: Row = {}): Row => ({
  id,
  firstName: 'Ann',
  lastName: `Lee ${id}`,
  customerNo,
  helpdeskUserId,
  updatedAt: '2026-11-23T10:00:00.000Z',
  ...extra,
});

export const order = (id: string, customerNo: string, status = 'paid', extra: Row = {}): Row => ({
  id,
  customer_no: customerNo,
  status,
  total_cents: 12_900,
  currency: 'EUR',
  created_at: '2026-11-20T10:00:00.123456Z',
  updated_at: '2026-11-23T10:00:00.654321Z',
  ...extra,
});

export const item = (orderId: string, lineNo: number, extra: Row = {}): Row => ({
  order_id: orderId,
  line_no: lineNo,
  sku: `SKU-${lineNo}`,
  name: `Thing ${lineNo}`,
  quantity: 1,
  unit_price_cents: 4_300,
  ...extra,
});

export const payment = (id: string, orderId: string, status = 'captured', extra: Row = {}): Row => ({
  id,
  order_id: orderId,
  method: 'card',
  status,
  amount_cents: 12_900,
  paid_at: '2026-11-20T10:01:00Z',
  updated_at: '2026-11-20T10:01:00Z',
  ...extra,
});

export const ticket = (id: string, userId: string, status = 'OPEN', extra: Row = {}): Row => ({
  id,
  userId,
  subject: `Ticket ${id}`,
  status,
  priority: 'NORMAL',
  createdAt: '2026-11-21T09:00:00.000Z',
  updatedAt: '2026-11-21T09:00:00.000Z',
  ...extra,
});
