// Why a view changed, in words agents and the chat core can use ("order O0001234 paid"): a pure function of one
// change event and the table's role. Business events (order paid, refunded, shipped; ticket resolved) get a stable
// `kind`; other changes a generic one, so a subscriber always learns that something changed.
import type { ChangeEvent } from '../cdc/decode-change-event.ts';
import type { TableRole } from './view-definition.ts';

export interface ChangeReason {
  /** Stable and dotted: order.paid, order.shipped, order.refunded, payment.refunded, ticket.resolved, contact.updated … */
  readonly kind: string;
  /** The id of the row it is about (O0001234, T0000007, C000001). */
  readonly subject: string;
  /** For people: "order O0001234 paid". */
  readonly text: string;
  /** The source (crm, shop, helpdesk). */
  readonly source: string;
}

type Row = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const lower = (v: unknown) => str(v)?.toLowerCase() ?? null;

const ORDER_VERBS: Readonly<Record<string, string>> = { paid: 'paid', shipped: 'shipped', delivered: 'delivered', cancelled: 'cancelled', refunded: 'refunded', pending: 'pending' };
const TICKET_VERBS: Readonly<Record<string, string>> = { open: 'reopened', pending: 'pending', resolved: 'resolved', closed: 'closed' };

/** The fields that differ between two rows (for "contact updated: tier, email"). */
function changedFields(before: Row | null, after: Row | null): string[] {
  if (before === null || after === null) return [];
  return Object.keys(after).filter((k) => k !== 'updatedAt' && k !== 'updated_at' && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

export function describeChange(role: TableRole, event: ChangeEvent): ChangeReason {
  const row = event.after ?? event.before ?? {};
  const source = role.source;
  const reason = (kind: string, subject: string, text: string): ChangeReason => ({ kind, subject, text, source });
  const statusChange = () => {
    const before = lower(event.before?.status);
    const after = lower(event.after?.status);
    return after !== null && before !== after ? after : null;
  };

  if (role.kind === 'root') {
    const id = str(row[role.spec.key]) ?? '?';
    if (event.op === 'delete') return reason('contact.deleted', id, `contact ${id} deleted`);
    if (event.op === 'create' || event.op === 'read') return reason('contact.created', id, `contact ${id} created`);
    const fields = changedFields(event.before, event.after);
    return reason('contact.updated', id, fields.length > 0 ? `contact ${id} updated: ${fields.join(', ')}` : `contact ${id} updated`);
  }

  if (role.kind === 'part') {
    const id = role.spec.key.map((k) => str(row[k]) ?? '?').join('|');
    const noun = role.spec.name === 'orders' ? 'order' : role.spec.name === 'tickets' ? 'ticket' : role.spec.name;
    if (event.op === 'delete') return reason(`${noun}.deleted`, id, `${noun} ${id} deleted`);
    const verbs = noun === 'ticket' ? TICKET_VERBS : ORDER_VERBS;
    if (event.op === 'create') {
      return noun === 'ticket' ? reason('ticket.opened', id, `ticket ${id} opened`) : reason(`${noun}.created`, id, `${noun} ${id} placed`);
    }
    const status = statusChange();
    if (status !== null && event.op === 'update') {
      const verb = verbs[status] ?? status;
      return reason(`${noun}.${verb}`, id, `${noun} ${id} ${verb}`);
    }
    return reason(`${noun}.updated`, id, `${noun} ${id} updated`);
  }

  // A child: payments and items of an order.
  const parent = str(row[role.spec.parentColumn]) ?? '?';
  const id = role.spec.key.map((k) => str(row[k]) ?? '?').join('|');
  if (role.spec.name === 'payments') {
    const status = statusChange();
    if (event.op === 'create' && lower(row.status) === 'captured') return reason('order.paid', parent, `order ${parent} paid`);
    if (status === 'refunded') return reason('payment.refunded', parent, `payment ${id} of order ${parent} refunded`);
    if (event.op === 'delete') return reason('payment.deleted', parent, `payment ${id} of order ${parent} deleted`);
    return reason('payment.updated', parent, `payment ${id} of order ${parent} updated`);
  }
  return reason(`${role.spec.name}.changed`, parent, `${role.spec.name} of order ${parent} changed`);
}
