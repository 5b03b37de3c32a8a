// Component test (STYLE.md 14): a real loopback HTTP server that never answers. The timeout must reach the socket:
// the upstream sees its connection closed, not just our promise settle.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { createConnectorEmitter } from '../connector-events.ts';
import { ok, type Connector, type KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { createHttpClient, expectSuccess, type HttpClient } from '../http/http-client.ts';
import { defaultPolicy } from './policy.ts';
import { withResilience } from './with-resilience.ts';
import { withTimeout } from './with-timeout.ts';

interface HangingServer {
  readonly url: string;
  readonly requests: IncomingMessage[];
  /** Requests whose socket the client closed. */
  readonly closed: IncomingMessage[];
  close(): Promise<void>;
}

async function startHangingServer(): Promise<HangingServer> {
  const requests: IncomingMessage[] = [];
  const closed: IncomingMessage[] = [];
  const server: Server = createServer((req) => {
    requests.push(req);
    req.socket.on('close', () => closed.push(req)); // never answered: only the client can end it
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closed,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// A minimal raw adapter over the shared HTTP layer: GET /contacts?ids=…, honouring ctx.signal.
function httpConnector(client: HttpClient): Connector {
  return {
    name: 'crm',
    kind: 'test-http',
    entities: new Map([['Contact', { name: 'Contact', many: false, maxBatchSize: 50 }]]),
    commands: new Map(),
    async load(_entity, keys, ctx) {
      const res = expectSuccess('crm', await client.send({ method: 'GET', path: '/contacts', query: { ids: keys.join(',') }, signal: ctx.signal }), '/contacts');
      const records = JSON.parse(res.text()) as Array<{ id: string }>;
      return new Map(records.map((r): [string, KeyResult] => [r.id, ok(r)]));
    },
    call: async () => undefined,
    check: async () => undefined,
    close: () => client.close(),
  };
}

describe('timeouts reach the socket', () => {
  let server: HangingServer | undefined;
  let client: HttpClient | undefined;
  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await server?.close();
  });

  it('withTimeout around an HTTP request closes the connection to a hanging upstream', async () => {
    server = await startHangingServer();
    client = createHttpClient({ connector: 'crm', baseUrl: server.url });
    const http = client;
    const timed = withTimeout((path: string, signal) => http.send({ method: 'GET', path, signal }), {
      ms: 150,
      clock: systemClock,
      onTimeout: () => connErr.CONN_ERR_TIMEOUT('connector "crm": no answer within 150 ms'),
    });
    const started = performance.now();
    const error = await timed('/slow', new AbortController().signal).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_TIMEOUT.is(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
    const hanging = server;
    await waitFor(() => (hanging.closed.length === 1 ? true : undefined), { timeoutMs: 3000, what: 'the upstream to see its socket closed' });
  });

  it('a resilient connector over a hanging upstream answers every key with CONN_ERR_TIMEOUT and closes the socket', async () => {
    server = await startHangingServer();
    client = createHttpClient({ connector: 'crm', baseUrl: server.url });
    const connector = withResilience(httpConnector(client), { ...defaultPolicy, timeoutMs: 150, retry: null }, {
      clock: systemClock,
      events: createConnectorEmitter(),
    });
    const result = await connector.load('Contact', ['C1', 'C2'], { tenant: 'acme', signal: new AbortController().signal });
    expect([...result.values()].map((r) => (r.status === 'error' ? r.error.code : r.status))).toEqual(['CONN_ERR_TIMEOUT', 'CONN_ERR_TIMEOUT']);
    expect(server.requests[0]?.url).toBe('/contacts?ids=C1%2CC2');
    const hanging = server;
    await waitFor(() => (hanging.closed.length === 1 ? true : undefined), { timeoutMs: 3000, what: 'the upstream to see its socket closed' });
    await connector.close();
    client = undefined;
  });
});
