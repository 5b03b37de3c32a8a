// The request limits of the gateway, with their defaults in one place (STYLE.md 6). Units are in the names.
export interface GatewayLimits {
  /** Largest request body read, in bytes (413 GATEWAY_ERR_PAYLOAD_TOO_LARGE above). */
  readonly bodyLimitBytes: number;
  /** Largest GraphQL document, in lexical tokens (parse fails above). */
  readonly maxTokens: number;
  /** Deepest field nesting (GATEWAY_ERR_QUERY_TOO_DEEP). */
  readonly maxDepth: number;
  /** Most aliased fields in one operation, counted through fragments (GATEWAY_ERR_TOO_MANY_ALIASES). */
  readonly maxAliases: number;
  /** Highest estimated cost (GATEWAY_ERR_QUERY_TOO_COSTLY); see measure-operation.ts. */
  readonly maxCost: number;
  /** Items a list field is assumed to return when it has no `first` or `ids` argument. */
  readonly defaultListSize: number;
  /** Most operations one document may define (GATEWAY_ERR_TOO_MANY_OPERATIONS). */
  readonly maxOperations: number;
  /** Largest `variables` object, in bytes of JSON (GATEWAY_ERR_VARIABLES_TOO_LARGE). */
  readonly maxVariablesBytes: number;
  /** Time budget of one HTTP operation, in ms: its signal aborts then and upstream calls are cancelled. */
  readonly requestTimeoutMs: number;
  /** Largest graphql-ws message, in bytes (the socket closes with 1009 above). */
  readonly wsMaxPayloadBytes: number;
  /** Automatic persisted queries kept in memory: most entries, and most bytes of query text. */
  readonly apqMaxEntries: number;
  readonly apqMaxBytes: number;
}

export const DEFAULT_LIMITS: GatewayLimits = Object.freeze({
  bodyLimitBytes: 1024 * 1024,
  maxTokens: 10_000,
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 50_000,
  defaultListSize: 10,
  maxOperations: 10,
  maxVariablesBytes: 64 * 1024,
  requestTimeoutMs: 30_000,
  wsMaxPayloadBytes: 1024 * 1024,
  apqMaxEntries: 1000,
  apqMaxBytes: 16 * 1024 * 1024,
});

export function resolveLimits(given: Partial<GatewayLimits> = {}): GatewayLimits {
  const limits = { ...DEFAULT_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new TypeError(`gateway limits: ${name} must be a positive number, but got ${String(value)}`);
  }
  return Object.freeze(limits);
}
