// The HTTP layer shared by the rest, soap, xml and graphql adapters: undici keep-alive pools, the caller's
// AbortSignal passed to the socket (a timeout really cancels the request), a response size limit enforced while
// reading, upstream auth with one refresh on 401, and status/network errors mapped to the CONN catalogue.
import { Agent, errors as undiciErrors, request } from 'undici';
import type { UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';
import type { UpstreamAuth } from './upstream-auth.ts';

export interface HttpClientOptions {
  /** Connector name, for messages. */
  readonly connector: string;
  /** Base URL; request paths are resolved against it. */
  readonly baseUrl: string;
  /** Largest response body read (bytes); larger answers fail with CONN_ERR_RESPONSE_TOO_LARGE. Default 8 MiB. */
  readonly maxResponseBytes?: number;
  /** Keep-alive connections per origin. Default 32. */
  readonly connections?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: UpstreamAuth;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the base URL (leading "/" keeps the base path), or an absolute URL. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly signal: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  text(): string;
}

export interface HttpClient {
  /** Sends a request; answers any status (see `expectSuccess`). Rejects with a CONN error on network failure or abort. */
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Joins a base URL and a path so that the base's own path is kept ("http://h/api/v1" + "/contacts"). */
export function resolveUrl(baseUrl: string, path: string, query?: HttpRequest['query']): URL {
  const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (typeof v === 'string') url.searchParams.append(k, v);
    else for (const item of v) url.searchParams.append(k, item);
  }
  return url;
}

/** The error for an aborted call: the abort reason when it is ours (a timeout), else CONN_ERR_ABORTED. */
export function abortError(connector: string, signal: AbortSignal): UnicsError {
  const reason: unknown = signal.reason;
  if (reason && typeof reason === 'object' && 'code' in reason && typeof (reason as UnicsError).code === 'string' && (reason as UnicsError).code.startsWith('CONN_ERR_')) {
    return reason as UnicsError;
  }
  return connErr.CONN_ERR_ABORTED(`connector "${connector}": the caller gave up before the upstream answered`, { cause: reason });
}

/** Maps a network-level failure (no HTTP status) to the catalogue. */
export function networkError(connector: string, err: unknown, signal: AbortSignal): UnicsError {
  if (signal.aborted) return abortError(connector, signal);
  if (err instanceof undiciErrors.ResponseExceededMaxSizeError) {
    return connErr.CONN_ERR_RESPONSE_TOO_LARGE(`connector "${connector}": the upstream's answer exceeded the size limit`, { cause: err });
  }
  const code = (err as { code?: string }).code ?? '';
  const what = code ? `${code}: ${(err as Error).message}` : (err as Error).message;
  return connErr.CONN_ERR_UNAVAILABLE(`connector "${connector}": could not reach the upstream (${what})`, { cause: err });
}

/** Maps a non-2xx status to the catalogue; 404 maps to CONN_ERR_NOT_FOUND for the adapter to use per key. */
export function statusError(connector: string, res: Pick<HttpResponse, 'status' | 'text'>, url: string): UnicsError {
  const snippet = res.text().slice(0, 200).replace(/\s+/g, ' ');
  const message = `connector "${connector}": ${url} answered HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`;
  const details = { status: res.status };
  if (res.status === 401 || res.status === 403) return connErr.CONN_ERR_UNAUTHORIZED(message, { details });
  if (res.status === 404) return connErr.CONN_ERR_NOT_FOUND(message, { details });
  if (res.status === 429) return connErr.CONN_ERR_RATE_LIMITED(message, { details });
  if (res.status === 408) return connErr.CONN_ERR_TIMEOUT(message, { details });
  if (res.status >= 500) return connErr.CONN_ERR_UNAVAILABLE(message, { details });
  return connErr.CONN_ERR_REJECTED(message, { details });
}

/** Throws the mapped error unless the status is 2xx. */
export function expectSuccess(connector: string, res: HttpResponse, url: string): HttpResponse {
  if (res.status >= 200 && res.status < 300) return res;
  throw statusError(connector, res, url);
}

/** Later sources win, whatever the case of the names ("Authorization" from YAML must not shadow the auth's "authorization"). */
function mergeHeaders(...sources: (Readonly<Record<string, string>> | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) for (const [k, v] of Object.entries(source ?? {})) out[k.toLowerCase()] = v;
  return out;
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const agent = new Agent({
    connections: opts.connections ?? 32,
    keepAliveTimeout: 30_000,
    pipelining: 1,
    maxResponseSize: maxBytes,
    headersTimeout: 0, // the caller's AbortSignal is the timeout
    bodyTimeout: 0,
  });

  async function once(req: HttpRequest, authHeaders: Record<string, string>): Promise<HttpResponse> {
    const url = resolveUrl(opts.baseUrl, req.path, req.query);
    if (req.signal.aborted) throw abortError(opts.connector, req.signal);
    let res;
    try {
      res = await request(url, {
        method: req.method,
        headers: mergeHeaders(opts.headers, authHeaders, req.headers),
        body: req.body,
        signal: req.signal,
        dispatcher: agent,
      });
    } catch (err) {
      throw networkError(opts.connector, err, req.signal);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.body.destroy();
      throw connErr.CONN_ERR_RESPONSE_TOO_LARGE(`connector "${opts.connector}": ${url.origin}${url.pathname} announced ${declared} bytes, more than the limit of ${maxBytes}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = (cause?: unknown) =>
      connErr.CONN_ERR_RESPONSE_TOO_LARGE(`connector "${opts.connector}": ${url.origin}${url.pathname} sent more than the limit of ${maxBytes} bytes`, { cause });
    try {
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          res.body.destroy();
          throw tooLarge();
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if ((err as UnicsError).code === 'CONN_ERR_RESPONSE_TOO_LARGE') throw err;
      // undici's own limit (the agent's maxResponseSize) usually fires first; give it the same message.
      if (err instanceof undiciErrors.ResponseExceededMaxSizeError && !req.signal.aborted) throw tooLarge(err);
      throw networkError(opts.connector, err, req.signal);
    }
    const body = Buffer.concat(chunks, size);
    return { status: res.statusCode, headers: res.headers, body, text: () => body.toString('utf8') };
  }

  return {
    async send(req) {
      const auth = opts.auth;
      const headers = auth ? await auth.headers(req.signal) : {};
      const res = await once(req, headers);
      if (res.status === 401 && auth?.refreshable) {
        // The token may have expired or been revoked early: refresh once and try again.
        auth.invalidate(headers);
        return once(req, await auth.headers(req.signal));
      }
      return res;
    },
    close: () => agent.close(),
  };
}
