// The helpdesk's GraphQL schema and resolvers (graphql-js). The batch query answers in ticket-id order, not in the
// order of the requested user ids, so clients must align by userId. Archived tickets show how partial answers look:
// they are listed by ticketsByUsers, but their assignee and their full record (ticket, tickets) live in cold storage
// the simulator cannot reach, so those fields resolve to null with an ARCHIVED error at the item's path.
import { buildSchema, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { TICKET_STATUSES, type Ticket, type TicketStatus, type TicketStore } from './helpdesk-ticket-store.ts';

export const HELPDESK_SDL = /* GraphQL */ `
  enum TicketStatus { OPEN PENDING RESOLVED CLOSED }
  enum TicketPriority { LOW NORMAL HIGH URGENT }

  type Ticket {
    id: ID!
    userId: ID!
    subject: String!
    status: TicketStatus!
    priority: TicketPriority!
    createdAt: String!
    updatedAt: String!
    "The agent working on the ticket; null with an ARCHIVED error for archived tickets."
    assignee: String
  }

  type TicketEdge { cursor: String!, node: Ticket! }
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type TicketConnection { edges: [TicketEdge!]!, pageInfo: PageInfo! }

  type Query {
    "Tickets of up to 500 users, in ticket-id order (not in the order of userIds)."
    ticketsByUsers(userIds: [ID!]!, status: [TicketStatus!]): [Ticket!]!
    ticket(id: ID!): Ticket
    "Up to 500 tickets in the order of ids; unknown ids are null, archived ones null with an ARCHIVED error."
    tickets(ids: [ID!]!): [Ticket]!
    "Change capture: tickets with updatedAt >= since, in (updatedAt, id) order, paged with after = endCursor."
    ticketsUpdatedSince(since: String!, first: Int = 100, after: String): TicketConnection!
  }

  type Mutation {
    "Sets a ticket's status and stamps updatedAt; null when the ticket does not exist."
    updateTicketStatus(id: ID!, status: TicketStatus!): Ticket
  }
`;

/** Most ids one list argument may carry. */
export const HELPDESK_MAX_IDS = 500;
/** Largest page of ticketsUpdatedSince. */
export const HELPDESK_MAX_PAGE = 500;

const AGENTS = ['Ada (1st level)', 'Bo (1st level)', 'Clara (2nd level)', 'Deniz (billing)', 'Eun-ji (logistics)'];

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
const archived = (id: string, what: string) =>
  new GraphQLError(`ticket ${id} is archived; its ${what} is in cold storage and cannot be read`, { extensions: { code: 'ARCHIVED' } });

function checkIds(field: string, arg: string, ids: readonly string[]): void {
  if (ids.length > HELPDESK_MAX_IDS) {
    throw badInput(`${field} accepts at most ${HELPDESK_MAX_IDS} ${arg}, but got ${ids.length}. Split the request.`);
  }
}

export const encodeCursor = (t: Pick<Ticket, 'updatedAt' | 'id'>) => Buffer.from(`${t.updatedAt}|${t.id}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string): { updatedAt: string; id: string } {
  const [updatedAt, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!updatedAt || !id || extra !== undefined || Number.isNaN(Date.parse(updatedAt))) {
    throw badInput(`after must be an endCursor returned by ticketsUpdatedSince, but got ${JSON.stringify(cursor)}`);
  }
  return { updatedAt, id };
}

type Resolvers = Record<string, Record<string, GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>>>;

/** Builds the executable schema over a ticket store. `isArchived` decides which tickets are in cold storage. */
export function createHelpdeskSchema(store: TicketStore, isArchived: (id: string) => boolean): GraphQLSchema {
  const resolvers: Resolvers = {
    Query: {
      ticketsByUsers(_root, args) {
        const userIds = args.userIds as string[];
        checkIds('ticketsByUsers', 'userIds', userIds);
        return store.byUsers(userIds, (args.status as TicketStatus[] | null | undefined) ?? undefined);
      },
      ticket(_root, args) {
        const t = store.byId(args.id as string);
        if (t && isArchived(t.id)) throw archived(t.id, 'record');
        return t ?? null;
      },
      tickets(_root, args) {
        const ids = args.ids as string[];
        checkIds('tickets', 'ids', ids);
        // An Error as a list item becomes null at that index with the error at ["tickets", index].
        return ids.map((id) => {
          const t = store.byId(id);
          if (t && isArchived(id)) return archived(id, 'record');
          return t ?? null;
        });
      },
      ticketsUpdatedSince(_root, args) {
        const since = args.since as string;
        const sinceMs = Date.parse(since);
        if (Number.isNaN(sinceMs)) throw badInput(`since must be an ISO timestamp like "2026-11-01T12:00:00Z", but got ${JSON.stringify(since)}`);
        const first = args.first as number | null;
        if (first === null || first < 1 || first > HELPDESK_MAX_PAGE) {
          throw badInput(`first must be between 1 and ${HELPDESK_MAX_PAGE}, but got ${String(first)}`);
        }
        const after = typeof args.after === 'string' ? decodeCursor(args.after) : undefined;
        const page = store.updatedSince(new Date(sinceMs).toISOString(), first, after);
        const edges = page.tickets.map((node) => ({ cursor: encodeCursor(node), node }));
        return { edges, pageInfo: { hasNextPage: page.hasNext, endCursor: edges.at(-1)?.cursor ?? args.after ?? null } };
      },
    },
    Mutation: {
      updateTicketStatus(_root, args) {
        const status = args.status as TicketStatus;
        if (!TICKET_STATUSES.includes(status)) throw badInput(`unknown status ${String(status)}`);
        return store.updateStatus(args.id as string, status) ?? null;
      },
    },
    Ticket: {
      assignee(ticket) {
        const t = ticket as Ticket;
        if (isArchived(t.id)) throw archived(t.id, 'assignee');
        return AGENTS[Number(t.id.replace(/\D/g, '')) % AGENTS.length] ?? null;
      },
    },
  };

  const schema = buildSchema(HELPDESK_SDL);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`helpdesk schema has no object type ${typeName}`);
    const defined = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = defined[fieldName];
      if (!field) throw new Error(`helpdesk schema has no field ${typeName}.${fieldName}`);
      field.resolve = resolve;
    }
  }
  return schema;
}
