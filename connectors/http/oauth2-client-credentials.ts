// OAuth2 client credentials (RFC 6749 section 4.4) as an UpstreamAuth: one token shared by every request of a
// connector, fetched once however many requests ask at the same moment, refreshed `refreshSkewMs` before it
// expires, and dropped on a 401 only when it is still the token that was refused (a late 401 from an old request
// must not throw away a fresh token). The client secret and the tokens never appear in messages.
import type { Clock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';
import { abortError, createHttpClient, type HttpClient } from './http-client.ts';
import type { UpstreamAuth } from './upstream-auth.ts';

export interface OAuth2ClientCredentialsOptions {
  /** Connector name, for messages. */
  readonly connector: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** Fetch a new token this long before the current one expires (ms). */
  readonly refreshSkewMs: number;
  readonly clock: Clock;
  /** Gives up on the token endpoint after this long (ms). Default 10 s. */
  readonly fetchTimeoutMs?: number;
}

export interface OAuth2ClientCredentials extends UpstreamAuth {
  readonly refreshable: true;
  /** Closes the token endpoint's connection pool. */
  close(): Promise<void>;
}

interface Token {
  readonly header: string;
  /** Monotonic ms after which a new token is fetched; Infinity when the server gave no lifetime. */
  readonly refreshAt: number;
  /** Monotonic ms after which the token is no longer usable at all. */
  readonly expiresAt: number;
}

interface Fetch {
  readonly promise: Promise<Token>;
  readonly controller: AbortController;
  waiters: number;
}

export const DEFAULT_TOKEN_FETCH_TIMEOUT_MS = 10_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** After a failed early refresh, the old (still valid) token is used this long before trying again (ms). */
const REFRESH_RETRY_MS = 1000;

/** RFC 6749 2.3.1: the id and secret are form-encoded, then joined with ":" and base64-encoded. */
function basicCredentials(id: string, secret: string): string {
  const enc = (s: string) => new URLSearchParams({ s }).toString().slice(2);
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`, 'utf8').toString('base64')}`;
}

/** The `error` code of an RFC 6749 5.2 answer, only when it looks like one (never echo arbitrary upstream text). */
function oauthErrorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: unknown }).error;
    return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export function createOAuth2ClientCredentials(opts: OAuth2ClientCredentialsOptions): OAuth2ClientCredentials {
  const { connector, clock } = opts;
  const fetchTimeoutMs = opts.fetchTimeoutMs ?? DEFAULT_TOKEN_FETCH_TIMEOUT_MS;
  const where = `connector "${connector}": token endpoint ${new URL(opts.tokenUrl).origin}${new URL(opts.tokenUrl).pathname}`;
  const http: HttpClient = createHttpClient({ connector, baseUrl: opts.tokenUrl, maxResponseBytes: MAX_TOKEN_RESPONSE_BYTES, connections: 2 });
  const authorization = basicCredentials(opts.clientId, opts.clientSecret);
  const body = new URLSearchParams(opts.scope === undefined ? { grant_type: 'client_credentials' } : { grant_type: 'client_credentials', scope: opts.scope }).toString();

  let current: Token | undefined;
  let inflight: Fetch | undefined;

  async function fetchToken(signal: AbortSignal): Promise<Token> {
    const startedAt = clock.monotonicMs();
    let res;
    try {
      res = await http.send({
        method: 'POST',
        path: opts.tokenUrl,
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal,
      });
    } catch (err) {
      if ((err as UnicsError).code !== 'CONN_ERR_UNAVAILABLE') throw err;
      const cause = (err as Error).cause as { code?: unknown; message?: unknown } | undefined;
      const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : 'network error';
      throw connErr.CONN_ERR_UNAVAILABLE(`${where} could not be reached (${why})`, { cause: err });
    }
    const status = res.status;
    if (status < 200 || status >= 300) {
      const code = oauthErrorCode(res.text());
      const said = `answered HTTP ${status}${code ? ` ${code}` : ''}`;
      const details = code ? { status, error: code } : { status };
      if (status === 429) throw connErr.CONN_ERR_RATE_LIMITED(`${where} ${said}`, { details });
      if (status >= 500) throw connErr.CONN_ERR_UNAVAILABLE(`${where} ${said}`, { details });
      if (status !== 400 && status !== 401 && status !== 403) {
        throw connErr.CONN_ERR_UNAUTHORIZED(`${where} ${said}; expected a token answer. Check auth.tokenUrl.`, { details });
      }
      throw connErr.CONN_ERR_UNAUTHORIZED(
        `${where} refused the client credentials (${said}). Check auth.clientId, auth.clientSecret${opts.scope === undefined ? '' : ' and auth.scope'}.`,
        { details },
      );
    }
    let grant: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      grant = JSON.parse(res.text()) as typeof grant;
    } catch {
      throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${where} answered HTTP ${status} with a body that is not JSON; expected {"access_token": ..., "token_type": "Bearer", "expires_in": ...}`);
    }
    if (grant === null || typeof grant !== 'object' || typeof grant.access_token !== 'string' || grant.access_token === '') {
      throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${where} answered without an access_token; expected {"access_token": ..., "token_type": "Bearer", "expires_in": ...}`);
    }
    if (typeof grant.token_type !== 'string' || grant.token_type.toLowerCase() !== 'bearer') {
      throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${where} issued a token of type ${JSON.stringify(grant.token_type)}; only "Bearer" tokens are supported`);
    }
    const header = `Bearer ${grant.access_token}`;
    const lifetimeS = typeof grant.expires_in === 'number' ? grant.expires_in : typeof grant.expires_in === 'string' ? Number(grant.expires_in) : Number.NaN;
    if (!Number.isFinite(lifetimeS) || lifetimeS <= 0) {
      // No lifetime given: use the token until the upstream refuses it.
      return { header, refreshAt: Infinity, expiresAt: Infinity };
    }
    const lifetimeMs = lifetimeS * 1000;
    // Measured from when we asked, not when the answer arrived: the server's clock started no later than that.
    // A skew longer than the lifetime would refresh on every call; refresh halfway through instead.
    const skew = opts.refreshSkewMs < lifetimeMs ? opts.refreshSkewMs : lifetimeMs / 2;
    return { header, refreshAt: startedAt + lifetimeMs - skew, expiresAt: startedAt + lifetimeMs };
  }

  function startFetch(): Fetch {
    const controller = new AbortController();
    const timer = clock.setTimeout(
      () => controller.abort(connErr.CONN_ERR_TIMEOUT(`${where} did not answer within ${fetchTimeoutMs} ms`)),
      fetchTimeoutMs,
    );
    const stale = current;
    const f: Fetch = {
      controller,
      waiters: 0,
      promise: fetchToken(controller.signal).then(
        (token) => {
          // A token that was invalidated while this fetch ran is not resurrected; a newer fetch result wins.
          if (inflight === f) current = token;
          return token;
        },
        (err: unknown) => {
          // The token endpoint failing must not fail calls while the old token is still usable.
          // Try again a little later rather than on every call while the endpoint is down.
          const now = clock.monotonicMs();
          if (stale !== undefined && stale === current && now < stale.expiresAt) {
            current = { ...stale, refreshAt: Math.min(stale.expiresAt, now + REFRESH_RETRY_MS) };
            return current;
          }
          throw err;
        },
      ).finally(() => {
        clock.clearTimeout(timer);
        if (inflight === f) inflight = undefined;
      }),
    };
    // Waiters see failures through their own handlers; a background refresh may have none.
    f.promise.catch(() => {});
    return f;
  }

  /** Waits for the shared fetch, giving up alone when the caller's signal aborts; the last waiter to leave cancels it. */
  function wait(f: Fetch, signal: AbortSignal): Promise<Token> {
    if (signal.aborted) return Promise.reject(abortError(connector, signal));
    f.waiters++;
    return new Promise<Token>((resolve, reject) => {
      let left = false; // this waiter is counted out exactly once
      const leave = () => {
        if (left) return false;
        left = true;
        f.waiters--;
        signal.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        if (f.waiters === 0) {
          // Nobody wants this token any more: cancel the request, and let the next caller start afresh.
          if (inflight === f) inflight = undefined;
          f.controller.abort(abortError(connector, signal));
        }
        reject(abortError(connector, signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        (token) => {
          if (leave()) resolve(token);
        },
        (err: unknown) => {
          if (leave()) reject(err as Error);
        },
      );
    });
  }

  return {
    refreshable: true,
    async headers(signal) {
      const now = clock.monotonicMs();
      if (current !== undefined && now < current.refreshAt) return { authorization: current.header };
      if (current !== undefined && now < current.expiresAt) {
        // Due for refresh but still valid: refresh in the background and keep using it meanwhile.
        inflight ??= startFetch();
        return { authorization: current.header };
      }
      current = undefined;
      inflight ??= startFetch();
      const token = await wait(inflight, signal);
      return { authorization: token.header };
    },
    invalidate(used) {
      const header = used.authorization ?? used.Authorization;
      if (current !== undefined && header === current.header) current = undefined;
    },
    close: () => http.close(),
  };
}
