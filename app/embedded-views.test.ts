// The embedded demo's materialized views over real HTTP and WebSocket: the simulators' changes (the Shop's PGlite
// row changes, the CRM and Helpdesk polled) flow through the in-process change log into the memory view store;
// reads come from the views with their freshness, a refund made through the graph comes back through the capture
// and is told to subscribers once, and a write straight into the Shop's database shows up without a reload.
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../common/logger.ts';
import { signDevToken } from '../gateway/auth/sign-dev-token.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { buildApp, type App } from './build-app.ts';
import { parseConfig } from './config.ts';

interface Freshness { source: string; mode: string; lagMs: number | null }
interface Order { id: string; status: string }
interface GqlBody { data?: { customer?: { orders: Order[]; freshness: Freshness[] } | null; refundOrder?: Order | null }; errors?: Array<{ message: string }> }

describe('embedded demo views (in-process change log, memory store)', { timeout: 60_000 }, () => {
  let app: App;
  let url: string;
  let supervisor: string;

  beforeAll(async () => {
    const config = parseConfig({ server: { port: 0 }, log: { level: 'silent' }, demo: { embedded: true, customers: 100 } }, 'test');
    app = await buildApp(config, { log: createLogger({ level: 'silent' }) });
    url = await app.listen();
    supervisor = await signDevToken({ secret: app.auth.hs256Secret!, tenant: 'demo', roles: ['agent', 'supervisor'] });
  }, 60_000);
  afterAll(() => app?.close());

  const gql = async (query: string, variables?: Record<string, unknown>): Promise<GqlBody> => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as GqlBody;
  };
  const customer = async (id: string) => {
    const body = await gql('query($id: ID!) { customer(id: $id) { profile { firstName } orders(first: 50) { id status } tickets { id } freshness { source mode lagMs } } }', { id });
    expect(body.errors).toBeUndefined();
    return body.data!.customer!;
  };
  const modeOf = (c: { freshness: Freshness[] }, source: string) => c.freshness.find((f) => f.source === source)?.mode;

  it('answers the CRM, Shop and Helpdesk parts from the views once the sources caught up', async () => {
    const c = await waitFor(async () => {
      const got = await customer('C000001');
      return ['crm', 'shop', 'helpdesk'].every((s) => modeOf(got, s) === 'VIEW') ? got : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, what: 'crm, shop and helpdesk read from the views' });
    // A view part is used only within the freshness budget (300 ms by default); its lag is reported.
    for (const f of c.freshness.filter((x) => x.mode === 'VIEW')) expect(f.lagMs).toBeGreaterThanOrEqual(0);
    expect(c.orders.length).toBeGreaterThan(0);
  });

  it('tells subscribers about a refund once, from the change that came back through the capture', async () => {
    const before = await customer('C000001');
    const order = before.orders.find((o) => o.status !== 'REFUNDED' && o.status !== 'CANCELLED');
    expect(order).toBeDefined();
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${supervisor}` }, retryAttempts: 0 });
    const reasons: string[] = [];
    const subscribers = app.changeFeed.subscriberCount();
    const unsubscribe = client.subscribe<{ customerChanged: { reason: string } }>(
      { query: 'subscription { customerChanged(id: "C000001") { reason } }' },
      { next: (e) => void reasons.push(e.data!.customerChanged.reason), error: () => {}, complete: () => {} },
    );
    try {
      await waitFor(() => (app.changeFeed.subscriberCount() > subscribers ? true : undefined), { what: 'the subscription' });
      const done = await gql('mutation($id: ID!) { refundOrder(orderId: $id, amountCents: 1, reason: "test", customerId: "C000001") { id status } }', { id: order!.id });
      expect(done.errors).toBeUndefined();
      const after = await waitFor(async () => {
        const got = await customer('C000001');
        return modeOf(got, 'shop') === 'VIEW' && got.orders.find((o) => o.id === order!.id)?.status === 'REFUNDED' ? got : undefined;
      }, { timeoutMs: 5_000, intervalMs: 20, what: 'the refund in the view' });
      expect(after.orders.length).toBe(before.orders.length);
      await waitFor(() => (reasons.some((r) => r.startsWith(`order ${order!.id} `)) ? true : undefined), { what: 'the refund event' });
      await new Promise((r) => setTimeout(r, 300)); // anything sent twice would have arrived by now
      expect(reasons.filter((r) => r.startsWith(`order ${order!.id} `))).toEqual([`order ${order!.id} refunded`]);
    } finally {
      unsubscribe();
      await client.dispose();
    }
  });

  it("shows a write made straight into the Shop's database within the freshness budget", async () => {
    const { orders } = await customer('C000002');
    const order = orders[0]!;
    const started = Date.now();
    await app.demo!.systems.shop.db.query("update shop.orders set status = 'shipped', updated_at = now() where id = $1", [order.id]);
    await waitFor(async () => {
      const got = await customer('C000002');
      return modeOf(got, 'shop') === 'VIEW' && got.orders.find((o) => o.id === order.id)?.status === 'SHIPPED' ? true : undefined;
    }, { timeoutMs: 3_000, intervalMs: 10, what: 'the shipped order in the view' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
