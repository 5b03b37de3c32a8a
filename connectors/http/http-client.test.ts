// The shared HTTP layer against a loopback server: URL joining, status and network error mapping, header merging,
// one refresh on 401, the response size limit (announced and streamed), and cancellation that closes the socket.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnicsError } from '../../common/errors.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { connErr } from '../error-catalogue.ts';
import { abortError, createHttpClient, expectSuccess, networkError, resolveUrl, statusError, type HttpClient } from './http-client.ts';
import { staticAuth, type UpstreamAuth } from './upstream-auth.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler = (_req, res) => res.end('ok');
let server: Server;
let base: string;
let connections = 0;
const closedRequests: string[] = [];
const clients: HttpClient[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) closedRequests.push(req.url ?? '');
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => {
  closedRequests.length = 0;
});

function client(opts: Partial<Parameters<typeof createHttpClient>[0]> = {}): HttpClient {
  const c = createHttpClient({ connector: 'crm', baseUrl: base, ...opts });
  clients.push(c);
  return c;
}
const signal = () => AbortSignal.timeout(5_000);

describe('resolveUrl', () => {
  it("keeps the base URL's path and appends query parameters", () => {
    expect(resolveUrl('http://h/api/v1', '/contacts').href).toBe('http://h/api/v1/contacts');
    expect(resolveUrl('http://h/api/v1/', 'contacts').href).toBe('http://h/api/v1/contacts');
    expect(resolveUrl('http://h/api/v1', '/contacts?email=a%2Bb%40x', { limit: '5' }).href).toBe('http://h/api/v1/contacts?email=a%2Bb%40x&limit=5');
    expect(resolveUrl('http://h/api', '/c', { ids: 'A,B', tag: ['x', 'y'], skip: undefined }).search).toBe('?ids=A%2CB&tag=x&tag=y');
    expect(resolveUrl('http://h/api', 'https://other/token').href).toBe('https://other/token');
  });
});

describe('error mapping', () => {
  const res = (status: number, text = '') => ({ status, text: () => text });
  it('maps statuses to the CONN catalogue with the URL, the status and a short snippet', () => {
    const cases: [number, string][] = [
      [400, 'CONN_ERR_REJECTED'], [401, 'CONN_ERR_UNAUTHORIZED'], [403, 'CONN_ERR_UNAUTHORIZED'], [404, 'CONN_ERR_NOT_FOUND'],
      [408, 'CONN_ERR_TIMEOUT'], [409, 'CONN_ERR_REJECTED'], [429, 'CONN_ERR_RATE_LIMITED'], [500, 'CONN_ERR_UNAVAILABLE'], [503, 'CONN_ERR_UNAVAILABLE'],
    ];
    for (const [status, code] of cases) {
      const err = statusError('crm', res(status), 'http://h/x');
      expect(err.code, String(status)).toBe(code);
      expect(err.details).toEqual({ status });
    }
    expect(statusError('crm', res(500, '{"error":\n  "boom"}'), 'http://h/x').message).toBe('connector "crm": http://h/x answered HTTP 500: {"error": "boom"}');
    expect(statusError('crm', res(502, 'x'.repeat(1000)), 'http://h/x').message.length).toBeLessThan(260);
    expect(statusError('crm', res(500), 'u').retriable).toBe(true);
    expect(statusError('crm', res(400), 'u').retriable).toBe(false);
  });

  it('expectSuccess passes 2xx through and throws the mapped error otherwise', () => {
    const ok = { status: 204, headers: {}, body: Buffer.alloc(0), text: () => '' };
    expect(expectSuccess('crm', ok, 'u')).toBe(ok);
    expect(() => expectSuccess('crm', { ...ok, status: 503 }, 'u')).toThrow(expect.objectContaining({ code: 'CONN_ERR_UNAVAILABLE' }));
  });

  it('abortError keeps a catalogued abort reason and wraps anything else as CONN_ERR_ABORTED', () => {
    const timeout = connErr.CONN_ERR_TIMEOUT('connector "crm": no answer within 3000 ms');
    expect(abortError('crm', AbortSignal.abort(timeout))).toBe(timeout);
    const other = new Error('client left');
    const err = abortError('crm', AbortSignal.abort(other));
    expect(err.code).toBe('CONN_ERR_ABORTED');
    expect(err.cause).toBe(other);
  });

  it('networkError prefers the abort over the network failure it caused', () => {
    const reason = connErr.CONN_ERR_TIMEOUT('t');
    expect(networkError('crm', new Error('socket hang up'), AbortSignal.abort(reason))).toBe(reason);
    const err = networkError('crm', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), new AbortController().signal);
    expect(err.code).toBe('CONN_ERR_UNAVAILABLE');
    expect(err.message).toBe('connector "crm": could not reach the upstream (ECONNREFUSED: connect ECONNREFUSED)');
  });
});

describe('createHttpClient', () => {
  it('sends method, path, query, body and merged headers (request > auth > connector) on a kept-alive connection', async () => {
    const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
    handler = (req, res, body) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' });
      res.end('{"ok":true}');
    };
    const c = client({ headers: { 'x-app': 'unics', 'X-Who': 'connector', Authorization: 'Basic stale' }, auth: staticAuth({ 'x-who': 'auth', authorization: 'Bearer t' }) });
    const before = connections;
    const res = await c.send({ method: 'PATCH', path: '/contacts/C1', query: { a: '1' }, headers: { 'Content-Type': 'application/json' }, body: '{"tier":"gold"}', signal: signal() });
    for (let i = 0; i < 10; i++) await c.send({ method: 'GET', path: '/again', signal: signal() });
    expect(res.status).toBe(201);
    expect(res.headers['x-answer']).toBe('yes');
    expect(JSON.parse(res.text())).toEqual({ ok: true });
    expect(seen[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/contacts/C1?a=1', body: '{"tier":"gold"}' });
    expect(seen[0]!.headers).toMatchObject({ 'x-app': 'unics', 'x-who': 'auth', authorization: 'Bearer t', 'content-type': 'application/json' });
    // Kept alive: sequential requests share a connection (undici may open a second one right after a PATCH).
    expect(connections - before).toBeLessThanOrEqual(2);
  });

  it('on a 401 with refreshable auth, invalidates the used credentials and retries exactly once', async () => {
    let n = 0;
    const invalidated: Record<string, string>[] = [];
    const auth: UpstreamAuth = {
      refreshable: true,
      headers: async () => ({ authorization: `Bearer t${++n}` }),
      invalidate: (used) => invalidated.push({ ...used }),
    };
    const got: (string | undefined)[] = [];
    handler = (req, res) => {
      got.push(req.headers.authorization);
      res.writeHead(req.headers.authorization === 'Bearer t2' ? 200 : 401);
      res.end();
    };
    const c = client({ auth });
    expect((await c.send({ method: 'POST', path: '/x', body: 'b', signal: signal() })).status).toBe(200);
    expect(got).toEqual(['Bearer t1', 'Bearer t2']);
    expect(invalidated).toEqual([{ authorization: 'Bearer t1' }]);

    got.length = 0;
    handler = (req, res) => {
      got.push(req.headers.authorization);
      res.writeHead(401);
      res.end();
    };
    expect((await c.send({ method: 'GET', path: '/x', signal: signal() })).status).toBe(401);
    expect(got).toHaveLength(2);
  });

  it('does not retry a 401 when the credentials cannot be refreshed', async () => {
    let hits = 0;
    handler = (_req, res) => {
      hits++;
      res.writeHead(401);
      res.end();
    };
    expect((await client({ auth: staticAuth({ authorization: 'Bearer fixed' }) }).send({ method: 'GET', path: '/x', signal: signal() })).status).toBe(401);
    expect(hits).toBe(1);
  });

  it('refuses an answer that announces more than maxResponseBytes without reading it', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': 2048 });
      res.write(Buffer.alloc(1024));
      // never finishes: the client must not wait for the rest
    };
    const err = await client({ maxResponseBytes: 1000 }).send({ method: 'GET', path: '/big', signal: signal() }).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_RESPONSE_TOO_LARGE.is(err)).toBe(true);
    expect((err as Error).message).toBe(`connector "crm": ${base}/big announced 2048 bytes, more than the limit of 1000`);
    await waitFor(() => (closedRequests.includes('/api/v1/big') ? true : undefined), { timeoutMs: 2_000, what: 'the socket to close' });
  });

  it('stops reading a streamed answer at maxResponseBytes and names the URL and the limit', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 4 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    };
    const err = await client({ maxResponseBytes: 100_000 }).send({ method: 'GET', path: '/stream', signal: signal() }).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_RESPONSE_TOO_LARGE.is(err)).toBe(true);
    expect((err as Error).message).toBe(`connector "crm": ${base}/stream sent more than the limit of 100000 bytes`);
    await waitFor(() => (closedRequests.includes('/api/v1/stream') ? true : undefined), { timeoutMs: 2_000, what: 'the socket to close' });
  });

  it('reads an answer of exactly maxResponseBytes', async () => {
    handler = (_req, res) => res.end(Buffer.alloc(1000, 'b'));
    const res = await client({ maxResponseBytes: 1000 }).send({ method: 'GET', path: '/exact', signal: signal() });
    expect(res.body.length).toBe(1000);
  });

  it('cancels the request on the wire when the signal aborts, before or during the body', async () => {
    handler = (req, res) => {
      if (req.url?.endsWith('/half')) {
        res.writeHead(200);
        res.write('{"items":[');
      }
      // otherwise never answer
    };
    const c = client();
    for (const path of ['/hang', '/half']) {
      const reason = connErr.CONN_ERR_TIMEOUT(`connector "crm": no answer within 50 ms (${path})`);
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 50);
      const started = Date.now();
      await expect(c.send({ method: 'GET', path, signal: controller.signal })).rejects.toBe(reason);
      expect(Date.now() - started).toBeLessThan(1_000);
      await waitFor(() => (closedRequests.includes(`/api/v1${path}`) ? true : undefined), { timeoutMs: 2_000, what: `the server to see ${path} closed` });
    }
  });

  it('does not send at all when the signal is already aborted', async () => {
    let hits = 0;
    handler = (_req, res) => {
      hits++;
      res.end();
    };
    const err = await client().send({ method: 'GET', path: '/x', signal: AbortSignal.abort(new Error('gone')) }).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_ABORTED.is(err)).toBe(true);
    expect(hits).toBe(0);
  });

  it('maps a refused connection to CONN_ERR_UNAVAILABLE (retriable)', async () => {
    const err = await client({ baseUrl: 'http://127.0.0.1:1' }).send({ method: 'GET', path: '/x', signal: signal() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnicsError);
    expect((err as UnicsError).code).toBe('CONN_ERR_UNAVAILABLE');
    expect((err as UnicsError).retriable).toBe(true);
    expect((err as Error).message).toContain('ECONNREFUSED');
  });
});
