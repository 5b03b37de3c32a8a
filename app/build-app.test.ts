// The whole process wired by buildApp, over real HTTP and WebSocket against the four legacy simulators in process
// (the embedded demo, with a small data set): the unified graph, explain, roles, a subscription fed by a refund,
// readiness that names a dead upstream, partial results, metrics, and an orderly close.
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../common/logger.ts';
import { signDevToken } from '../gateway/auth/sign-dev-token.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { buildApp, type App } from './build-app.ts';
import { parseConfig } from './config.ts';

describe('buildApp (embedded demo, real simulators)', { timeout: 60_000 }, () => {
  let app: App;
  let url: string;
  let agent: string;
  let supervisor: string;

  beforeAll(async () => {
    const config = parseConfig({ server: { port: 0 }, log: { level: 'silent' }, demo: { embedded: true, customers: 200 }, gateway: { readiness: { cacheTtl: '0s' } } }, 'test');
    app = await buildApp(config, { log: createLogger({ level: 'silent' }) });
    url = await app.listen();
    const secret = app.auth.hs256Secret!;
    agent = await signDevToken({ secret, tenant: 'demo', roles: ['agent'] });
    supervisor = await signDevToken({ secret, tenant: 'demo', roles: ['agent', 'supervisor'] });
  }, 60_000);
  afterAll(() => app?.close());

  const gql = async (token: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[]; extensions?: any } }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('answers a customer from the four systems, with the explain report on request', async () => {
    const { status, body } = await gql(agent, '{ customer(id: "C000001") { id profile { email customerNo } orders(first: 5) { id status shipment { carrier } } tickets { id } } }', undefined, { 'x-unics-explain': '1' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.id).toBe('C000001');
    expect(body.data.customer.profile.customerNo).toMatch(/^K\d+$/);
    expect(body.data.customer.orders.length).toBeGreaterThan(0);
    expect(Object.keys(body.extensions.unics.sources).sort()).toEqual(expect.arrayContaining(['crm', 'shop']));
  });

  it('lets only a refund role refund, and tells customerChanged subscribers', async () => {
    const { body } = await gql(agent, '{ customer(id: "C000001") { orders(first: 20) { id status totalCents } } }');
    const order = (body.data.customer.orders as Array<{ id: string; status: string; totalCents: number }>).find((o) => o.status === 'PAID' || o.status === 'DELIVERED' || o.status === 'SHIPPED');
    expect(order).toBeDefined();
    const refund = 'mutation($id: ID!) { refundOrder(orderId: $id, amountCents: 100, reason: "test", customerId: "C000001") { id status } }';

    const denied = await gql(agent, refund, { id: order!.id });
    expect(denied.body.errors?.[0].extensions.code).toBe('SCHEMA_ERR_FORBIDDEN');

    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${agent}` }, retryAttempts: 0 });
    const events: unknown[] = [];
    const subscribers = app.changeFeed.subscriberCount();
    const unsubscribe = client.subscribe({ query: 'subscription { customerChanged(id: "C000001") { customerId source } }' }, { next: (e) => events.push(e), error: (e) => events.push({ error: e }), complete: () => {} });
    try {
      await waitFor(() => (app.changeFeed.subscriberCount() > subscribers ? true : undefined), { what: 'the subscription to reach the change feed' });
      const done = await gql(supervisor, refund, { id: order!.id });
      expect(done.body.errors).toBeUndefined();
      expect(done.body.data.refundOrder.id).toBe(order!.id);
      await waitFor(() => (events.length > 0 ? true : undefined), { what: 'the customerChanged event' });
      expect(events[0]).toEqual({ data: { customerChanged: { customerId: 'C000001', source: 'shop' } } });
    } finally {
      unsubscribe();
      await client.dispose();
    }
  });

  it('reports not ready naming a dead upstream, while the other sources still answer (partial results)', async () => {
    const before = await fetch(`${url}/readyz`);
    expect(before.status).toBe(200);
    await app.demo!.systems.wms.close();
    const after = await fetch(`${url}/readyz`);
    expect(after.status).toBe(503);
    const report = (await after.json()) as { checks: Record<string, { ok: boolean }>; error: { code: string; message: string } };
    expect(report.error.code).toBe('GATEWAY_ERR_NOT_READY');
    expect(report.error.message).toMatch(/^not ready: wms \(CONN_ERR_/);
    expect(report.checks.crm?.ok).toBe(true);
    expect(report.checks.wms?.ok).toBe(false);

    // A customer with at least one shipped order, so the warehouse is asked.
    const data = app.demo!.systems.data;
    const shipped = new Set(data.shipments.map((s) => s.orderId));
    const customerNo = data.orders.find((o) => shipped.has(o.id))!.customerNo;
    const id = data.contacts.find((c) => c.customerNo === customerNo)!.id;
    const { body } = await gql(agent, 'query($id: ID!) { customer(id: $id) { profile { email } orders(first: 50) { id shipment { carrier } } } }', { id });
    expect(body.data.customer.profile.email).toMatch(/@example\.com$/);
    expect(body.data.customer.orders.length).toBeGreaterThan(0);
    const shipmentErrors = (body.errors ?? []).filter((e: { path: string[] }) => e.path.includes('shipment'));
    expect(shipmentErrors.length).toBeGreaterThan(0);
    expect(shipmentErrors[0].extensions).toMatchObject({ code: expect.stringMatching(/^CONN_ERR_/), source: 'wms' });
    expect(body.data.customer.orders.every((o: { shipment: unknown }) => o.shipment === null)).toBe(true);
  });

  it('exposes connector and GraphQL metrics', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/unics_connector_requests_total\{connector="crm",outcome="success"\} \d+/);
    expect(text).toMatch(/unics_graphql_operations_total\{operation="\(anonymous\)",outcome="success"\} \d+/);
    expect(text).toContain('unics_connector_duration_seconds_bucket');
  });
});
