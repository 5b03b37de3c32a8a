import { execute, parse, type DocumentNode, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildExecutableSchema } from './executable-schema.ts';
import { createFreshnessBudgets } from './freshness-budget.ts';

// A tiny graph in the unified graph's shape: each customer field reports the budget its resolver would use.
const typeDefs = /* GraphQL */ `
  directive @freshness(maxLagMs: Int!) on QUERY | FIELD
  type Query { customer: Customer }
  type Customer { budget: Int orders: Int }
`;

function setup(defaultMs = 300) {
  const budgets = createFreshnessBudgets(defaultMs);
  const schema = buildExecutableSchema(typeDefs, {
    Query: { customer: (_: unknown, __: unknown, ___: unknown, info: GraphQLResolveInfo) => ({ budgetMs: budgets.forQuery(info) }) },
    Customer: {
      budget: (parent: { budgetMs: number }) => parent.budgetMs,
      orders: (parent: { budgetMs: number }, _: unknown, __: unknown, info: GraphQLResolveInfo) => budgets.forPart(info, parent.budgetMs),
    },
  });
  return async (query: string | DocumentNode, variableValues?: Record<string, unknown>) => {
    const result = await execute({ schema, document: typeof query === 'string' ? parse(query) : query, ...(variableValues ? { variableValues } : {}) });
    return { data: result.data as { customer: { budget: number; orders: number } | null } | null, errors: result.errors?.map((e) => [e.path?.join('.'), e.extensions.code, e.message]) };
  };
}

describe('createFreshnessBudgets', () => {
  it('takes the part field\'s directive, else the customer field\'s, else the operation\'s, else the default', async () => {
    const run = setup(300);
    expect((await run('{ customer { budget orders } }')).data).toEqual({ customer: { budget: 300, orders: 300 } });
    expect((await run('query @freshness(maxLagMs: 1000) { customer { budget orders } }')).data).toEqual({ customer: { budget: 1000, orders: 1000 } });
    expect((await run('query @freshness(maxLagMs: 1000) { customer @freshness(maxLagMs: 20) { budget orders } }')).data).toEqual({ customer: { budget: 20, orders: 20 } });
    expect((await run('query @freshness(maxLagMs: 1000) { customer { budget orders @freshness(maxLagMs: 0) } }')).data).toEqual({ customer: { budget: 1000, orders: 0 } });
  });

  it('uses the strictest directive when one response key merges several nodes of a field', async () => {
    const run = setup();
    const { data } = await run('{ customer { orders @freshness(maxLagMs: 80) ... on Customer { orders @freshness(maxLagMs: 40) } } }');
    expect(data?.customer?.orders).toBe(40);
  });

  it('reads a variable per execution even when the parsed document is reused (as Apollo Server does)', async () => {
    const run = setup();
    const document = parse('query ($lag: Int!) @freshness(maxLagMs: $lag) { customer { budget orders @freshness(maxLagMs: 5) } }');
    const answers = [];
    for (const lag of [10, 2000, 10]) answers.push((await run(document, { lag })).data?.customer);
    expect(answers).toEqual([{ budget: 10, orders: 5 }, { budget: 2000, orders: 5 }, { budget: 10, orders: 5 }]);
  });

  it('refuses a negative maxLagMs with SCHEMA_ERR_BAD_INPUT on the field that carries it, and a negative default at creation', async () => {
    const run = setup();
    expect((await run('query @freshness(maxLagMs: -1) { customer { budget } }')).errors).toEqual([
      ['customer', 'SCHEMA_ERR_BAD_INPUT', '@freshness(maxLagMs:) on the operation must be 0 or more milliseconds, but got -1; 0 reads live, 300 is the default'],
    ]);
    // The operation's directive is checked even when the field's overrides it.
    expect((await run('query @freshness(maxLagMs: -1) { customer @freshness(maxLagMs: 5) { budget } }')).errors?.[0]?.[1]).toBe('SCHEMA_ERR_BAD_INPUT');
    const onPart = await run('{ customer { budget orders @freshness(maxLagMs: -3) } }');
    expect(onPart.data).toEqual({ customer: { budget: 300, orders: null } });
    expect(onPart.errors?.[0]?.[0]).toBe('customer.orders');
    expect(() => createFreshnessBudgets(-1)).toThrow('schema: freshnessBudgetMs must be a whole number of milliseconds, 0 or more, but got -1; 0 reads every part live');
  });
});
