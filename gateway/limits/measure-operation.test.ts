import { describe, expect, it } from 'vitest';
import { buildSchema, parse, specifiedRules, validate, type OperationDefinitionNode } from '../graphql-runtime.ts';
import { fakeTypeDefs } from '../test-support/fake-schema-module.ts';
import { checkCost, createLimitRules } from './limit-rules.ts';
import { measureOperation, selectOperation } from './measure-operation.ts';

const schema = buildSchema(fakeTypeDefs);
const measure = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return measureOperation(schema, document, selectOperation(document, undefined) as OperationDefinitionNode, { defaultListSize: 10, variables });
};

describe('measureOperation', () => {
  it('counts depth by field nesting, through fragments, ignoring introspection', () => {
    expect(measure('{ me { tenant } }').depth).toBe(2);
    expect(measure('{ customer(id: "1") { friends { friends { id } } } }').depth).toBe(4);
    expect(measure('{ customer(id: "1") { ...F } } fragment F on Customer { friends { ... on Customer { id } } }').depth).toBe(3);
    expect(measure('{ __schema { types { fields { type { ofType { name } } } } } }').depth).toBe(0);
  });

  it('costs 1 per field and multiplies list fields by first, ids length or the default', () => {
    expect(measure('{ me { tenant subject } }').cost).toBe(3);
    // customers(ids: 3 ids) x (1 + id + friends(first: 4) x (1 + id))
    expect(measure('{ customers(ids: ["a", "b", "c"]) { id friends(first: 4) { id } } }').cost).toBe(3 * (1 + 1 + 4 * 2));
    expect(measure('{ customer(id: "1") { orders { id } } }').cost).toBe(1 + 10 * 2);
    expect(measure('query($n: Int, $ids: [ID!]!) { customers(ids: $ids) { orders(first: $n) { id } } }', { n: 2, ids: ['a', 'b'] }).cost).toBe(2 * (1 + 2 * 2));
    expect(measure('{ __typename me { __typename tenant } }').cost).toBe(2);
  });

  it('counts aliases, including every use of a fragment, in linear time for exponential spreads', () => {
    expect(measure('{ a: me { t: tenant } b: me { tenant } }').aliases).toBe(3);
    // Each level spreads the one below twice: 2^20 aliased fields, measured without expanding them.
    const levels = Array.from({ length: 20 }, (_, i) => `fragment L${i} on Customer { a${i}: friends(first: 1) { ...L${i + 1} } b${i}: friends(first: 1) { ...L${i + 1} } }`);
    const query = `{ customer(id: "1") { ...L0 } } ${levels.join(' ')} fragment L20 on Customer { id }`;
    const t0 = performance.now();
    const m = measure(query);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(m.aliases).toBe(2 ** 21 - 2);
    expect(m.cost).toBeGreaterThan(2 ** 20);
  });

  it('does not loop on a fragment cycle (validation reports it)', () => {
    expect(measure('{ customer(id: "1") { ...A } } fragment A on Customer { friends { ...A } }').depth).toBe(2);
  });
});

describe('limit rules', () => {
  const rules = [...specifiedRules, ...createLimitRules({ maxDepth: 3, maxAliases: 2, maxOperations: 2, defaultListSize: 10 })];
  const codes = (query: string) => validate(schema, parse(query), rules).map((e) => e.extensions.code ?? 'GRAPHQL');

  it('pass documents within the limits', () => {
    expect(codes('{ customer(id: "1") { friends { id } } }')).toEqual([]);
  });

  it('report depth, aliases and operation count with GATEWAY codes and clear messages', () => {
    expect(codes('{ customer(id: "1") { friends { friends { id } } } }')).toEqual(['GATEWAY_ERR_QUERY_TOO_DEEP']);
    expect(codes('{ a: me { tenant } b: me { tenant } c: me { tenant } }')).toEqual(['GATEWAY_ERR_TOO_MANY_ALIASES']);
    expect(codes('query A { me { tenant } } query B { me { tenant } } query C { me { tenant } }')).toEqual(['GATEWAY_ERR_TOO_MANY_OPERATIONS']);
    const [deep] = validate(schema, parse('query Deep { customer(id: "1") { friends { friends { id } } } }'), rules);
    expect(deep?.message).toBe('operation "Deep" nests fields 4 levels deep, more than the limit of 3; ask for fewer nested levels');
  });

  it('checkCost uses the variables of the request', () => {
    const document = parse('query Q($n: Int) { customer(id: "1") { orders(first: $n) { id } } }');
    const op = selectOperation(document, 'Q') as OperationDefinitionNode;
    expect(checkCost(schema, document, op, { n: 100 }, { maxCost: 500, defaultListSize: 10 })).toBeUndefined();
    const error = checkCost(schema, document, op, { n: 1000 }, { maxCost: 500, defaultListSize: 10 });
    expect(error?.extensions).toMatchObject({ code: 'GATEWAY_ERR_QUERY_TOO_COSTLY', http: { status: 400 } });
    expect(error?.message).toBe(
      'operation "Q" has an estimated cost of 2,001, more than the limit of 500 (each field costs 1; a list field multiplies its selection by `first`, the length of `ids`, or 10); request fewer items or fields',
    );
  });
});

describe('default limits and the unified schema', () => {
  it("let the agent console's 50-customer deep query through (the batching query of issue 4)", async () => {
    const { customerTypeDefs } = await import('../../schema/index.ts');
    const { DEFAULT_LIMITS } = await import('./gateway-limits.ts');
    const real = buildSchema(customerTypeDefs);
    const ids = Array.from({ length: 50 }, (_, i) => `"C${String(i + 1).padStart(6, '0')}"`).join(', ');
    const document = parse(`{ customers(ids: [${ids}]) { id profile { email } orders { id status items { sku quantity } payment { status } shipment { status } } tickets { id status } freshness { source mode } } }`);
    expect(validate(real, document, specifiedRules)).toEqual([]);
    const m = measureOperation(real, document, selectOperation(document, undefined) as OperationDefinitionNode, { defaultListSize: DEFAULT_LIMITS.defaultListSize });
    expect(m.cost).toBeGreaterThan(5_000); // it needed more than the old default
    expect(m.cost).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost);
    expect(m.depth).toBeLessThanOrEqual(DEFAULT_LIMITS.maxDepth);
  });
});
