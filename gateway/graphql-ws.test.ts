// graphql-ws on /graphql over a real socket: authentication in connection_init (4401 / 4403), a subscription round
// trip scoped to the token's tenant, limits and masking per operation, other paths refused, 1001 on shutdown.
import { once } from 'node:events';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../test/support/wait-for.ts';
import { startTestGateway, type TestGateway } from './test-support/start-test-gateway.ts';

function rawSocket(url: string): WebSocket {
  return new WebSocket(url, 'graphql-transport-ws');
}

async function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

describe('graphql-ws on /graphql', () => {
  let g: TestGateway;
  const clients: Client[] = [];
  const client = (authorization: string) => {
    const c = createClient({ url: g.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization }, retryAttempts: 0, lazy: true });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    g = await startTestGateway();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await g.close();
  });

  it('delivers customerChanged events of the token\'s tenant only, and aborts the operation on completion', async () => {
    const demo = client(`Bearer ${await g.token({ tenant: 'demo' })}`);
    const received: unknown[] = [];
    const signalsBefore = g.schema.signals.length;
    let completed = false;
    const unsubscribe = demo.subscribe(
      { query: 'subscription { customerChanged(id: "C1") { customerId source reason } }' },
      { next: (v) => received.push(v), error: (e) => received.push({ error: e }), complete: () => (completed = true) },
    );
    await waitFor(() => (g.schema.signals.length > signalsBefore ? true : undefined), { what: 'the subscription to start' });
    const at = new Date().toISOString();
    g.schema.publish({ tenant: 'acme', customerId: 'C1', source: 'shop', at, reason: 'not yours' });
    g.schema.publish({ tenant: 'demo', customerId: 'C1', source: 'shop', at, reason: 'order O1 refunded' });
    await waitFor(() => (received.length > 0 ? true : undefined), { what: 'an event' });
    expect(received).toEqual([{ data: { customerChanged: { customerId: 'C1', source: 'shop', reason: 'order O1 refunded' } } }]);
    const signal = g.schema.signals[signalsBefore];
    expect(signal?.aborted).toBe(false);
    unsubscribe();
    await waitFor(() => (signal?.aborted ? true : undefined), { what: 'the operation signal to abort' });
    expect(completed).toBe(true);
  });

  it('runs queries with the same masking and limits as HTTP', async () => {
    const c = client(`Bearer ${await g.token()}`);
    const run = (query: string) =>
      new Promise<unknown>((resolve) => {
        const results: unknown[] = [];
        c.subscribe({ query }, { next: (v) => results.push(v), error: (e) => resolve({ error: e }), complete: () => resolve(results) });
      });
    expect(await run('{ me { tenant } boom }')).toEqual([
      { data: { me: { tenant: 'demo' }, boom: null }, errors: [{ message: 'Unexpected error', locations: [{ line: 1, column: 17 }], path: ['boom'], extensions: { code: 'COMMON_ERR_UNEXPECTED' } }] },
    ]);
    const deep = `{ customer(id: "1") { ${'friends { '.repeat(15)}id${' }'.repeat(15)} } }`;
    const refused = (await run(deep)) as { error: Array<{ message: string; extensions: { code: string } }> };
    expect(refused.error[0]?.extensions.code).toBe('GATEWAY_ERR_QUERY_TOO_DEEP');
    const costly = (await run('{ customers(ids: ["a"]) { friends(first: 1000) { orders(first: 1000) { id } } } }')) as { error: Array<{ extensions: { code: string } }> };
    expect(costly.error[0]?.extensions.code).toBe('GATEWAY_ERR_QUERY_TOO_COSTLY');
  });

  it('closes with 4401 and the reason when connection_init has no or a bad token', async () => {
    const none = rawSocket(g.wsUrl);
    await once(none, 'open');
    none.send(JSON.stringify({ type: 'connection_init' }));
    const closed = await closeOf(none);
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/^missing bearer token/);

    const bad = rawSocket(g.wsUrl);
    await once(bad, 'open');
    bad.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer a.b.c' } }));
    expect(await closeOf(bad)).toEqual({ code: 4401, reason: expect.stringMatching(/^malformed token/) });
  });

  it('closes with 4403 for a tenant this gateway does not serve', async () => {
    const socket = rawSocket(g.wsUrl);
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await g.token({ tenant: 'globex' })}` } }));
    expect(await closeOf(socket)).toEqual({ code: 4403, reason: 'tenant "globex" is not served by this gateway; it serves: demo, acme' });
  });

  it('refuses upgrades on other paths', async () => {
    const socket = new WebSocket(`${g.url.replace('http', 'ws')}/elsewhere`);
    const [err] = (await once(socket, 'error')) as [Error];
    expect(err.message).toBe('Unexpected server response: 404');
  });

  it('closes live sockets with 1001 when the gateway closes', async () => {
    const own = await startTestGateway();
    const socket = rawSocket(own.wsUrl);
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await own.token()}` } }));
    const [ack] = (await once(socket, 'message')) as [Buffer];
    expect(JSON.parse(ack.toString())).toEqual({ type: 'connection_ack' });
    const closing = closeOf(socket);
    await own.close();
    expect((await closing).code).toBe(1001);
  });
});
