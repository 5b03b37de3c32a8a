// Error masking for GraphQL responses (STYLE.md 4, envelop useMaskedErrors): an error whose code is in one of our
// catalogues (CONN_ERR_*, SCHEMA_ERR_*, GATEWAY_ERR_*, …) or is one of GraphQL's own request errors (parse,
// validation, bad input, persisted-query misses) keeps its message and code; anything else reaches the client as
// "Unexpected error" with COMMON_ERR_UNEXPECTED, and the original is logged with its stack and cause.
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from './graphql-runtime.ts';
import { isUnicsError, listErrorCatalogues } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';

/** GraphQL's and Apollo Server's request-level codes: the client's document or variables, never our internals. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'INTROSPECTION_DISABLED',
  'MAX_RECURSIVE_SELECTIONS_EXCEEDED',
]);

let knownCodes = new Set<string>();
let knownFrom = -1;
/** Codes of every catalogue declared in this process (re-read when a module declares a new one). */
export function isCataloguedCode(code: unknown): code is string {
  if (typeof code !== 'string') return false;
  const catalogues = listErrorCatalogues();
  if (catalogues.length !== knownFrom) {
    knownCodes = new Set(catalogues.flatMap((c) => Object.keys(c.errors)));
    knownFrom = catalogues.length;
  }
  return knownCodes.has(code);
}

// Transport details that never go to clients.
function publicExtensions(extensions: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const { http: _http, stacktrace: _stacktrace, exception: _exception, ...rest } = extensions ?? {};
  return rest;
}

export type GraphQLErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** `log` may be a function giving the logger of the current request (so the line carries its request id). */
export function createGraphQLErrorFormatter(log: Logger | (() => Logger)): GraphQLErrorFormatter {
  const logger = typeof log === 'function' ? log : () => log;
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    const base = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
    if (isUnicsError(original) && isCataloguedCode(original.code)) {
      const extensions = { ...publicExtensions(formatted.extensions), code: original.code, ...(original.details ? { details: original.details } : {}) };
      return { message: original.message, ...base, extensions };
    }
    const code = formatted.extensions?.code;
    // A validation rule's own error (a limit) is wrapped by Apollo as GRAPHQL_VALIDATION_FAILED; give back its code.
    const inner = error instanceof GraphQLError ? error.originalError : undefined;
    if (code === 'GRAPHQL_VALIDATION_FAILED' && inner instanceof GraphQLError && isCataloguedCode(inner.extensions.code)) {
      return { message: formatted.message, ...base, extensions: { ...publicExtensions(inner.extensions), code: inner.extensions.code } };
    }
    if (isCataloguedCode(code) || (typeof code === 'string' && REQUEST_CODES.has(code))) {
      return { message: formatted.message, ...base, extensions: publicExtensions(formatted.extensions) };
    }
    logger().error({ err: original instanceof Error ? original : new Error(String(original)), path: formatted.path, code }, 'unexpected error in a GraphQL operation; the client sees "Unexpected error"');
    return { message: 'Unexpected error', ...base, extensions: { code: 'COMMON_ERR_UNEXPECTED' } };
  };
}
