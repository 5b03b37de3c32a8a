// Apollo Server 5 executes through graphql-jit instead of graphql-js's execute(), by way of its gateway interface:
// Apollo still parses, validates (with the limit rules), runs APQ and every plugin hook, then hands the validated
// document to the executor here, which compiles each distinct operation once (graphql-jit turns the selection set
// into straight-line JavaScript) and runs the compiled query on every later request. docs/adr/0006 has the numbers.
//
// What stays graphql-js's: parsing, validation, the schema and its resolvers (the same executable schema), error
// formatting (Apollo's formatError over the GraphQLErrors graphql-jit returns, with originalError kept), partial
// results (a failing nullable field is null with its error, as in graphql-js). Subscriptions are graphql-ws's.
import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { execute, GraphQLError, printSchema, type ExecutionResult, type GraphQLSchema } from './graphql-runtime.ts';

export interface JitGatewayOptions {
  /** Compiled operations kept (least recently used dropped first). Default 200 (each is ~40-100 KB of code). */
  readonly maxCompiledQueries?: number;
  /**
   * An operation is compiled the n-th time it is asked for (default 2), and runs on graphql-js until then:
   * compiling costs ~4 ms, more than running once, and a client that writes values into the document instead of
   * variables sends a new document every time.
   */
  readonly compileAfter?: number;
}

export interface JitGateway extends GatewayInterface {
  /** Compiled operations currently kept (for tests and metrics). */
  compiledCount(): number;
}

const DEFAULT_MAX_COMPILED = 200;
const DEFAULT_COMPILE_AFTER = 2;

/**
 * graphql-jit's errors are GraphQLErrors by prototype only: read-only properties and no `extensions` object where
 * the thrown error had none, which Apollo Server's error formatting reads (`error.extensions.code`) and would answer
 * "Internal server error" for. A graphql-js GraphQLError with the same message, path, locations and originalError.
 */
export function asGraphQLError(error: GraphQLError): GraphQLError {
  if (error.extensions !== undefined && Object.getPrototypeOf(error) === GraphQLError.prototype) return error;
  const original = error.originalError ?? undefined;
  const fixed = new GraphQLError(error.message, { path: error.path, originalError: original, ...(error.extensions ? { extensions: error.extensions } : {}) });
  if (error.locations !== undefined) Object.defineProperty(fixed, 'locations', { value: error.locations, enumerable: true, writable: true, configurable: true });
  return fixed;
}

export function createJitGateway(schema: GraphQLSchema, options: JitGatewayOptions = {}): JitGateway {
  const listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  // Keyed by the query's hash (Apollo's sha256 of the text) and operation name: a document with two operations
  // compiles each the first time it is asked for.
  const maxCompiled = options.maxCompiledQueries ?? DEFAULT_MAX_COMPILED;
  const compileAfter = options.compileAfter ?? DEFAULT_COMPILE_AFTER;
  // 'graphql-js' marks an operation graphql-jit could not compile, so it is not tried again on every request.
  const compiled = new LRUCache<string, CompiledQuery | 'graphql-js'>({ max: maxCompiled });
  /** How often operations not compiled yet were asked for. */
  const sightings = new LRUCache<string, number>({ max: maxCompiled * 10 });

  // graphql-js's own answer, for requests graphql-jit refuses before running any resolver (see below).
  const reference = (rc: Parameters<GatewayExecutor>[0]) =>
    execute({ schema, document: rc.document, operationName: rc.request.operationName, variableValues: rc.request.variables, contextValue: rc.context }) as Promise<ExecutionResult>;

  const executor: GatewayExecutor = async (rc) => {
    // No operation resolved (an unknown or missing operation name): graphql-js's error, which Apollo Server answers
    // as OPERATION_RESOLUTION_FAILURE; graphql-jit would run the document's only operation instead.
    if (rc.operation === undefined) return reference(rc);
    const key = `${rc.queryHash}:${rc.operationName ?? ''}`;
    let query = compiled.get(key);
    if (query === undefined) {
      const seen = (sightings.get(key) ?? 0) + 1;
      if (seen < compileAfter) {
        sightings.set(key, seen);
        return reference(rc);
      }
      sightings.delete(key);
      let made: CompiledQuery | ExecutionResult;
      try {
        made = compileQuery(schema, rc.document, rc.operationName ?? undefined, { disablingCapturingStackErrors: true });
      } catch {
        made = { errors: [] };
      }
      // Whatever graphql-jit cannot compile, graphql-js runs (or refuses with its own error).
      query = isCompiledQuery(made) ? made : 'graphql-js';
      compiled.set(key, query);
    }
    if (query === 'graphql-js') return reference(rc);
    const result = await query.query(undefined, rc.context, rc.request.variables ?? {});
    if (result.errors === undefined) return result;
    // Errors and no data: graphql-jit refused the variables before executing anything. graphql-js answers instead,
    // so clients get its messages, Apollo Server its BAD_USER_INPUT and 400 (it reads the variable's AST node), and
    // a non-null variable with a default that was not sent gets its default (graphql-jit 0.8.9 refuses it).
    if (result.data === undefined) return reference(rc);
    return { ...result, errors: result.errors.map(asGraphQLError) };
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    async load() {
      const sdl = printSchema(schema);
      for (const l of listeners) l({ apiSchema: schema, coreSupergraphSdl: sdl });
      return { executor };
    },
    async stop() {
      listeners.clear();
      compiled.clear();
      sightings.clear();
    },
    compiledCount: () => compiled.size,
  };
}
