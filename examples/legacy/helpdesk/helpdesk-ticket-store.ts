// The helpdesk's tickets, held in memory with the indexes its GraphQL API needs: by id, by user (for the batch
// query) and by (updatedAt, id) (for change capture). A copy of the demo data: status updates change only this copy.
// Enum values are stored as the API spells them (OPEN, URGENT), so resolvers hand records to graphql-js unchanged.
import type { Clock } from '../../../common/clock.ts';
import type { DemoTicket } from '../demo-data.ts';

export const TICKET_STATUSES = ['OPEN', 'PENDING', 'RESOLVED', 'CLOSED'] as const;
export const TICKET_PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export interface Ticket {
  readonly id: string;
  readonly userId: string;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly priority: TicketPriority;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A position in the change order: tickets are ordered by updatedAt, then id. */
export interface ChangePosition {
  readonly updatedAt: string;
  readonly id: string;
}

export interface TicketStore {
  readonly size: number;
  byId(id: string): Ticket | undefined;
  /** The users' tickets in ticket-id order (not in the order of `userIds`), optionally only some statuses. */
  byUsers(userIds: readonly string[], statuses?: readonly TicketStatus[]): Ticket[];
  /**
   * Up to `first` tickets with updatedAt >= `since` (ISO), in (updatedAt, id) order, starting after `after` when
   * given. `hasNext` says whether more follow.
   */
  updatedSince(since: string, first: number, after?: ChangePosition): { tickets: Ticket[]; hasNext: boolean };
  /** Sets a ticket's status and stamps updatedAt (strictly later than any earlier stamp); undefined when unknown. */
  updateStatus(id: string, status: TicketStatus): Ticket | undefined;
}

const compareChange = (a: ChangePosition, b: ChangePosition) =>
  a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
const byTicketId = (a: Ticket, b: Ticket) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** First index in the sorted list whose element is not before `pos` (strict: after `pos`). */
function lowerBound(list: readonly Ticket[], pos: ChangePosition, strict: boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareChange(list[mid]!, pos);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createTicketStore(source: readonly DemoTicket[], clock: Pick<Clock, 'now'>): TicketStore {
  const byId = new Map<string, Ticket>();
  const byUser = new Map<string, Ticket[]>();
  for (const t of source) {
    const ticket: Ticket = {
      id: t.id,
      userId: t.userId,
      subject: t.subject,
      status: t.status.toUpperCase() as TicketStatus,
      priority: t.priority.toUpperCase() as TicketPriority,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
    byId.set(ticket.id, ticket);
    const list = byUser.get(ticket.userId);
    if (list) list.push(ticket);
    else byUser.set(ticket.userId, [ticket]);
  }
  for (const list of byUser.values()) list.sort(byTicketId);
  const changeOrder = [...byId.values()].sort(compareChange);
  let latestStamp = Date.parse(changeOrder.at(-1)?.updatedAt ?? '1970-01-01T00:00:00Z');

  return {
    get size() {
      return byId.size;
    },
    byId: (id) => byId.get(id),
    byUsers(userIds, statuses) {
      const wanted = statuses ? new Set<string>(statuses) : undefined;
      const out: Ticket[] = [];
      for (const userId of new Set(userIds)) {
        for (const t of byUser.get(userId) ?? []) if (!wanted || wanted.has(t.status)) out.push(t);
      }
      return out.sort(byTicketId);
    },
    updatedSince(since, first, after) {
      const start = after && after.updatedAt >= since ? lowerBound(changeOrder, after, true) : lowerBound(changeOrder, { updatedAt: since, id: '' }, false);
      const tickets = changeOrder.slice(start, start + first);
      return { tickets, hasNext: start + first < changeOrder.length };
    },
    updateStatus(id, status) {
      const old = byId.get(id);
      if (!old) return undefined;
      // Stamps only move forward, even when the wall clock is behind the demo data's "now", so change capture
      // polling from the last stamp it saw never misses an update.
      latestStamp = Math.max(clock.now(), latestStamp + 1);
      const updated: Ticket = { ...old, status, updatedAt: new Date(latestStamp).toISOString() };
      byId.set(id, updated);
      const list = byUser.get(updated.userId)!;
      list[list.indexOf(old)] = updated;
      changeOrder.splice(lowerBound(changeOrder, old, false), 1);
      changeOrder.push(updated);
      return updated;
    },
  };
}
