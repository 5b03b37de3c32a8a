// The gateway's own Apollo Server plugins: metrics (unics_graphql_*), explain (extensions.unics), the cost limit
// (needs the request's variables, so it runs once the operation is resolved) and one that hands the executable
// schema to graphql-ws.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SchemaModule } from '../schema/schema-module.ts';
import { isCataloguedCode } from './format-graphql-error.ts';
import type { GatewayLimits } from './limits/gateway-limits.ts';
import { checkCost } from './limits/limit-rules.ts';

export const EXPLAIN_HEADER = 'x-unics-explain';
const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Distinct operation names kept as label values; later names share "(other)" so clients cannot blow up the series. */
const MAX_OPERATION_LABELS = 200;

function reuse<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export type OperationOutcome = 'success' | 'partial' | 'error' | 'rejected';

export function createMetricsPlugin(registry: Registry): ApolloServerPlugin<BaseContext> {
  const registers = [registry];
  const operations = reuse(registry, 'unics_graphql_operations_total', () =>
    new Counter({ name: 'unics_graphql_operations_total', help: 'GraphQL operations by operation name and outcome (success, partial, error, rejected).', labelNames: ['operation', 'outcome'], registers }),
  );
  const duration = reuse(registry, 'unics_graphql_duration_seconds', () =>
    new Histogram({ name: 'unics_graphql_duration_seconds', help: 'Duration of GraphQL operations over HTTP, in seconds.', labelNames: ['operation', 'outcome'], buckets: DURATION_BUCKETS_SECONDS, registers }),
  );
  const seen = new Set<string>();
  const operationLabel = (name: string | null | undefined, resolved: boolean): string => {
    if (!resolved) return '(invalid)';
    if (!name) return '(anonymous)';
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_LABELS || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return '(other)';
    seen.add(name);
    return name;
  };
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(rc) {
          const body = rc.response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          const errors = result.errors ?? [];
          const hasData = 'data' in result && result.data !== null && result.data !== undefined;
          let outcome: OperationOutcome = 'success';
          if (errors.length > 0) {
            const requestError = (code: unknown) => typeof code === 'string' && (/^(GRAPHQL_|BAD_|PERSISTED_QUERY_|OPERATION_RESOLUTION)/.test(code) || (code.startsWith('GATEWAY_ERR_') && isCataloguedCode(code)));
            if (!hasData && errors.every((e) => requestError(e.extensions?.code))) outcome = 'rejected';
            else outcome = hasData ? 'partial' : 'error';
          }
          const labels = { operation: operationLabel(rc.operationName, rc.operation !== undefined), outcome };
          operations.inc(labels);
          duration.observe(labels, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

/** Adds `extensions.unics` (the schema module's explain report) when the request asked with `x-unics-explain: 1`. */
export function createExplainPlugin(schema: SchemaModule): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart(rc) {
      if (rc.request.http?.headers.get(EXPLAIN_HEADER) !== '1') return;
      return {
        async willSendResponse(done) {
          if (done.response.body.kind !== 'single') return;
          const result = done.response.body.singleResult;
          const report = schema.explainOf(done.contextValue);
          if (report !== undefined) result.extensions = { ...result.extensions, unics: report };
        },
      };
    },
  };
}

/** Refuses operations whose estimated cost is over the limit, with the request's variables known. */
export function createCostLimitPlugin(limits: Pick<GatewayLimits, 'maxCost' | 'defaultListSize'>): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (rc.operation === undefined) return;
          const error = checkCost(rc.schema, rc.document, rc.operation, rc.request.variables, limits);
          if (error) throw error;
        },
      };
    },
  };
}

/** Captures the executable schema Apollo Server builds from typeDefs and resolvers, for graphql-ws. */
export function createSchemaCapturePlugin(onSchema: (schema: GraphQLSchema) => void): ApolloServerPlugin<BaseContext> {
  return {
    async serverWillStart(service) {
      onSchema(service.schema);
    },
  };
}
