// The schema module gateway/ builds its GraphQL server from (the seam is schema-module.ts): the SDL, the resolvers,
// a per-request context (DataLoaders over the connectors and the materialized views, scoped to the principal's
// tenant) and the explain report.
import { readFileSync } from 'node:fs';
import type { GraphQLSchema } from 'graphql';
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
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

/** How often at most a failing view store is logged (it fails for every request while it is down). */
const VIEW_FAILURE_LOG_INTERVAL_MS = 10_000;

/** A warning when the view store fails, at most once per interval, counting the failures in between. */
function viewFailureLogger(log: Logger, clock: Clock): (err: unknown) => void {
  let lastLoggedMs: number | undefined;
  let unlogged = 0;
  return (err) => {
    unlogged++;
    const now = clock.monotonicMs();
    if (lastLoggedMs !== undefined && now - lastLoggedMs < VIEW_FAILURE_LOG_INTERVAL_MS) return;
    log.warn({ err, failedReads: unlogged }, `schema: the materialized view store could not be read (${unlogged} failed read(s) since the last warning); those customers are read live from the sources`);
    lastLoggedMs = now;
    unlogged = 0;
  };
}

export function createSchemaModule(deps: SchemaModuleDeps): UnicsSchemaModule {
  const { connectors, sources, changeFeed, clock, log, views } = deps;
  const refundRoles = Object.freeze([...(deps.refundRoles ?? DEFAULT_REFUND_ROLES)]);
  const customer = createCustomerResolvers({ sources, clock, ...(deps.freshnessBudgetMs === undefined ? {} : { freshnessBudgetMs: deps.freshnessBudgetMs }) });
  const change = createChangeResolvers({ sources, changeFeed, clock, refundRoles, publishWrites: views === undefined });
  const resolvers = { ...customer, ...change };
  // Built once here so a resolver that does not fit the SDL fails at start-up, not on the first request.
  const schema = buildExecutableSchema(customerTypeDefs, resolvers);

  const missing = unconfiguredSources({ connectors, sources });
  if (missing.length > 0) {
    log.warn({ missing }, `schema: ${missing.length} source(s) of the unified graph have no connector; their fields will be null with SCHEMA_ERR_SOURCE_NOT_CONFIGURED`);
  }

  const contextDeps = views === undefined ? { connectors, clock } : { connectors, clock, views, onViewStoreFailure: viewFailureLogger(log, clock) };
  return {
    typeDefs: customerTypeDefs,
    resolvers,
    schema,
    createContext: (principal, options) => createRequestContext(contextDeps, principal, options),
    explainOf: (context) => (isRequestContext(context) ? context.explain?.report() : undefined),
  };
}
