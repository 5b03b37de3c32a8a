// OAuth2 client credentials against the CRM simulator's real token endpoint (and a tiny loopback server for the
// answers a well-behaved server never gives): one fetch for many callers, refresh ahead of expiry, invalidation
// that spares fresh tokens, cancellation, and errors that never carry the secret.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, systemClock, type Clock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createCrmSimulator, type CrmSimulator } from '../../examples/legacy/crm/index.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { connErr } from '../error-catalogue.ts';
import { createUpstreamAuth } from './create-upstream-auth.ts';
import { createOAuth2ClientCredentials, type OAuth2ClientCredentials } from './oauth2-client-credentials.ts';

const SECRET = 'demo-secret';
const data = generateDemoData({ customers: 20 });
const clock = createFakeClock(Date.parse('2026-11-01T12:00:00Z'));
let sim: CrmSimulator;
let base: string;
const opened: OAuth2ClientCredentials[] = [];

const tokenRequests = () => sim.stats.byRoute['POST /oauth/token'] ?? 0;
const signal = () => AbortSignal.timeout(5_000);

function auth(over: Partial<Parameters<typeof createOAuth2ClientCredentials>[0]> = {}): OAuth2ClientCredentials {
  const a = createOAuth2ClientCredentials({ connector: 'crm', tokenUrl: `${base}/oauth/token`, clientId: 'unics-demo', clientSecret: SECRET, refreshSkewMs: 10_000, clock, ...over });
  opened.push(a);
  return a;
}

async function apiStatus(headers: Record<string, string>): Promise<number> {
  return (await fetch(`${base}/api/v1/contacts/C000001`, { headers })).status;
}

/** Resolves when the server sees the client close a request to `path`. */
function closedRequest(server: Server, path: string): { closed: () => boolean } {
  let closed = false;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === path) res.on('close', () => (closed = true));
  });
  return { closed: () => closed };
}

beforeAll(async () => {
  sim = createCrmSimulator({ data, clock, tokenTtlMs: 60_000, clients: { 'unics-demo': SECRET, 'odd client': 'p@ss:wörd&x=1' } });
  base = await sim.listen();
});
afterAll(async () => {
  await Promise.all(opened.map((a) => a.close()));
  await sim.close();
});
afterEach(() => {
  Object.assign(sim.knobs, { hang: false, latencyMs: 0, errorRate: 0 });
  sim.resetStats();
});

describe('createOAuth2ClientCredentials', () => {
  it('fetches one token for 50 concurrent callers and reuses it', async () => {
    const a = auth();
    const all = await Promise.all(Array.from({ length: 50 }, () => a.headers(signal())));
    expect(new Set(all.map((h) => h.authorization)).size).toBe(1);
    expect(all[0]!.authorization).toMatch(/^Bearer \S+$/);
    await a.headers(signal());
    expect(tokenRequests()).toBe(1);
    expect(await apiStatus(all[0]!)).toBe(200);
  });

  it('form-encodes the client id and secret in HTTP Basic (RFC 6749 2.3.1)', async () => {
    const a = auth({ clientId: 'odd client', clientSecret: 'p@ss:wörd&x=1' });
    expect(await apiStatus(await a.headers(signal()))).toBe(200);
  });

  it('refreshes refreshSkewMs before expiry, in the background, keeping the old token meanwhile', async () => {
    const a = auth();
    const first = await a.headers(signal());
    clock.advance(49_999);
    expect(await a.headers(signal())).toEqual(first);
    expect(tokenRequests()).toBe(1);
    clock.advance(1); // 50 s of 60: inside the 10 s skew
    expect(await a.headers(signal())).toEqual(first); // still valid, so nobody waits for the refresh
    await waitFor(() => (tokenRequests() === 2 ? true : undefined), { timeoutMs: 2_000, what: 'the background refresh' });
    const second = await waitFor(async () => {
      const h = await a.headers(signal());
      return h.authorization !== first.authorization ? h : undefined;
    }, { timeoutMs: 2_000, what: 'the refreshed token' });
    expect(tokenRequests()).toBe(2);
    clock.advance(10_000); // the first token has expired on the server; the second has not
    expect(await apiStatus(first)).toBe(401);
    expect(await apiStatus(second)).toBe(200);
  });

  it('waits for a new token once the old one has expired', async () => {
    const a = auth({ refreshSkewMs: 0 });
    const first = await a.headers(signal());
    clock.advance(60_000);
    const second = await a.headers(signal());
    expect(second).not.toEqual(first);
    expect(tokenRequests()).toBe(2);
    expect(await apiStatus(second)).toBe(200);
  });

  it('invalidate drops the token only while it is still the one that was used', async () => {
    const a = auth();
    const first = await a.headers(signal());
    a.invalidate({ authorization: 'Bearer something-else' });
    expect(await a.headers(signal())).toEqual(first);
    expect(tokenRequests()).toBe(1);
    a.invalidate(first);
    const second = await a.headers(signal());
    expect(second).not.toEqual(first);
    a.invalidate(first); // a late 401 from a request that used the old token
    expect(await a.headers(signal())).toEqual(second);
    expect(tokenRequests()).toBe(2);
  });

  it('gives CONN_ERR_UNAUTHORIZED for a wrong secret, without the secret anywhere in the error', async () => {
    const secret = 'wrong-secret-5f3a9c';
    const a = auth({ clientSecret: secret });
    const err = await a.headers(signal()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_UNAUTHORIZED.is(err)).toBe(true);
    const e = err as UnicsError;
    expect(e.retriable).toBe(false);
    expect(e.message).toBe(`connector "crm": token endpoint ${base}/oauth/token refused the client credentials (answered HTTP 401 invalid_client). Check auth.clientId, auth.clientSecret.`);
    expect(e.details).toEqual({ status: 401, error: 'invalid_client' });
    const everything = `${e.message} ${JSON.stringify(e)} ${JSON.stringify(e.details)} ${String(e.cause)} ${e.stack ?? ''}`;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(`unics-demo:${secret}`).toString('base64'));
  });

  it('gives CONN_ERR_UNAVAILABLE (retriable) when the token endpoint fails or cannot be reached', async () => {
    sim.knobs.errorRate = 1;
    const err = await auth().headers(signal()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_UNAVAILABLE.is(err)).toBe(true);
    expect((err as UnicsError).retriable).toBe(true);
    expect((err as Error).message).toContain('answered HTTP 500');

    const refused = await auth({ tokenUrl: 'http://127.0.0.1:1/oauth/token' }).headers(signal()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_UNAVAILABLE.is(refused)).toBe(true);
    expect((refused as Error).message).toBe('connector "crm": token endpoint http://127.0.0.1:1/oauth/token could not be reached (ECONNREFUSED)');
  });

  it('keeps using a still-valid token when the early refresh fails', async () => {
    const a = auth();
    const first = await a.headers(signal());
    sim.knobs.errorRate = 1;
    clock.advance(55_000);
    expect(await a.headers(signal())).toEqual(first);
    // The kit counts injected failures under their own label.
    await waitFor(() => (sim.stats.byRoute['(injected error)'] === 1 ? true : undefined), { timeoutMs: 2_000, what: 'the failed refresh' });
    // Not retried on every call while the endpoint is down.
    for (let i = 0; i < 5; i++) expect(await a.headers(signal())).toEqual(first);
    expect(sim.stats.requests).toBe(2);
  });

  it('a caller that gives up rejects at once with its abort reason; the fetch goes on for the others', async () => {
    sim.knobs.latencyMs = 300;
    const a = auth();
    const impatient = new AbortController();
    const reason = connErr.CONN_ERR_TIMEOUT('connector "crm": no answer within 50 ms');
    const p1 = a.headers(impatient.signal);
    const p2 = a.headers(signal());
    setTimeout(() => impatient.abort(reason), 50);
    const started = Date.now();
    await expect(p1).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(200);
    expect((await p2).authorization).toMatch(/^Bearer /);
    expect(tokenRequests()).toBe(1);
  });

  it('when every caller gives up, the token request is cancelled on the wire and the next call starts afresh', async () => {
    sim.knobs.hang = true;
    const watch = closedRequest(sim.server, '/oauth/token');
    const a = auth();
    const controller = new AbortController();
    const p = a.headers(controller.signal);
    setTimeout(() => controller.abort(new Error('client went away')), 50);
    const err = await p.catch((e: unknown) => e);
    expect(connErr.CONN_ERR_ABORTED.is(err)).toBe(true);
    await waitFor(() => (watch.closed() ? true : undefined), { timeoutMs: 2_000, what: 'the server to see the token request closed' });
    sim.knobs.hang = false;
    expect((await a.headers(signal())).authorization).toMatch(/^Bearer /);
  });

  it('gives up on a silent token endpoint after fetchTimeoutMs', async () => {
    sim.knobs.hang = true;
    const err = await auth({ clock: systemClock, fetchTimeoutMs: 100 }).headers(signal()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_TIMEOUT.is(err)).toBe(true);
    expect((err as Error).message).toContain('did not answer within 100 ms');
  });
});

describe('token answers a well-behaved server never gives', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: string } = { status: 200, body: '' };
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const fetchWith = (status: number, body: string, c: Clock = clock) => {
    answer = { status, body };
    return auth({ tokenUrl: url, clock: c }).headers(signal()).catch((e: unknown) => e);
  };

  it('refuses answers without a usable bearer token as CONN_ERR_MALFORMED_RESPONSE', async () => {
    for (const body of ['not json', '{}', '{"access_token":""}', 'null', '{"access_token":"t","token_type":"mac"}']) {
      const err = await fetchWith(200, body);
      expect(connErr.CONN_ERR_MALFORMED_RESPONSE.is(err), body).toBe(true);
      expect((err as Error).message).toContain(`connector "crm": token endpoint ${url}`);
    }
  });

  it('never echoes upstream text or an access token into the message', async () => {
    const err = await fetchWith(400, JSON.stringify({ error: `invalid_client ${SECRET}`, error_description: SECRET }));
    expect(connErr.CONN_ERR_UNAUTHORIZED.is(err)).toBe(true);
    expect((err as Error).message).not.toContain(SECRET);
    const badType = await fetchWith(200, '{"access_token":"tok-123456","token_type":"mac"}');
    expect((badType as Error).message).not.toContain('tok-123456');
  });

  it('names the token URL when it is wrong (404)', async () => {
    const err = await fetchWith(404, '');
    expect(connErr.CONN_ERR_UNAUTHORIZED.is(err)).toBe(true);
    expect((err as Error).message).toBe(`connector "crm": token endpoint ${url} answered HTTP 404; expected a token answer. Check auth.tokenUrl.`);
  });

  it('uses a token without expires_in until the upstream refuses it', async () => {
    answer = { status: 200, body: '{"access_token":"forever","token_type":"bearer"}' };
    const a = auth({ tokenUrl: url });
    const h = await a.headers(signal());
    expect(h).toEqual({ authorization: 'Bearer forever' });
    clock.advance(10 * 86_400_000);
    answer = { status: 500, body: '' }; // a fetch now would fail
    expect(await a.headers(signal())).toEqual(h);
    a.invalidate(h);
    expect(connErr.CONN_ERR_UNAVAILABLE.is(await a.headers(signal()).catch((e: unknown) => e))).toBe(true);
  });

  it('accepts expires_in as a string and refreshes halfway when the skew exceeds the lifetime', async () => {
    answer = { status: 200, body: '{"access_token":"short","token_type":"Bearer","expires_in":"20"}' };
    const a = auth({ tokenUrl: url, refreshSkewMs: 60_000 });
    await a.headers(signal());
    answer = { status: 200, body: '{"access_token":"next","token_type":"Bearer","expires_in":20}' };
    clock.advance(9_999);
    expect(await a.headers(signal())).toEqual({ authorization: 'Bearer short' });
    clock.advance(10_001); // expired: the caller waits for the new one
    expect(await a.headers(signal())).toEqual({ authorization: 'Bearer next' });
  });
});

describe('createUpstreamAuth', () => {
  const deps = { connector: 'crm', clock };
  it('maps every auth type', async () => {
    const none = createUpstreamAuth({ type: 'none' }, deps);
    expect(await none.headers(signal())).toEqual({});
    expect(await createUpstreamAuth({ type: 'api-key', header: 'X-Api-Key', key: 'k1' }, deps).headers(signal())).toEqual({ 'x-api-key': 'k1' });
    expect(await createUpstreamAuth({ type: 'basic', username: 'u', password: 'p' }, deps).headers(signal())).toEqual({ authorization: 'Basic dTpw' });
    const bearer = createUpstreamAuth({ type: 'bearer', token: 't' }, deps);
    expect(await bearer.headers(signal())).toEqual({ authorization: 'Bearer t' });
    expect(bearer.refreshable).toBe(false);
    await bearer.close();

    const oauth = createUpstreamAuth({ type: 'oauth2-client-credentials', tokenUrl: `${base}/oauth/token`, clientId: 'unics-demo', clientSecret: SECRET, refreshSkewMs: 1000 }, deps);
    expect(oauth.refreshable).toBe(true);
    expect(await apiStatus(await oauth.headers(signal()))).toBe(200);
    await oauth.close();
  });
});
