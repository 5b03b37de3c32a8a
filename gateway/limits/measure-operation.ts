// The pure core of the query limits: for one operation of a parsed document, its depth, the aliases it uses and an
// estimated cost. Fragments are measured once each (memoized by name), so a document that spreads fragments
// exponentially is measured in linear time and reports the exponential figures it would really cost.
//
// Cost: every field costs 1; a field whose type is a list multiplies (1 + its selection's cost) by `first` (or
// `last`), else by the length of an `ids` argument, else by defaultListSize. Introspection fields (`__schema`,
// `__type`, `__typename`) cost nothing and add no depth: graphql-js bounds introspection depth with its own rule.
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from '../graphql-runtime.ts';

export interface OperationMeasure {
  readonly depth: number;
  readonly aliases: number;
  readonly cost: number;
}

export interface MeasureOptions {
  /** Multiplier for a list field with neither `first` nor `ids`. */
  readonly defaultListSize: number;
  /** Variable values, when known (cost of `first: $n`); unknown variables count as defaultListSize. */
  readonly variables?: Readonly<Record<string, unknown>> | undefined;
}

const ZERO: OperationMeasure = { depth: 0, aliases: 0, cost: 0 };

function numberArg(value: ValueNode | undefined, variables: MeasureOptions['variables']): number | undefined {
  if (value === undefined) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables?.[value.name.value];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

function listLengthArg(value: ValueNode | undefined, variables: MeasureOptions['variables']): number | undefined {
  if (value === undefined) return undefined;
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const v = variables?.[value.name.value];
    return Array.isArray(v) ? v.length : undefined;
  }
  return undefined;
}

function listMultiplier(field: FieldNode, options: MeasureOptions): number {
  const arg = (name: string) => field.arguments?.find((a) => a.name.value === name)?.value;
  const n = numberArg(arg('first'), options.variables) ?? numberArg(arg('last'), options.variables) ?? listLengthArg(arg('ids'), options.variables);
  return Math.max(0, n ?? options.defaultListSize);
}

/** Measures one operation. `schema` gives field types (list or not); fields it does not know cost 1 and are left to validation. */
export function measureOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, options: MeasureOptions): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const memo = new Map<string, OperationMeasure>();
  const inProgress = new Set<string>();

  const measureSet = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): OperationMeasure => {
    let depth = 0;
    let aliases = 0;
    let cost = 0;
    for (const selection of set.selections) {
      let m: OperationMeasure;
      if (selection.kind === Kind.FIELD) {
        m = measureField(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        m = measureSet(selection.selectionSet, type ?? undefined);
      } else {
        m = measureFragment(selection.name.value);
      }
      depth = Math.max(depth, m.depth);
      aliases += m.aliases;
      cost += m.cost;
    }
    return { depth, aliases, cost };
  };

  const measureField = (field: FieldNode, parent: GraphQLNamedType | undefined): OperationMeasure => {
    const alias = field.alias ? 1 : 0;
    if (field.name.value.startsWith('__')) return { depth: 0, aliases: alias, cost: 0 };
    const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[field.name.value] : undefined;
    const child = field.selectionSet ? measureSet(field.selectionSet, def ? getNamedType(def.type) : undefined) : ZERO;
    const multiplier = def && isListType(getNullableType(def.type)) ? listMultiplier(field, options) : 1;
    return { depth: 1 + child.depth, aliases: alias + child.aliases, cost: multiplier * (1 + child.cost) };
  };

  const measureFragment = (name: string): OperationMeasure => {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // Unknown or cyclic spreads are validation errors reported elsewhere; they cost nothing here.
    if (fragment === undefined || inProgress.has(name)) return ZERO;
    inProgress.add(name);
    const m = measureSet(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined);
    inProgress.delete(name);
    memo.set(name, m);
    return m;
  };

  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return measureSet(operation.selectionSet, root ?? undefined);
}

/** The operation a request runs: the one named, or the only one. Undefined when that is ambiguous or missing. */
export function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}
