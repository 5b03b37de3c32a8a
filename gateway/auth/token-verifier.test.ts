import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import { signDevToken } from './sign-dev-token.ts';
import { createTokenVerifier } from './token-verifier.ts';

const SECRET = 'unit-test-secret-0123456789-abcdefghij';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('expected a refusal');
}

describe('createTokenVerifier with an HS256 secret', () => {
  const clock = createFakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const verifier = createTokenVerifier({ hs256Secret: SECRET, tenants: ['demo'], clock });

  it('returns the principal from sub, tenant and roles (roles default to [])', async () => {
    const token = await signDevToken({ secret: SECRET, tenant: 'demo', roles: ['agent', 'supervisor'], subject: 'u1', clock });
    expect(await verifier.verify(token)).toEqual({ subject: 'u1', tenant: 'demo', roles: ['agent', 'supervisor'] });
    const bare = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u2').sign(new TextEncoder().encode(SECRET));
    expect(await verifier.verify(bare)).toEqual({ subject: 'u2', tenant: 'demo', roles: [] });
  });

  it('reads "Bearer <token>" and names what is wrong with the header', async () => {
    const token = await signDevToken({ secret: SECRET, tenant: 'demo', clock });
    expect((await verifier.authenticate(`Bearer ${token}`)).tenant).toBe('demo');
    expect((await verifier.authenticate(`bearer  ${token}`)).tenant).toBe('demo');
    expect(await refusal(verifier.authenticate(undefined))).toEqual({
      code: 'GATEWAY_ERR_UNAUTHENTICATED',
      message: 'missing bearer token: send the header "Authorization: Bearer <token>" (in development, `npx unics token` prints one)',
    });
    expect((await refusal(verifier.authenticate('Basic dXNlcjpwYXNz'))).message).toBe('the Authorization header must be "Bearer <token>", but it uses the scheme "Basic"');
    expect((await refusal(verifier.authenticate('Bearer'))).message).toBe('the Authorization header must be "Bearer <token>", but it uses no token');
    expect((await refusal(verifier.authenticate('Bearer not-a-jwt'))).message).toBe('malformed token: expected a JWT (three base64url parts separated by dots)');
  });

  it('checks expiry with 5 s of tolerance and says when the token expired', async () => {
    const token = await signDevToken({ secret: SECRET, tenant: 'demo', expiresIn: 60, clock });
    clock.advance(64_000);
    expect((await verifier.verify(token)).tenant).toBe('demo');
    clock.advance(2_000);
    expect(await refusal(verifier.verify(token))).toEqual({ code: 'GATEWAY_ERR_UNAUTHENTICATED', message: 'token expired at 2026-01-01T00:01:00.000Z' });
  });

  it('serves a verified token from its cache only until exp, never past it', async () => {
    const token = await signDevToken({ secret: SECRET, tenant: 'demo', roles: ['agent'], expiresIn: 60, clock });
    expect((await verifier.verify(token)).roles).toEqual(['agent']); // verified and cached
    clock.advance(59_000);
    expect((await verifier.verify(token)).roles).toEqual(['agent']);
    clock.advance(7_000); // past exp and its 5 s tolerance: a cached entry would still answer
    expect(await refusal(verifier.verify(token))).toEqual({ code: 'GATEWAY_ERR_UNAUTHENTICATED', message: expect.stringMatching(/^token expired at /) });
  });

  it('never caches a refused token, and a cached token with another signature is still refused', async () => {
    const other = await signDevToken({ secret: `${SECRET}-other`, tenant: 'demo', clock });
    for (let i = 0; i < 2; i += 1) expect((await refusal(verifier.verify(other))).message).toBe('signature does not verify');
    const acme = await new SignJWT({ tenant: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
    for (let i = 0; i < 2; i += 1) expect((await refusal(verifier.verify(acme))).code).toBe('GATEWAY_ERR_FORBIDDEN');

    const good = await signDevToken({ secret: SECRET, tenant: 'demo', clock });
    expect((await verifier.verify(good)).tenant).toBe('demo');
    const [header, payload] = good.split('.');
    const forged = `${header}.${payload}.${other.split('.')[2]}`;
    expect((await refusal(verifier.verify(forged))).message).toBe('signature does not verify');
  });

  it('checks not-before', async () => {
    const nbf = Math.floor(clock.now() / 1000) + 3600;
    const token = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'HS256' }).setNotBefore(nbf).sign(new TextEncoder().encode(SECRET));
    expect((await refusal(verifier.verify(token))).message).toBe(`token is not valid before ${new Date(nbf * 1000).toISOString()}`);
  });

  it('refuses another key, alg none and any algorithm but the pinned one', async () => {
    const other = await signDevToken({ secret: `${SECRET}-other`, tenant: 'demo', clock });
    expect(await refusal(verifier.verify(other))).toEqual({ code: 'GATEWAY_ERR_UNAUTHENTICATED', message: 'signature does not verify' });

    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant: 'demo', sub: 'x' })}.`;
    expect((await refusal(verifier.verify(none))).message).toBe('algorithm none is not allowed; expected HS256');

    const { privateKey } = await generateKeyPair('RS256');
    const rs = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    expect((await refusal(verifier.verify(rs))).message).toBe('algorithm RS256 is not allowed; expected HS256');

    const hs512 = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(SECRET));
    expect((await refusal(verifier.verify(hs512))).message).toBe('algorithm HS512 is not allowed; expected HS256');
  });

  it('requires a tenant claim, string roles, and a served tenant (403)', async () => {
    const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
    expect((await refusal(verifier.verify(await sign({ sub: 'x' })))).message).toBe('token has no "tenant" claim; it must be a string naming the tenant');
    expect((await refusal(verifier.verify(await sign({ tenant: 'demo', roles: 'agent' })))).message).toBe('token claim "roles" must be a list of strings');
    expect(await refusal(verifier.verify(await sign({ tenant: 'acme' })))).toEqual({
      code: 'GATEWAY_ERR_FORBIDDEN',
      message: 'tenant "acme" is not served by this gateway; it serves: demo',
    });
  });

  it('checks issuer and audience when configured', async () => {
    const strict = createTokenVerifier({ hs256Secret: SECRET, issuer: 'https://idp.example', audience: 'unics', clock });
    const good = await signDevToken({ secret: SECRET, tenant: 'demo', issuer: 'https://idp.example', audience: 'unics', clock });
    expect((await strict.verify(good)).tenant).toBe('demo');
    const wrong = await signDevToken({ secret: SECRET, tenant: 'demo', issuer: 'https://evil.example', audience: 'unics', clock });
    expect(await refusal(strict.verify(wrong))).toMatchObject({ code: 'GATEWAY_ERR_UNAUTHENTICATED', message: expect.stringContaining('"iss"') });
  });

  it('refuses a bad configuration at construction', () => {
    expect(() => createTokenVerifier({ hs256Secret: 'short' })).toThrow('auth: hs256Secret must be at least 32 characters, but has 5');
    expect(() => createTokenVerifier({})).toThrow('auth: set hs256Secret (UNICS_JWT_SECRET) or jwksUrl');
    expect(() => createTokenVerifier({ hs256Secret: SECRET, algorithms: ['RS256'] })).toThrow('auth: algorithm "RS256" cannot be used with a shared secret; use one of HS256, HS384, HS512');
    expect(() => createTokenVerifier({ jwksUrl: 'http://127.0.0.1:1/jwks', algorithms: ['none'] })).toThrow(/algorithm "none" cannot be used with a JWKS/);
  });
});

describe('createTokenVerifier with a JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let fetches = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies RS256 tokens with the published key, fetching the set once', async () => {
    const verifier = createTokenVerifier({ jwksUrl, tenants: ['demo'] });
    expect(verifier.algorithms).toEqual(['RS256']);
    const token = await new SignJWT({ tenant: 'demo', roles: ['agent'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('u9').setExpirationTime('5m').sign(privateKey);
    expect(await verifier.verify(token)).toEqual({ subject: 'u9', tenant: 'demo', roles: ['agent'] });
    expect(await verifier.verify(token)).toEqual({ subject: 'u9', tenant: 'demo', roles: ['agent'] });
    expect(fetches).toBe(1);
  });

  it('refuses an HS256 token signed with the public key material (algorithm confusion)', async () => {
    const verifier = createTokenVerifier({ jwksUrl });
    const forged = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode('x'.repeat(64)));
    expect((await refusal(verifier.verify(forged))).message).toBe('algorithm HS256 is not allowed; expected RS256');
  });

  it('says when no key matches, and answers 503-class when the JWKS cannot be fetched', async () => {
    const verifier = createTokenVerifier({ jwksUrl });
    const unknownKid = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'RS256', kid: 'other' }).sign(privateKey);
    expect(await refusal(verifier.verify(unknownKid))).toEqual({ code: 'GATEWAY_ERR_UNAUTHENTICATED', message: 'no key in the JWKS matches the token (check its "kid")' });

    const down = createTokenVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    const token = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
    expect((await refusal(down.verify(token))).code).toBe('GATEWAY_ERR_AUTH_UNAVAILABLE');
  });
});
