// Bearer-token verification with jose: an HS256 shared secret (demo and development) or a JWKS URL (production),
// with the accepted algorithms pinned, expiry and not-before checked with a small clock tolerance, and optional
// issuer and audience. Every refusal is a GATEWAY error whose message says what was wrong, never the token itself.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { systemClock, type Clock } from '../../common/clock.ts';
import type { Principal } from '../../schema/schema-module.ts';
import { gwErr } from '../error-catalogue.ts';
import { createVerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.ts';

export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
/** Shortest HS256 secret accepted: 32 bytes, the size of the hash (RFC 7518 3.2). */
export const MIN_SECRET_LENGTH = 32;

export interface TokenVerifierConfig {
  /** Shared HMAC secret (at least 32 characters). Exactly one of hs256Secret and jwksUrl. */
  readonly hs256Secret?: string;
  /** URL of the identity provider's JSON Web Key Set. */
  readonly jwksUrl?: string;
  /** Accepted `alg` values. Default ["HS256"] with a secret, ["RS256"] with a JWKS. */
  readonly algorithms?: readonly string[];
  readonly issuer?: string;
  readonly audience?: string;
  /** Tenants this gateway serves; a valid token for another tenant is refused with GATEWAY_ERR_FORBIDDEN. Absent: any. */
  readonly tenants?: readonly string[];
  /** Allowed clock skew for exp and nbf, in seconds. Default 5. */
  readonly clockToleranceSeconds?: number;
  /** Verified tokens kept until their `exp` (verified-token-cache.ts); false verifies every request. Default on. */
  readonly cache?: false | Omit<VerifiedTokenCacheOptions, 'clock'>;
  readonly clock?: Clock;
}

export interface TokenVerifier {
  /** The algorithms tokens must be signed with. */
  readonly algorithms: readonly string[];
  /** Verifies a compact JWT. Rejects with GATEWAY_ERR_UNAUTHENTICATED, GATEWAY_ERR_FORBIDDEN or GATEWAY_ERR_AUTH_UNAVAILABLE. */
  verify(token: string): Promise<Principal>;
  /** Reads `Bearer <token>` from an Authorization header value and verifies the token. */
  authenticate(authorization: string | undefined): Promise<Principal>;
}

const unauthenticated = (message: string, cause?: unknown) => gwErr.GATEWAY_ERR_UNAUTHENTICATED(message, cause === undefined ? undefined : { cause });
const isoSeconds = (seconds: unknown) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : 'an unknown time');

function checkConfig(config: TokenVerifierConfig): readonly string[] {
  const fail = (message: string) => {
    throw new TypeError(`auth: ${message}`);
  };
  if (config.hs256Secret !== undefined && config.jwksUrl !== undefined) fail('set hs256Secret or jwksUrl, not both');
  if (config.hs256Secret === undefined && config.jwksUrl === undefined) fail('set hs256Secret (UNICS_JWT_SECRET) or jwksUrl');
  if (config.hs256Secret !== undefined && config.hs256Secret.length < MIN_SECRET_LENGTH) {
    fail(`hs256Secret must be at least ${MIN_SECRET_LENGTH} characters, but has ${config.hs256Secret.length}`);
  }
  const allowed: readonly string[] = config.hs256Secret !== undefined ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
  const algorithms = config.algorithms ?? (config.hs256Secret !== undefined ? ['HS256'] : ['RS256']);
  if (algorithms.length === 0) fail('algorithms must name at least one algorithm');
  for (const alg of algorithms) {
    if (!allowed.includes(alg)) {
      fail(`algorithm ${JSON.stringify(alg)} cannot be used with ${config.hs256Secret !== undefined ? 'a shared secret' : 'a JWKS'}; use one of ${allowed.join(', ')}`);
    }
  }
  return Object.freeze([...algorithms]);
}

function toPrincipal(payload: JWTPayload, tenants: ReadonlySet<string> | undefined): Principal {
  const { tenant, roles, sub } = payload as JWTPayload & { tenant?: unknown; roles?: unknown };
  if (typeof tenant !== 'string' || tenant === '') throw unauthenticated('token has no "tenant" claim; it must be a string naming the tenant');
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))) {
    throw unauthenticated('token claim "roles" must be a list of strings');
  }
  if (tenants !== undefined && !tenants.has(tenant)) {
    throw gwErr.GATEWAY_ERR_FORBIDDEN(`tenant ${JSON.stringify(tenant)} is not served by this gateway; it serves: ${[...tenants].join(', ')}`);
  }
  return Object.freeze({ subject: typeof sub === 'string' ? sub : 'anonymous', tenant, roles: Object.freeze([...((roles as string[] | undefined) ?? [])]) });
}

/** Turns jose's errors into our catalogue with a message a client can act on. */
function mapJoseError(err: unknown, expected: string): Error {
  if (err instanceof errors.JWTExpired) return unauthenticated(`token expired at ${isoSeconds(err.payload.exp)}`, err);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return unauthenticated(`token is not valid before ${isoSeconds(err.payload.nbf)}`, err);
    if (err.claim === 'iat') return unauthenticated('token "iat" claim is in the future or malformed', err);
    return unauthenticated(`token claim "${err.claim}" is not accepted: ${err.message}`, err);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('signature does not verify', err);
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthenticated(`algorithm is not allowed; expected ${expected}`, err);
  if (err instanceof errors.JWKSNoMatchingKey) return unauthenticated('no key in the JWKS matches the token (check its "kid")', err);
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return gwErr.GATEWAY_ERR_AUTH_UNAVAILABLE(`cannot fetch the signing keys (JWKS): ${err.message}`, { cause: err });
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) {
    return unauthenticated(`malformed token: ${err.message}`, err);
  }
  // A JWKS fetch that failed at the network level (connection refused, DNS) surfaces as a plain error from fetch.
  if (err instanceof TypeError && /fetch/i.test(err.message)) {
    return gwErr.GATEWAY_ERR_AUTH_UNAVAILABLE(`cannot fetch the signing keys (JWKS): ${err.message}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  const algorithms = checkConfig(config);
  const expected = algorithms.join(' or ');
  const clock = config.clock ?? systemClock;
  const tenants = config.tenants === undefined ? undefined : new Set(config.tenants);
  const key: Uint8Array | JWTVerifyGetKey =
    config.hs256Secret !== undefined
      ? new TextEncoder().encode(config.hs256Secret)
      : createRemoteJWKSet(new URL(config.jwksUrl ?? ''), { timeoutDuration: 3000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });

  const cache = config.cache === false ? undefined : createVerifiedTokenCache({ ...config.cache, clock });

  const verify = async (token: string): Promise<Principal> => {
    const cached = cache?.get(token);
    if (cached !== undefined) return cached;
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthenticated('malformed token: expected a JWT (three base64url parts separated by dots)');
    }
    // Checked before jose sees the token so the message names both algorithms; jose pins them again below.
    if (typeof alg !== 'string' || !algorithms.includes(alg)) {
      throw unauthenticated(`algorithm ${typeof alg === 'string' ? alg : String(alg)} is not allowed; expected ${expected}`);
    }
    let payload: JWTPayload;
    try {
      const options = {
        algorithms: [...algorithms],
        clockTolerance: config.clockToleranceSeconds ?? 5,
        currentDate: new Date(clock.now()),
        ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
        ...(config.audience !== undefined ? { audience: config.audience } : {}),
      };
      ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options));
    } catch (err) {
      throw mapJoseError(err, expected);
    }
    const principal = toPrincipal(payload, tenants);
    cache?.set(token, principal, payload.exp);
    return principal;
  };

  return {
    algorithms,
    verify,
    async authenticate(authorization) {
      if (authorization === undefined || authorization.trim() === '') {
        throw unauthenticated('missing bearer token: send the header "Authorization: Bearer <token>" (in development, `npx unics token` prints one)');
      }
      const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization.trim());
      if (match === null || match[1]?.toLowerCase() !== 'bearer') {
        const scheme = authorization.trim().split(/\s+/)[0] ?? '';
        throw unauthenticated(`the Authorization header must be "Bearer <token>", but it uses ${match === null && scheme.toLowerCase() === 'bearer' ? 'no token' : `the scheme ${JSON.stringify(scheme)}`}`);
      }
      return verify(match[2] ?? '');
    },
  };
}
