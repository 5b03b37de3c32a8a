// Visitor tokens: what a customer's browser presents on ws /chat?token=…. An HS256 JWT bound to a tenant and a
// customer id (`sub`), with its own audience and its own secret, so a visitor token is never accepted as an agent's
// JWT and an agent's JWT never as a visitor token. The customer's website backend (or, in the demo,
// POST /chat/visitor-token) signs them.
import { errors, jwtVerify, SignJWT } from 'jose';
import { systemClock, type Clock } from '../../common/clock.ts';
import { chatErr } from '../error-catalogue.ts';

export const VISITOR_TOKEN_AUDIENCE = 'unics-chat-visitor';
export const MIN_VISITOR_SECRET_LENGTH = 32;
export const DEFAULT_VISITOR_TOKEN_SECONDS = 24 * 3600;
/** Customer ids in tokens: what the CRM uses (C000001) and similar; no spaces or control characters. */
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

export interface VisitorIdentity {
  readonly tenant: string;
  readonly customerId: string;
}

export interface VisitorTokens {
  sign(identity: VisitorIdentity, lifetimeSeconds?: number): Promise<{ readonly token: string; readonly expiresAt: string }>;
  /** Rejects with CHAT_ERR_UNAUTHORIZED saying what is wrong (never echoing the token). */
  verify(token: string): Promise<VisitorIdentity>;
}

export function createVisitorTokens(options: { readonly secret: string; readonly clock?: Clock }): VisitorTokens {
  if (options.secret.length < MIN_VISITOR_SECRET_LENGTH) {
    throw new TypeError(`chat visitor tokens: the secret must be at least ${MIN_VISITOR_SECRET_LENGTH} characters, but has ${options.secret.length}`);
  }
  const key = new TextEncoder().encode(options.secret);
  const clock = options.clock ?? systemClock;
  return {
    async sign(identity, lifetimeSeconds = DEFAULT_VISITOR_TOKEN_SECONDS) {
      if (!CUSTOMER_ID_PATTERN.test(identity.customerId)) throw chatErr.CHAT_ERR_BAD_REQUEST(`customerId must be 1-128 letters, digits or ._:@- characters, but got ${JSON.stringify(identity.customerId.slice(0, 140))}`);
      const now = Math.floor(clock.now() / 1000);
      const exp = now + Math.round(lifetimeSeconds);
      const token = await new SignJWT({ tenant: identity.tenant })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(identity.customerId)
        .setAudience(VISITOR_TOKEN_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
    async verify(token) {
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], audience: VISITOR_TOKEN_AUDIENCE, currentDate: new Date(clock.now()), clockTolerance: 5 }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw chatErr.CHAT_ERR_UNAUTHORIZED('visitor token expired; get a new one', { cause: err });
        if (err instanceof errors.JWSSignatureVerificationFailed) throw chatErr.CHAT_ERR_UNAUTHORIZED('visitor token signature does not verify', { cause: err });
        throw chatErr.CHAT_ERR_UNAUTHORIZED(`visitor token refused: ${(err as Error).message}`, { cause: err });
      }
      const tenant = payload.tenant;
      const customerId = payload.sub;
      if (typeof tenant !== 'string' || tenant === '' || typeof customerId !== 'string' || !CUSTOMER_ID_PATTERN.test(customerId)) {
        throw chatErr.CHAT_ERR_UNAUTHORIZED('visitor token must carry a "tenant" claim and a customer id as "sub"');
      }
      return { tenant, customerId };
    },
  };
}
