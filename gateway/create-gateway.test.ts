// The gateway's HTTP behaviour over real loopback HTTP, with a fake schema module: GraphQL over POST and GET, error
// masking, explain, request ids, per-request signals, health, readiness, metrics and unknown routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApolloServerPlugin } from '@apollo/server';
import { createFakeClock } from '../common/clock.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { startTestGateway, type TestGateway } from './test-support/start-test-gateway.ts';

describe('createGateway over HTTP', () => {
  let g: TestGateway;
  const seenByExtraPlugin: string[] = [];
  const extraPlugin: ApolloServerPlugin = {
    async requestDidStart(rc) {
      seenByExtraPlugin.push(rc.request.operationName ?? '(anonymous)');
    },
  };
  beforeAll(async () => {
    g = await startTestGateway({ plugins: [extraPlugin] });
  });
  afterAll(() => g.close());

  it('answers queries over POST and GET, with extra plugins (the tracing hook) taking part', async () => {
    const post = await g.post({ query: 'query One { customer(id: "C1") { id name } }', operationName: 'One' });
    expect(post.status).toBe(200);
    expect(post.body).toEqual({ data: { customer: { id: 'C1', name: 'Customer C1' } } });
    const get = await fetch(`${g.url}/graphql?query=${encodeURIComponent('{ customer(id: "C2") { id } }')}`, { headers: { authorization: `Bearer ${await g.token()}` } });
    expect(await get.json()).toEqual({ data: { customer: { id: 'C2' } } });
    expect(seenByExtraPlugin).toContain('One');
  });

  it('answers compact JSON without cache-control hints (no pretty-printing, no cache-control plugin)', async () => {
    const res = await fetch(`${g.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await g.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customer(id: "C1") { id name } }' }),
    });
    expect(await res.text()).toBe('{"data":{"customer":{"id":"C1","name":"Customer C1"}}}');
    expect(res.headers.get('cache-control')).toBeNull();
  });

  it('refuses mutations over GET (GraphQL over HTTP) and serves them over POST', async () => {
    const get = await fetch(`${g.url}/graphql?query=${encodeURIComponent('mutation { touch(id: "1") }')}`, { headers: { authorization: `Bearer ${await g.token()}` } });
    expect(get.status).toBe(405);
    expect((await g.post({ query: 'mutation { touch(id: "1") }' })).body).toEqual({ data: { touch: true } });
  });

  it('masks uncatalogued errors as "Unexpected error" and logs the original; catalogued ones keep code and message', async () => {
    const res = await g.post({ query: '{ boom down me { tenant } }' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ boom: null, down: null, me: { tenant: 'demo' } });
    const [boom, down] = res.body.errors;
    expect(boom).toEqual({ message: 'Unexpected error', locations: [{ line: 1, column: 3 }], path: ['boom'], extensions: { code: 'COMMON_ERR_UNEXPECTED' } });
    expect(JSON.stringify(res.body)).not.toContain('SELECT');
    expect(down).toMatchObject({ message: 'connector "crm": upstream answered 503', path: ['down'], extensions: { code: 'CONN_ERR_UNAVAILABLE', details: { connector: 'crm' } } });
    const logged = g.logs.find((l) => (l.err as { message?: string } | undefined)?.message === 'SELECT * FROM secrets failed at 10.0.0.7');
    expect(logged).toMatchObject({ level: 50, path: ['boom'] });
    expect(logged?.reqId).toEqual(expect.any(String));
  });

  it('keeps GraphQL validation errors as they are', async () => {
    const res = await g.post({ query: '{ nope }' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ message: 'Cannot query field "nope" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('adds extensions.unics only when x-unics-explain: 1 is sent', async () => {
    const plain = await g.post({ query: '{ customer(id: "C9") { id } }' });
    expect(plain.body.extensions).toBeUndefined();
    const explained = await g.post({ query: '{ customer(id: "C9") { id } }' }, { 'x-unics-explain': '1' });
    expect(explained.body.extensions).toEqual({ unics: { calls: ['customer:C9'] } });
  });

  it('echoes a well-formed x-request-id and makes one up otherwise', async () => {
    const given = await g.post({ query: '{ me { tenant } }' }, { 'x-request-id': 'trace-abc.123' });
    expect(given.headers.get('x-request-id')).toBe('trace-abc.123');
    const bad = await g.post({ query: '{ me { tenant } }' }, { 'x-request-id': 'no spaces allowed' });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(g.logs.some((l) => l.reqId === 'trace-abc.123' && l.msg === 'request completed' && l.tenant === 'demo')).toBe(true);
  });

  it('gives each request a signal that is aborted once the response is sent', async () => {
    const before = g.schema.signals.length;
    await g.post({ query: '{ me { tenant } }' });
    const signal = g.schema.signals[before];
    expect(signal).toBeDefined();
    expect(signal?.aborted).toBe(true);
  });

  it('aborts a request whose time budget runs out, so slow upstream work stops', async () => {
    const quick = await startTestGateway({ limits: { requestTimeoutMs: 200 } });
    try {
      const t0 = performance.now();
      const res = await quick.post({ query: '{ slow }' });
      expect(res.body).toEqual({ data: { slow: 'aborted' } });
      expect(performance.now() - t0).toBeLessThan(2000);
    } finally {
      await quick.close();
    }
  });

  it('times requests with its clock and cancels the timer once the response is done (nothing kept for the budget)', async () => {
    const clock = createFakeClock(Date.now());
    const timed = await startTestGateway({ clock, limits: { requestTimeoutMs: 30_000 } });
    try {
      const idle = clock.pendingTimers();
      expect((await timed.post({ query: '{ me { tenant } }' })).body).toEqual({ data: { me: { tenant: 'demo' } } });
      expect(clock.pendingTimers()).toBe(idle);
      const slow = timed.post({ query: '{ slow }' });
      await waitFor(() => (clock.pendingTimers() > idle ? true : undefined), { what: 'the request timer', timeoutMs: 5000 });
      clock.advance(30_000);
      expect((await slow).body).toEqual({ data: { slow: 'aborted' } });
      expect(clock.pendingTimers()).toBe(idle);
    } finally {
      await timed.close();
    }
  });

  it('serves introspection', async () => {
    const res = await g.post({ query: '{ __schema { queryType { name } } }' });
    expect(res.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('answers /healthz, and /readyz from the readiness report (503 naming what is down)', async () => {
    const health = await fetch(`${g.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', uptimeMs: expect.any(Number) });
    const ready = await fetch(`${g.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { crm: { ok: true, durationMs: 1 } } });

    g.readiness = { ready: false, checks: { crm: { ok: true, durationMs: 2 }, wms: { ok: false, durationMs: 5, code: 'CONN_ERR_UNAVAILABLE', message: 'connection refused' } } };
    const down = await fetch(`${g.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'not ready',
      checks: g.readiness.checks,
      error: { code: 'GATEWAY_ERR_NOT_READY', message: 'not ready: wms (CONN_ERR_UNAVAILABLE: connection refused)', details: { failing: ['wms'] } },
    });
    g.readiness = { ready: true, checks: {} };
  });

  it('serves Prometheus metrics with unics_graphql_operations_total and unics_graphql_duration_seconds', async () => {
    await g.post({ query: 'query Metered { me { tenant } }' });
    await g.post({ query: 'query Partly { me { tenant } boom }' });
    await g.post({ query: '{ nope }' });
    const res = await fetch(`${g.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('unics_graphql_operations_total{operation="Metered",outcome="success"} 1');
    expect(text).toContain('unics_graphql_operations_total{operation="Partly",outcome="partial"} 1');
    expect(text).toMatch(/unics_graphql_operations_total\{operation="\(invalid\)",outcome="rejected"\} \d+/);
    expect(text).toMatch(/unics_graphql_duration_seconds_count\{operation="Metered",outcome="success"\} 1/);
  });

  it('404s unknown routes with a catalogued error listing what it serves', async () => {
    const res = await fetch(`${g.url}/nowhere?token=secret`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'GATEWAY_ERR_ROUTE_NOT_FOUND', message: 'no endpoint at GET /nowhere; the gateway serves POST /graphql, GET /graphql, ws /graphql, GET /healthz, GET /readyz, GET /metrics' },
    });
  });
});
