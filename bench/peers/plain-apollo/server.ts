// The gateway benchmark's plain Apollo Server peer: Apollo Server 5 standalone with straightforward per-field
// resolvers that call the simulators directly over HTTP with fetch — no DataLoader, no batching, no caching, no
// deduplication. One CRM call per customer, one SOAP call per customer's orders, one GraphQL call per customer's
// tickets, one XML call per order's shipment. What a team writes on day one.
//
//   CRM_URL=http://127.0.0.1:7001 SHOP_URL=… HELPDESK_URL=… WMS_URL=… PORT=4100 node bench/peers/plain-apollo/server.ts
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { getOrdersEnvelope, parseOrdersEnvelope, parseShipments, type PlainOrder } from './upstream-parsers.ts';
import { typeDefs } from './schema.ts';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`plain-apollo: set ${name}`);
  return v.replace(/\/+$/, '');
}

const crm = required('CRM_URL');
const shop = required('SHOP_URL');
const helpdesk = required('HELPDESK_URL');
const wms = required('WMS_URL');
const port = Number(process.env.PORT ?? 4100);

interface Contact {
  id: string;
  customerNo: string;
  helpdeskUserId: string | null;
  [field: string]: unknown;
}

// The CRM's OAuth2 client-credentials token, fetched at start and again after a 401.
let token = '';
async function refreshToken(): Promise<void> {
  const res = await fetch(`${crm}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('unics-demo:demo-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (!res.ok) throw new Error(`crm token: HTTP ${res.status}`);
  token = ((await res.json()) as { access_token: string }).access_token;
}

async function contact(id: string): Promise<Contact | null> {
  const get = () => fetch(`${crm}/api/v1/contacts/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
  let res = await get();
  if (res.status === 401) {
    await res.body?.cancel();
    await refreshToken();
    res = await get();
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) throw new Error(`crm: HTTP ${res.status}`);
  return (await res.json()) as Contact;
}

async function ordersOf(customerNo: string): Promise<PlainOrder[]> {
  const res = await fetch(`${shop}/shop`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"http://legacy.example.com/shop/GetOrdersByCustomer"' },
    body: getOrdersEnvelope(customerNo),
  });
  return parseOrdersEnvelope(await res.text());
}

const TICKETS = 'query($u: [ID!]!, $s: [TicketStatus!]) { ticketsByUsers(userIds: $u, status: $s) { id subject status priority createdAt updatedAt } }';

async function ticketsOf(userId: string, status: string | undefined): Promise<unknown[]> {
  const res = await fetch(`${helpdesk}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: TICKETS, variables: { u: [userId], s: status ? [status] : null } }),
  });
  const body = (await res.json()) as { data?: { ticketsByUsers: unknown[] }; errors?: Array<{ message: string }> };
  if (!body.data) throw new Error(`helpdesk: ${body.errors?.[0]?.message ?? `HTTP ${res.status}`}`);
  return body.data.ticketsByUsers;
}

const upper = (s: string | null | undefined) => (s ? s.toUpperCase() : s);
const newestFirst = <T extends { createdAt?: unknown }>(list: T[]) => [...list].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));

const resolvers = {
  Query: {
    customer: (_: unknown, args: { id: string }) => contact(args.id),
    customers: (_: unknown, args: { ids: string[] }) => args.ids.map((id) => contact(id)),
  },
  Customer: {
    profile: (c: Contact) => c,
    async orders(c: Contact, args: { first: number; status?: string | null }) {
      const all = await ordersOf(c.customerNo);
      const wanted = args.status ? all.filter((o) => o.status === args.status!.toLowerCase()) : all;
      return newestFirst(wanted).slice(0, args.first);
    },
    async tickets(c: Contact, args: { status?: string | null }) {
      if (!c.helpdeskUserId) return [];
      return newestFirst((await ticketsOf(c.helpdeskUserId, args.status ?? undefined)) as Array<{ createdAt: string }>);
    },
  },
  Order: {
    status: (o: PlainOrder) => upper(o.status),
    async shipment(o: PlainOrder) {
      const res = await fetch(`${wms}/idoc/shipments?orders=${encodeURIComponent(o.id)}`);
      const [first] = await parseShipments(await res.text());
      return first ? { ...first, status: upper(first.status) } : null;
    },
  },
  Payment: { status: (p: { status: string }) => upper(p.status) },
};

await refreshToken();
const server = new ApolloServer({ typeDefs, resolvers });
const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
process.stdout.write(`plain-apollo ready at ${url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop().then(() => process.exit(0)));
