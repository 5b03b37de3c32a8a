// The soap adapter against a tiny hostile SOAP server on loopback: it serves the recorded Shop WSDL and answers
// calls with entity bombs, bare HTTP errors, deep nesting or nothing at all.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../../common/index.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { Connector } from '../connector.ts';
import { shopDemoDefinition } from './fixtures/demo-config.ts';
import { soapKind } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const WSDL = fixture('shop.wsdl'); // its address is 127.0.0.1:7002; every connector here overrides it with `endpoint`
const BOMB = fixture('hostile/billion-laughs.xml');

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const xml = (status: number, body: string): Answer => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' });
  res.end(body);
};
const serveWsdl = xml(200, WSDL);

let server: Server;
let base = '';
let onWsdl: Answer = serveWsdl;
let onCall: Answer = xml(200, fixture('get-order.response.xml'));
let socketsClosed = 0;
const connectors: Connector[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => (req.method === 'GET' ? onWsdl : onCall)(req, res));
  });
  server.on('connection', (s) => s.once('close', () => socketsClosed++));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  onWsdl = serveWsdl;
  onCall = xml(200, fixture('get-order.response.xml'));
});

afterAll(async () => {
  for (const c of connectors) await c.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function connect(extra: Record<string, unknown> = {}): Connector {
  const config = soapKind.configSchema.parse({ ...shopDemoDefinition(`${base}/shop?wsdl`), endpoint: `${base}/soap`, ...extra });
  const c = soapKind.create(config, { log: createLogger({ level: 'silent' }), clock: systemClock });
  connectors.push(c);
  return c;
}
const ctx = () => ({ tenant: 'test', signal: AbortSignal.timeout(5_000) });
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('should have failed'), (e: unknown) => e as Error & { code: string; retriable: boolean });

describe('soap connector against hostile answers', () => {
  it('calls the endpoint from the config, not the address in the WSDL', async () => {
    const paths: string[] = [];
    onCall = (req, res) => (paths.push(req.url ?? ''), xml(200, fixture('get-order.response.xml'))(req, res));
    const result = await connect().load('order', ['O0000020'], ctx());
    expect(result.get('O0000020')).toMatchObject({ status: 'ok', value: { id: 'O0000020', totalCents: 99_600 } });
    expect(paths).toEqual(['/soap']);
  });

  it('refuses an entity bomb with CONN_ERR_XML_FORBIDDEN before parsing it, in bounded memory', async () => {
    const c = connect();
    await c.load('order', ['O0000020'], ctx()); // the WSDL is in
    onCall = xml(200, BOMB);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const err = await failure(c.load('ordersByCustomer', ['K0000156'], ctx()));
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(err.message).toBe(`connector "shop": ${base}/soap answered XML with a <!DOCTYPE> declaration (DTDs and entities are never processed); refused unparsed`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024); // expanded, it would be gigabytes
  });

  it('refuses an entity bomb served as the WSDL, on first use and in check()', async () => {
    onWsdl = xml(200, BOMB);
    const c = connect();
    const err = await failure(c.load('order', ['O0000020'], ctx()));
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(err.message).toBe(`connector "shop": could not load the WSDL from ${base}/shop?wsdl: the WSDL answered XML with a <!DOCTYPE> declaration (DTDs and entities are never processed); refused unparsed`);
    await expect(c.check(AbortSignal.timeout(2_000))).rejects.toMatchObject({ code: 'CONN_ERR_XML_FORBIDDEN' });
  });

  it('refuses answers nested deeper than maxXmlDepth', async () => {
    const c = connect({ maxXmlDepth: 16 });
    await c.load('order', ['O0000020'], ctx());
    onCall = xml(200, `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${'<x>'.repeat(100)}${'</x>'.repeat(100)}</soap:Body></soap:Envelope>`);
    const err = await failure(c.load('ordersByCustomer', ['K0000156'], ctx()));
    expect(err).toMatchObject({ code: 'CONN_ERR_XML_FORBIDDEN', details: { reason: 'elements nested deeper than 16 levels' } });
  });

  it('HTTP 5xx without a fault is CONN_ERR_UNAVAILABLE (retriable); 404 without a fault is a wrong endpoint', async () => {
    const c = connect();
    await c.load('order', ['O0000020'], ctx());
    onCall = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    };
    const down = await failure(c.load('ordersByCustomer', ['K0000156'], ctx()));
    expect(down).toMatchObject({ code: 'CONN_ERR_UNAVAILABLE', retriable: true });
    expect(down.message).toBe(`connector "shop": ${base}/soap answered HTTP 502: <html><body>Bad Gateway</body></html>`);
    onCall = xml(404, 'no such service');
    const wrong = await failure(c.load('ordersByCustomer', ['K0000156'], ctx()));
    expect(wrong).toMatchObject({ code: 'CONN_ERR_REJECTED', retriable: false });
    expect(wrong.message).toContain('answered HTTP 404 without a SOAP fault; check the wsdl and endpoint URLs');
  });

  it('a fault delivered with HTTP 200 is still a fault', async () => {
    const c = connect();
    onCall = xml(200, fixture('get-orders-by-customer-server.fault.xml'));
    const err = await failure(c.load('ordersByCustomer', ['K0000156'], ctx()));
    expect(err).toMatchObject({ code: 'CONN_ERR_SOAP_FAULT', retriable: true, details: { faultcode: 'soap:Server' } });
  });

  it('an unreachable WSDL is CONN_ERR_UNAVAILABLE naming the URL, from load and from check', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const c = connect({ wsdl: `http://127.0.0.1:${port}/shop?wsdl` });
    const err = await failure(c.load('order', ['O1'], ctx()));
    expect(err).toMatchObject({ code: 'CONN_ERR_UNAVAILABLE', retriable: true });
    expect(err.message).toMatch(new RegExp(`^connector "shop": could not load the WSDL from http://127\\.0\\.0\\.1:${port}/shop\\?wsdl: could not reach the upstream \\(ECONNREFUSED`));
    await expect(c.check(AbortSignal.timeout(2_000))).rejects.toMatchObject({ code: 'CONN_ERR_UNAVAILABLE' });
  });

  it('a WSDL that never arrives times out after wsdlTimeout and its request is closed; callers may give up sooner', async () => {
    const hanging = new Set<ServerResponse>();
    onWsdl = (_req, res) => void hanging.add(res);
    const c = connect({ wsdlTimeout: '300ms' });
    const impatient = new AbortController();
    const early = failure(c.load('order', ['O1'], { tenant: 'test', signal: impatient.signal }));
    const patient = failure(c.load('order', ['O1'], ctx()));
    const closedBefore = socketsClosed;
    impatient.abort(new Error('caller deadline'));
    expect((await early).code).toBe('CONN_ERR_ABORTED');
    const err = await patient; // the shared fetch went on for the other caller until its own deadline
    expect(err).toMatchObject({ code: 'CONN_ERR_TIMEOUT' });
    expect(err.message).toBe(`connector "shop": the WSDL at ${base}/shop?wsdl did not arrive within 300ms`);
    await waitFor(() => (socketsClosed > closedBefore ? true : undefined), { timeoutMs: 2_000, what: 'the WSDL request to be closed' });
    for (const r of hanging) r.destroy();
  });
});
