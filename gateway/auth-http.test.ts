// Authentication over real HTTP: every refusal is a 401 (403 for a tenant not served) with a GraphQL error body,
// a code and a message that says what was wrong; the token never reaches the log; the server keeps serving.
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from './auth/sign-dev-token.ts';
import { startTestGateway, TEST_SECRET, type TestGateway } from './test-support/start-test-gateway.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const query = { query: '{ me { subject tenant roles } }' };

describe('gateway authentication over HTTP', () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startTestGateway();
  });
  afterAll(() => g.close());

  const expectRefusal = async (authorization: string | undefined, status: number, code: string, message: string | RegExp) => {
    const res = await g.post(query, authorization === undefined ? { authorization: '' } : { authorization });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions).toEqual({ code });
    if (typeof message === 'string') expect(res.body.errors[0].message).toBe(message);
    else expect(res.body.errors[0].message).toMatch(message);
    // The server keeps serving the next (valid) request.
    const next = await g.post(query);
    expect(next.status).toBe(200);
    expect(next.body.data.me.tenant).toBe('demo');
    return res;
  };

  it('serves a valid token and hands its principal to the schema', async () => {
    const token = await g.token({ tenant: 'acme', roles: ['agent', 'refunds'] });
    const res = await g.post(query, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { me: { subject: 'agent-1', tenant: 'acme', roles: ['agent', 'refunds'] } } });
  });

  it('401 for a missing token, with WWW-Authenticate', async () => {
    const res = await expectRefusal(undefined, 401, 'GATEWAY_ERR_UNAUTHENTICATED', /^missing bearer token/);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="unics"');
  });

  it('401 for a malformed token', async () => {
    const res = await expectRefusal('Bearer abc.def', 401, 'GATEWAY_ERR_UNAUTHENTICATED', 'malformed token: expected a JWT (three base64url parts separated by dots)');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="unics", error="invalid_token"');
  });

  it('401 for a token signed with another key', async () => {
    const token = await signDevToken({ secret: `${TEST_SECRET}-not-ours`, tenant: 'demo' });
    await expectRefusal(`Bearer ${token}`, 401, 'GATEWAY_ERR_UNAUTHENTICATED', 'signature does not verify');
  });

  it('401 for an expired token, saying when it expired', async () => {
    const exp = Math.floor(Date.now() / 1000) - 60;
    const token = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(TEST_SECRET));
    await expectRefusal(`Bearer ${token}`, 401, 'GATEWAY_ERR_UNAUTHENTICATED', `token expired at ${new Date(exp * 1000).toISOString()}`);
  });

  it('401 for alg none and for another algorithm', async () => {
    await expectRefusal(`Bearer ${b64({ alg: 'none' })}.${b64({ tenant: 'demo' })}.`, 401, 'GATEWAY_ERR_UNAUTHENTICATED', 'algorithm none is not allowed; expected HS256');
    const { privateKey } = await generateKeyPair('RS256');
    const rs = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    await expectRefusal(`Bearer ${rs}`, 401, 'GATEWAY_ERR_UNAUTHENTICATED', 'algorithm RS256 is not allowed; expected HS256');
  });

  it('403 for a valid token of a tenant this gateway does not serve', async () => {
    const token = await g.token({ tenant: 'globex' });
    await expectRefusal(`Bearer ${token}`, 403, 'GATEWAY_ERR_FORBIDDEN', 'tenant "globex" is not served by this gateway; it serves: demo, acme');
  });

  it('authenticates GET requests too, before anything else', async () => {
    const url = `${g.url}/graphql?query=${encodeURIComponent('{ me { tenant } }')}`;
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${await g.token()}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { me: { tenant: 'demo' } } });
  });

  it('never writes a token to the log', async () => {
    const token = await g.token();
    await g.post(query, { authorization: `Bearer ${token}` });
    await fetch(`${g.url}/graphql?token=${token}&query=${encodeURIComponent('{ me { tenant } }')}`, { headers: { authorization: `Bearer ${token}` } });
    const text = JSON.stringify(g.logs);
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).toContain('token=%5Bredacted%5D');
    expect(g.logs.some((l) => l.msg === 'request refused: authentication' && l.code === 'GATEWAY_ERR_UNAUTHENTICATED')).toBe(true);
  });
});
