// The query limits as GraphQL validation rules (depth, aliases, operations per document: they depend on the
// document alone, so Apollo's document cache may skip them for a document already validated) and as a check run
// once variables are known (cost: `first: $n` depends on the request). Used by HTTP (Apollo) and graphql-ws alike.
import { GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule } from '../graphql-runtime.ts';
import type { ErrorFactory } from '../../common/errors.ts';
import { gwErr } from '../error-catalogue.ts';
import type { GatewayLimits } from './gateway-limits.ts';
import { measureOperation } from './measure-operation.ts';

/** A GraphQL error carrying a GATEWAY code and its HTTP status (Apollo reads extensions.http). */
export function limitError(factory: ErrorFactory, message: string, details?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: factory.code, http: { status: factory.spec.httpStatus }, ...(details ? { details } : {}) },
  });
}

const label = (op: OperationDefinitionNode) => (op.name ? `operation "${op.name.value}"` : 'the anonymous operation');
const fmt = (n: number) => (Number.isFinite(n) && n < 1e15 ? Math.round(n).toLocaleString('en-US') : 'more than 10^15');

export function createLimitRules(limits: Pick<GatewayLimits, 'maxDepth' | 'maxAliases' | 'maxOperations' | 'defaultListSize'>): ValidationRule[] {
  const operationsRule: ValidationRule = (context) => ({
    Document(node) {
      const count = node.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
      if (count > limits.maxOperations) {
        context.reportError(limitError(gwErr.GATEWAY_ERR_TOO_MANY_OPERATIONS, `the document defines ${count} operations, more than the limit of ${limits.maxOperations}; send one operation per request`));
      }
    },
  });
  const shapeRule: ValidationRule = (context) => ({
    OperationDefinition(node) {
      const m = measureOperation(context.getSchema(), context.getDocument(), node, { defaultListSize: limits.defaultListSize });
      if (m.depth > limits.maxDepth) {
        context.reportError(limitError(gwErr.GATEWAY_ERR_QUERY_TOO_DEEP, `${label(node)} nests fields ${m.depth} levels deep, more than the limit of ${limits.maxDepth}; ask for fewer nested levels`, { depth: m.depth, limit: limits.maxDepth }));
      }
      if (m.aliases > limits.maxAliases) {
        context.reportError(limitError(gwErr.GATEWAY_ERR_TOO_MANY_ALIASES, `${label(node)} uses ${fmt(m.aliases)} aliases, more than the limit of ${limits.maxAliases}`, { aliases: m.aliases, limit: limits.maxAliases }));
      }
      return false; // measured whole; nothing below needs visiting
    },
  });
  return [operationsRule, shapeRule];
}

/** The cost check, once the variables are known. Returns the error to answer with, or undefined. */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  limits: Pick<GatewayLimits, 'maxCost' | 'defaultListSize'>,
): GraphQLError | undefined {
  const { cost } = measureOperation(schema, document, operation, { defaultListSize: limits.defaultListSize, variables });
  if (cost <= limits.maxCost) return undefined;
  return limitError(
    gwErr.GATEWAY_ERR_QUERY_TOO_COSTLY,
    `${label(operation)} has an estimated cost of ${fmt(cost)}, more than the limit of ${fmt(limits.maxCost)} ` +
      `(each field costs 1; a list field multiplies its selection by \`first\`, the length of \`ids\`, or ${limits.defaultListSize}); request fewer items or fields`,
    { cost: Number.isFinite(cost) ? cost : null, limit: limits.maxCost },
  );
}

/** The variables-size check (bytes of JSON). */
export function checkVariablesSize(variables: unknown, limits: Pick<GatewayLimits, 'maxVariablesBytes'>): GraphQLError | undefined {
  if (variables === undefined || variables === null) return undefined;
  const bytes = Buffer.byteLength(typeof variables === 'string' ? variables : JSON.stringify(variables) ?? '');
  if (bytes <= limits.maxVariablesBytes) return undefined;
  return limitError(gwErr.GATEWAY_ERR_VARIABLES_TOO_LARGE, `the variables take ${fmt(bytes)} bytes, more than the limit of ${fmt(limits.maxVariablesBytes)}`);
}
