// Reading a GraphQL-over-HTTP answer (pure): HTTP status, JSON, the {data, errors} shape, and the error raised when
// the upstream answered with GraphQL errors and nothing usable. Mapping data to keys is in graphql-mapping.ts.
import { redactUrlCredentials } from '../../common/redact.ts';
import type { UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';
import { statusError } from '../http/http-client.ts';

/** One entry of the upstream's `errors`, reduced to what we use. */
export interface UpstreamGraphqlError {
  readonly message: string;
  /** Response keys and list indexes from `data` to the field that failed, when the upstream says. */
  readonly path?: readonly (string | number)[];
  /** extensions.code, when the upstream sets one (BAD_USER_INPUT, ARCHIVED, ...). */
  readonly code?: string;
}

export interface GraphqlAnswer {
  /** null when execution failed before any data (or a non-null root field failed); undefined when absent. */
  readonly data: Readonly<Record<string, unknown>> | null | undefined;
  readonly errors: readonly UpstreamGraphqlError[];
}

/** Where messages and details stop: the upstream's own text is not ours to flood logs with. */
const MAX_ERRORS_SHOWN = 5;
const MAX_MESSAGE_CHARS = 300;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);
const describeValue = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function normalizeError(entry: unknown): UpstreamGraphqlError {
  if (entry === null || typeof entry !== 'object') return { message: clip(String(entry), MAX_MESSAGE_CHARS) };
  const e = entry as { message?: unknown; path?: unknown; extensions?: { code?: unknown } };
  const message = typeof e.message === 'string' ? clip(e.message, MAX_MESSAGE_CHARS) : '(no message)';
  const path = Array.isArray(e.path) && e.path.every((p) => typeof p === 'string' || typeof p === 'number') ? (e.path as (string | number)[]) : undefined;
  const code = typeof e.extensions?.code === 'string' ? e.extensions.code : undefined;
  return { message, ...(path ? { path } : {}), ...(code ? { code } : {}) };
}

/** Parses a response body as a GraphQL answer; throws CONN_ERR_MALFORMED_RESPONSE naming what arrived. */
export function decodeGraphqlBody(connector: string, text: string, url: string, what: string): GraphqlAnswer {
  const where = `connector "${connector}": ${what}: expected a GraphQL JSON answer from ${redactUrlCredentials(url)}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const start = clip(text.trim().replace(/\s+/g, ' '), 80);
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${where}, but got ${text.trim() === '' ? 'an empty body' : `invalid JSON (${(err as Error).message}) starting with ${JSON.stringify(start)}`}`, {
      cause: err,
      details: { bytes: Buffer.byteLength(text) },
    });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${where} (an object with "data" or "errors"), but got ${describeValue(body)}`);
  }
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (errors !== undefined && !Array.isArray(errors)) {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${where}, but its "errors" is ${describeValue(errors)} instead of a list`);
  }
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${where}, but its "data" is ${describeValue(data)} instead of an object`);
  }
  if (data === undefined && (errors === undefined || errors.length === 0)) {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${where}, but the object has neither "data" nor "errors" (keys: ${Object.keys(body).slice(0, 10).join(', ') || 'none'})`);
  }
  return { data: data as GraphqlAnswer['data'], errors: (errors ?? []).map(normalizeError) };
}

/** "message [CODE at a.0.b]" for one upstream error. */
export function formatUpstreamError(e: UpstreamGraphqlError): string {
  const where = [e.code, e.path ? `at ${e.path.join('.')}` : undefined].filter(Boolean).join(' ');
  return where ? `${e.message} [${where}]` : e.message;
}

/** The upstream's messages joined for an error message, at most five, with a count of the rest. */
export function summarizeErrors(errors: readonly UpstreamGraphqlError[]): string {
  const shown = errors.slice(0, MAX_ERRORS_SHOWN).map(formatUpstreamError).join('; ');
  return errors.length > MAX_ERRORS_SHOWN ? `${shown}; and ${errors.length - MAX_ERRORS_SHOWN} more` : shown;
}

/** CONN_ERR_UPSTREAM_GRAPHQL carrying the upstream's messages (truncated) in the message and details. */
export function upstreamGraphqlError(connector: string, problem: string, errors: readonly UpstreamGraphqlError[]): UnicsError {
  return connErr.CONN_ERR_UPSTREAM_GRAPHQL(`connector "${connector}": ${problem}: ${summarizeErrors(errors) || '(no error messages)'}`, {
    details: { errors: errors.slice(0, MAX_ERRORS_SHOWN), count: errors.length },
  });
}

/**
 * Turns an HTTP answer into a GraphQL answer. 2xx: decoded. 401/403/408/429/5xx: the shared status mapping (5xx is
 * CONN_ERR_UNAVAILABLE even with a GraphQL body: the server failed, a retry may succeed). Other 4xx carrying a
 * GraphQL body with errors and no data (the GraphQL-over-HTTP way to refuse a request): CONN_ERR_UPSTREAM_GRAPHQL.
 * 404: CONN_ERR_REJECTED, because the endpoint itself is missing, which is not a per-key "not found".
 */
export function readGraphqlAnswer(
  connector: string,
  res: { readonly status: number; text(): string },
  url: string,
  what: string,
): GraphqlAnswer {
  if (res.status >= 200 && res.status < 300) return decodeGraphqlBody(connector, res.text(), url, what);
  const shownUrl = redactUrlCredentials(url);
  if (res.status === 404) {
    const err = statusError(connector, res, shownUrl);
    throw connErr.CONN_ERR_REJECTED(`${err.message}. Check the connector's endpoint`, { details: { status: 404 } });
  }
  if (res.status >= 400 && res.status < 500 && ![401, 403, 408, 429].includes(res.status)) {
    let answer: GraphqlAnswer | undefined;
    try {
      answer = decodeGraphqlBody(connector, res.text(), url, what);
    } catch {
      answer = undefined; // not a GraphQL body: fall through to the status mapping
    }
    if (answer && answer.errors.length > 0 && !answer.data) {
      throw upstreamGraphqlError(connector, `the upstream refused ${what} with HTTP ${res.status} and GraphQL errors`, answer.errors);
    }
  }
  throw statusError(connector, res, shownUrl);
}
