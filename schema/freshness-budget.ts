// How stale a view part may be before the resolver reads live instead: `@freshness(maxLagMs:)` on a customer's part
// (profile, orders, tickets) beats the one on the Query field that found the customer (customer, customers,
// searchCustomers), which beats the one on the operation, which beats the module's default. 0 means always live.
// Apollo Server and graphql-ws reuse a parsed document across requests, so a directive's value is looked up once
// per AST node (WeakMap) and, when it is a variable, once per execution's variables.
import { getDirectiveValues, type FieldNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import { schemaErr } from './error-catalogue.ts';
import { toFieldError } from './field-error.ts';

export const FRESHNESS_DIRECTIVE = 'freshness';
/** The default budget (SchemaModuleDeps.freshnessBudgetMs). */
export const DEFAULT_FRESHNESS_BUDGET_MS = 300;

export interface FreshnessBudgets {
  /** The budget for customers found by a Query field: its own directive, else the operation's, else the default. */
  forQuery(info: GraphQLResolveInfo): number;
  /** The budget for one part of a customer: the part field's directive, else the customer's budget. */
  forPart(info: GraphQLResolveInfo, customerBudgetMs: number): number;
}

type Declared = number | undefined;
interface NodeEntry {
  /** The value when it is a literal (or absent); undefined when it depends on the variables. */
  readonly fixed: { readonly value: Declared } | undefined;
  readonly byVariables: WeakMap<object, Declared>;
}

type DirectiveHolder = FieldNode | OperationDefinitionNode;

export function createFreshnessBudgets(defaultMs: number): FreshnessBudgets {
  if (!Number.isSafeInteger(defaultMs) || defaultMs < 0) {
    throw new RangeError(`schema: freshnessBudgetMs must be a whole number of milliseconds, 0 or more, but got ${String(defaultMs)}; 0 reads every part live`);
  }
  const cache = new WeakMap<DirectiveHolder, NodeEntry>();

  const read = (node: DirectiveHolder, info: GraphQLResolveInfo): Declared => {
    const definition = info.schema.getDirective(FRESHNESS_DIRECTIVE);
    if (definition === null || definition === undefined || node.directives === undefined) return undefined;
    const values = getDirectiveValues(definition, node, info.variableValues);
    const value = values?.maxLagMs;
    return typeof value === 'number' ? value : undefined;
  };

  /** The maxLagMs declared on `node`, validated; undefined when it has no @freshness. */
  const declared = (node: DirectiveHolder, info: GraphQLResolveInfo, where: string): Declared => {
    let entry = cache.get(node);
    if (entry === undefined) {
      const directive = node.directives?.find((d) => d.name.value === FRESHNESS_DIRECTIVE);
      const literal = directive === undefined || !directive.arguments?.some((a) => a.value.kind === 'Variable');
      entry = { fixed: literal ? { value: read(node, info) } : undefined, byVariables: new WeakMap() };
      cache.set(node, entry);
    }
    let value: Declared;
    if (entry.fixed !== undefined) value = entry.fixed.value;
    else if (entry.byVariables.has(info.variableValues)) value = entry.byVariables.get(info.variableValues);
    else {
      value = read(node, info);
      entry.byVariables.set(info.variableValues, value);
    }
    if (value !== undefined && value < 0) {
      throw toFieldError(
        schemaErr.SCHEMA_ERR_BAD_INPUT(`@freshness(maxLagMs:) on ${where} must be 0 or more milliseconds, but got ${value}; 0 reads live, ${defaultMs} is the default`, {
          details: { argument: 'maxLagMs' },
        }),
      );
    }
    return value;
  };

  /** The strictest budget declared on the field (a response key may merge several nodes of the same field). */
  const onField = (info: GraphQLResolveInfo): Declared => {
    let strictest: Declared;
    for (const node of info.fieldNodes) {
      const value = declared(node, info, `field "${info.fieldName}"`);
      if (value !== undefined && (strictest === undefined || value < strictest)) strictest = value;
    }
    return strictest;
  };

  return {
    forQuery(info) {
      const operation = declared(info.operation, info, 'the operation'); // validated even when the field overrides it
      return onField(info) ?? operation ?? defaultMs;
    },
    forPart: (info, customerBudgetMs) => onField(info) ?? customerBudgetMs,
  };
}
