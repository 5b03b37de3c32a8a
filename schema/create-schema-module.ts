// The schema module gateway/ builds its GraphQL server from (the seam is schema-module.ts): the SDL, the resolvers,
// a per-request context (DataLoaders over the connectors, scoped to the principal's tenant) and the explain report.
import { readFileSync } from 'node:fs';
import type { GraphQLSchema } from 'graphql';
import { createChangeResolvers, DEFAULT_REFUND_ROLES } from './change-resolvers.ts';
import { createCustomerResolvers } from './customer-resolvers.ts';
import type { ExplainReport } from './explain-recorder.ts';
import { buildExecutableSchema } from './executable-schema.ts';
import { connectorFor, createRequestContext, isRequestContext, type RequestContext } from './request-context.ts';
import type { CommandRef, Principal, RequestOptions, SchemaModule, SchemaModuleDeps, SourceRef } from './schema-module.ts';

/** The unified graph's SDL (schema/customer.graphql), read once when the module loads. */
export const customerTypeDefs = readFileSync(new URL('./customer.graphql', import.meta.url), 'utf8');

export interface UnicsSchemaModule extends SchemaModule {
  /** typeDefs with resolvers attached, for graphql-ws and tests (Apollo Server builds its own from the two). */
  readonly schema: GraphQLSchema;
  createContext(principal: Principal, options: RequestOptions): RequestContext;
  explainOf(context: unknown): ExplainReport | undefined;
}

/** The sources of the map that no connector serves, with the reason; their fields fail with SCHEMA_ERR_SOURCE_NOT_CONFIGURED. */
export function unconfiguredSources(deps: Pick<SchemaModuleDeps, 'connectors' | 'sources'>): string[] {
  const problems: string[] = [];
  for (const [role, ref] of Object.entries(deps.sources) as Array<[string, SourceRef | CommandRef]>) {
    try {
      connectorFor(deps.connectors, ref);
    } catch (err) {
      problems.push(`${role}: ${(err as Error).message}`);
    }
  }
  return problems;
}

export function createSchemaModule(deps: SchemaModuleDeps): UnicsSchemaModule {
  const { connectors, sources, changeFeed, clock, log } = deps;
  const refundRoles = Object.freeze([...(deps.refundRoles ?? DEFAULT_REFUND_ROLES)]);
  const customer = createCustomerResolvers({ sources, clock });
  const change = createChangeResolvers({ sources, changeFeed, clock, refundRoles });
  const resolvers = { ...customer, ...change };
  // Built once here so a resolver that does not fit the SDL fails at start-up, not on the first request.
  const schema = buildExecutableSchema(customerTypeDefs, resolvers);

  const missing = unconfiguredSources({ connectors, sources });
  if (missing.length > 0) {
    log.warn({ missing }, `schema: ${missing.length} source(s) of the unified graph have no connector; their fields will be null with SCHEMA_ERR_SOURCE_NOT_CONFIGURED`);
  }

  return {
    typeDefs: customerTypeDefs,
    resolvers,
    schema,
    createContext: (principal, options) => createRequestContext({ connectors, clock }, principal, options),
    explainOf: (context) => (isRequestContext(context) ? context.explain?.report() : undefined),
  };
}
