// A small SchemaModule for gateway tests: the HTTP, auth, limits and WebSocket concerns, without connectors.
// `Customer.friends` recurses so depth and cost bombs are easy to write; `boom` throws an uncatalogued error,
// `down` a catalogued one; `slow` waits for the request's signal; subscriptions come from publish().
import { connErr } from '../../connectors/error-catalogue.ts';
import type { CustomerChange, Principal, RequestOptions, SchemaModule } from '../../schema/schema-module.ts';

export const fakeTypeDefs = /* GraphQL */ `
  type Query {
    me: Me!
    customer(id: ID!): Customer
    customers(ids: [ID!]!): [Customer]!
    boom: String
    down: String
    slow: String
  }
  type Mutation { touch(id: ID!): Boolean! }
  type Subscription { customerChanged(id: ID!): CustomerChange! }
  type Me { subject: String! tenant: String! roles: [String!]! }
  type Customer { id: ID! name: String! friends(first: Int): [Customer!]! orders(first: Int): [Order!]! }
  type Order { id: ID! totalCents: Int! }
  type CustomerChange { customerId: ID! source: String! reason: String! at: String! }
`;

interface FakeContext {
  readonly principal: Principal;
  readonly options: RequestOptions;
  readonly calls: string[];
}

export interface FakeSchemaModule extends SchemaModule {
  publish(change: CustomerChange): void;
  /** Signals of the contexts created so far, to see that they are aborted. */
  readonly signals: AbortSignal[];
}

// "nameless" breaks the non-null Customer.name, so a test can see null propagate to the nearest nullable field.
const customer = (id: string) => ({ id, name: id === 'nameless' ? null : `Customer ${id}` });

export function createFakeSchemaModule(): FakeSchemaModule {
  const subscribers = new Set<{ tenant: string; id: string; push: (c: CustomerChange) => void }>();
  const signals: AbortSignal[] = [];
  const resolvers = {
    Query: {
      me: (_: unknown, __: unknown, ctx: FakeContext) => ctx.principal,
      customer: (_: unknown, args: { id: string }, ctx: FakeContext) => {
        ctx.calls.push(`customer:${args.id}`);
        return args.id === 'missing' ? null : customer(args.id);
      },
      customers: (_: unknown, args: { ids: string[] }) => args.ids.map(customer),
      boom: () => {
        throw new Error('SELECT * FROM secrets failed at 10.0.0.7');
      },
      down: () => {
        throw connErr.CONN_ERR_UNAVAILABLE('connector "crm": upstream answered 503', { details: { connector: 'crm' } });
      },
      slow: (_: unknown, __: unknown, ctx: FakeContext) =>
        new Promise<string>((resolve) => {
          if (ctx.options.signal.aborted) resolve('aborted');
          ctx.options.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
        }),
    },
    Mutation: { touch: () => true },
    Customer: {
      friends: (c: { id: string }, args: { first?: number }) => Array.from({ length: Math.min(args.first ?? 2, 3) }, (_, i) => customer(`${c.id}-${i}`)),
      orders: (c: { id: string }, args: { first?: number }) => Array.from({ length: Math.min(args.first ?? 2, 3) }, (_, i) => ({ id: `${c.id}-O${i}`, totalCents: 100 * (i + 1) })),
    },
    Subscription: {
      customerChanged: {
        subscribe: (_: unknown, args: { id: string }, ctx: FakeContext) => {
          const queue: CustomerChange[] = [];
          let wake: (() => void) | undefined;
          const entry = { tenant: ctx.principal.tenant, id: args.id, push: (c: CustomerChange) => (queue.push(c), wake?.()) };
          subscribers.add(entry);
          const signal = ctx.options.signal;
          signal.addEventListener('abort', () => (subscribers.delete(entry), wake?.()), { once: true });
          return (async function* () {
            try {
              while (!signal.aborted) {
                const next = queue.shift();
                if (next) yield { customerChanged: next };
                else await new Promise<void>((r) => (wake = r));
              }
            } finally {
              subscribers.delete(entry);
            }
          })();
        },
      },
    },
  };
  return {
    typeDefs: fakeTypeDefs,
    resolvers,
    signals,
    createContext(principal, options) {
      signals.push(options.signal);
      return { principal, options, calls: [] } satisfies FakeContext;
    },
    explainOf(context) {
      const ctx = context as FakeContext;
      return ctx.options.explain ? { calls: ctx.calls } : undefined;
    },
    publish(change) {
      for (const s of subscribers) if (s.tenant === change.tenant && s.id === change.customerId) s.push(change);
    },
  };
}
