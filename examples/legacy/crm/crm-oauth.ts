// The CRM simulator's OAuth2 authorization server, client-credentials grant only (RFC 6749 section 4.4): client
// authentication by HTTP Basic or by client_id/client_secret in the form body, opaque random bearer tokens kept in a
// map with their expiry, and early revocation so tests can make a cached token go bad.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../common/clock.ts';

export interface TokenGrant {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  /** Seconds (RFC 6749 5.1), rounded up. */
  readonly expires_in: number;
  readonly scope?: string;
}

/** An OAuth2 error answer: the HTTP status and the RFC 6749 5.2 body. */
export interface OAuthError {
  readonly status: 400 | 401;
  readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';
  readonly error_description: string;
  /** Set when the client tried HTTP Basic: a 401 must then name the scheme (RFC 6749 5.2). */
  readonly basic?: boolean;
}

export interface CrmTokenIssuer {
  /** Handles one token request: the Authorization header (if any) and the form body. */
  token(authorization: string | undefined, form: URLSearchParams): TokenGrant | OAuthError;
  /** True while the token is known and not expired. */
  verify(token: string): boolean;
  /** Forgets every issued token: the next API call with any of them gets 401 invalid_token. */
  revokeAll(): void;
  /** Tokens issued and not yet expired or revoked. */
  activeTokens(): number;
}

const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function clientFromRequest(authorization: string | undefined, form: URLSearchParams): { id: string; secret: string; basic: boolean } | OAuthError {
  const inBody = form.has('client_id') || form.has('client_secret');
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    if (inBody) {
      return { status: 400, error: 'invalid_request', error_description: 'use one client authentication method, not HTTP Basic and body parameters together' };
    }
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { status: 401, error: 'invalid_client', error_description: 'malformed HTTP Basic credentials', basic: true };
    try {
      // RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding.
      return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)), basic: true };
    } catch {
      return { status: 401, error: 'invalid_client', error_description: 'malformed HTTP Basic credentials', basic: true };
    }
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  if (id === null || secret === null) {
    return { status: 401, error: 'invalid_client', error_description: 'client authentication is required (HTTP Basic or client_id and client_secret)' };
  }
  return { id, secret, basic: false };
}

export function createCrmTokenIssuer(opts: { clients: Readonly<Record<string, string>>; tokenTtlMs: number; clock: Clock }): CrmTokenIssuer {
  const tokens = new Map<string, number>(); // token -> expiry (ms since epoch)

  const sweep = () => {
    const now = opts.clock.now();
    for (const [t, expiresAt] of tokens) if (expiresAt <= now) tokens.delete(t);
  };

  return {
    token(authorization, form) {
      const client = clientFromRequest(authorization, form);
      if ('error' in client) return client;
      const expected = Object.hasOwn(opts.clients, client.id) ? opts.clients[client.id] : undefined;
      if (expected === undefined || !sameSecret(client.secret, expected)) {
        return { status: 401, error: 'invalid_client', error_description: 'unknown client or wrong secret', basic: client.basic };
      }
      const grant = form.get('grant_type');
      if (grant === null) return { status: 400, error: 'invalid_request', error_description: 'grant_type is required' };
      if (grant !== 'client_credentials') {
        return { status: 400, error: 'unsupported_grant_type', error_description: `only client_credentials is supported, not ${JSON.stringify(grant)}` };
      }
      if (tokens.size >= 1000) sweep();
      const access = randomBytes(24).toString('base64url');
      tokens.set(access, opts.clock.now() + opts.tokenTtlMs);
      const scope = form.get('scope');
      const grantBody: TokenGrant = { access_token: access, token_type: 'Bearer', expires_in: Math.ceil(opts.tokenTtlMs / 1000) };
      return scope === null ? grantBody : { ...grantBody, scope };
    },
    verify(token) {
      const expiresAt = tokens.get(token);
      if (expiresAt === undefined) return false;
      if (expiresAt <= opts.clock.now()) {
        tokens.delete(token);
        return false;
      }
      return true;
    },
    revokeAll: () => tokens.clear(),
    activeTokens() {
      sweep();
      return tokens.size;
    },
  };
}
