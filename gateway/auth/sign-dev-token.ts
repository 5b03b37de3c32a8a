// Development tokens: an HS256 JWT for the configured shared secret (`npx unics token`, the embedded demo, tests).
// Production tokens come from the identity provider, verified through its JWKS.
import { SignJWT } from 'jose';
import { systemClock, type Clock } from '../../common/clock.ts';
import { parseDuration } from '../../common/durations.ts';
import { MIN_SECRET_LENGTH } from './token-verifier.ts';

export interface DevTokenOptions {
  readonly secret: string;
  readonly tenant: string;
  readonly roles?: readonly string[];
  /** `sub` claim. Default "dev-user". */
  readonly subject?: string;
  /** Lifetime: a duration such as "8h" or "15m", or a number of seconds. Default "8h". */
  readonly expiresIn?: string | number;
  readonly issuer?: string;
  readonly audience?: string;
  readonly clock?: Clock;
}

export const DEFAULT_DEV_TOKEN_SECONDS = 8 * 3600;

export async function signDevToken(options: DevTokenOptions): Promise<string> {
  if (options.secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`signDevToken: the secret must be at least ${MIN_SECRET_LENGTH} characters, but has ${options.secret.length}`);
  }
  const given = options.expiresIn ?? DEFAULT_DEV_TOKEN_SECONDS;
  const lifetime = typeof given === 'number' ? given : parseDuration(given, 'token lifetime (--expires)', { minMs: 1000 }) / 1000;
  if (!Number.isFinite(lifetime) || lifetime <= 0) throw new TypeError(`signDevToken: expiresIn must be positive, but got ${lifetime}`);
  const now = Math.floor((options.clock ?? systemClock).now() / 1000);
  let jwt = new SignJWT({ tenant: options.tenant, roles: [...(options.roles ?? [])] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject ?? 'dev-user')
    .setIssuedAt(now)
    .setExpirationTime(now + Math.round(lifetime));
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
