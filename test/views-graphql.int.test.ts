// The whole read path on the real stack: the app (embedded simulators for the live path) with views on Redis, fed by
// Debezium from PostgreSQL and by CRM envelopes on Kafka. GraphQL answers from the view with VIEW freshness, sees
// inserts, updates and deletes of shop.orders and CRM changes, tells customerChanged subscribers why, and falls back
// to live when asked for fresher data than the view has.
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp, type App } from '../app/build-app.ts';
import { parseConfig } from '../app/config.ts';
import { createLogger } from '../common/logger.ts';
import { signDevToken } from '../gateway/auth/sign-dev-token.ts';
import { createIsolatedSources, type IsolatedSources } from '../materialized-views/test-support/isolated-sources.ts';
import { uniqueName, waitFor } from './support/wait-for.ts';

const env = inject('stackEnv');
const CUSTOMER = 'C000001';

let src: IsolatedSources;
let app: App;
let url: string;
let token: string;
let customerNo: string;
let viewsSection: Record<string, unknown>;

type Body = { data?: { customer?: { profile?: { tier?: string } | null; orders?: Array<{ id: string; status: string }> | null; freshness: Array<{ source: string; mode: string; lagMs: number | null }> } | null }; errors?: unknown[]; extensions?: { unics?: { sources: Record<string, { mode: string }> } } };

const gql = async (query: string, headers: Record<string, string> = {}): Promise<Body> => {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  expect(res.status).toBe(200);
  return (await res.json()) as Body;
};
// A generous budget for the assertions on content (the shared CI machine is slow); the benchmark measures freshness.
const VIEW_QUERY = `query @freshness(maxLagMs: 600000) { customer(id: "${CUSTOMER}") { profile { tier } orders(first: 50) { id status } freshness { source mode lagMs } } }`;
const ordersOf = async () => (await gql(VIEW_QUERY)).data?.customer?.orders ?? [];

beforeAll(async () => {
  src = await createIsolatedSources(env);
  const tenant = 'demo';
  const config = parseConfig(
    {
      server: { port: 0 },
      log: { level: 'silent' },
      demo: { embedded: true, customers: 50 },
      services: { kafkaBrokers: env.KAFKA_BROKERS.split(','), redisUrl: env.REDIS_URL },
      views: (viewsSection = { tenant, groupId: uniqueName('views-gql'), topics: [...src.topics], heartbeats: {}, changefeedTopic: false }),
    },
    'test',
  );
  // Views of tenant "demo" live under this test's own keys: the definition's name is unique (keys include it).
  const definition = { ...src.definition, name: `customer360-${src.id}` };
  app = await buildApp(config, { log: createLogger({ level: 'silent' }), viewDefinition: definition });
  url = await app.listen();
  token = await signDevToken({ secret: app.auth.hs256Secret!, tenant, roles: ['agent'] });
  const contact = app.demo!.systems.crm.contact(CUSTOMER)!;
  customerNo = String(contact.customerNo);
  await src.contactChange('r', { ...contact }, 1_000);
}, 90_000);

afterAll(async () => {
  await app?.close();
  await src?.close();
});

describe('GraphQL over materialized views', () => {
  it('answers from the view, with VIEW freshness, and sees inserts, updates and deletes of shop.orders', async () => {
    await src.pool.query(`insert into ${src.shopSchema}.orders values ('V1', $1, 'pending', 4200, 'EUR', now(), now())`, [customerNo]);
    await waitFor(async () => ((await ordersOf()).some((o) => o.id === 'V1') ? true : undefined), { timeoutMs: 20_000, intervalMs: 20, what: 'the inserted order through GraphQL' });

    const body = await gql(VIEW_QUERY, { 'x-unics-explain': '1' });
    expect(body.errors).toBeUndefined();
    const modes = Object.fromEntries(body.data!.customer!.freshness.map((f) => [f.source, f.mode]));
    expect(modes).toMatchObject({ crm: 'VIEW', shop: 'VIEW' });
    expect(body.extensions?.unics?.sources.shop?.mode).toBe('view');
    // The view holds this test's orders only: the demo shop's own orders of this customer are not in it.
    expect(body.data!.customer!.orders!.map((o) => o.id)).toEqual(['V1']);

    const t0 = Date.now();
    await src.pool.query(`update ${src.shopSchema}.orders set status = 'paid', updated_at = now() where id = 'V1'`);
    await waitFor(async () => ((await ordersOf()).find((o) => o.id === 'V1')?.status === 'PAID' ? true : undefined), { timeoutMs: 20_000, intervalMs: 5, what: 'the paid order' });
    const visibleMs = Date.now() - t0;
    expect(visibleMs).toBeLessThan(5_000);

    await src.pool.query(`delete from ${src.shopSchema}.orders where id = 'V1'`);
    await waitFor(async () => ((await ordersOf()).length === 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 10, what: 'the deleted order to leave' });
  }, 90_000);

  it('sees CRM changes and tells customerChanged subscribers why, from the pipeline through Redis pub/sub', async () => {
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const events: Array<{ source: string; reason: string }> = [];
    const subscribers = app.changeFeed.subscriberCount();
    const stop = client.subscribe<{ customerChanged: { source: string; reason: string } }>(
      { query: `subscription { customerChanged(id: "${CUSTOMER}") { source reason } }` },
      { next: (e) => void (e.data && events.push(e.data.customerChanged)), error: () => {}, complete: () => {} },
    );
    try {
      await waitFor(() => (app.changeFeed.subscriberCount() > subscribers ? true : undefined), { what: 'the subscription' });
      const contact = app.demo!.systems.crm.contact(CUSTOMER)!;
      await src.contactChange('u', { ...contact, tier: 'diamond' }, 2_000);
      await waitFor(async () => ((await gql(VIEW_QUERY)).data?.customer?.profile?.tier === 'diamond' ? true : undefined), { timeoutMs: 20_000, intervalMs: 10, what: 'the CRM change' });
      await src.pool.query(`insert into ${src.shopSchema}.orders values ('V2', $1, 'pending', 100, 'EUR', now(), now())`, [customerNo]);
      await src.pool.query(`update ${src.shopSchema}.orders set status = 'shipped', updated_at = now() where id = 'V2'`);
      await waitFor(() => (events.some((e) => e.reason === 'order V2 shipped') ? true : undefined), { timeoutMs: 20_000, intervalMs: 10, what: 'the shipped event' });
      expect(events).toEqual(expect.arrayContaining([
        { source: 'crm', reason: `contact ${CUSTOMER} updated` }, // the test's envelope carries no before row
        { source: 'shop', reason: 'order V2 placed' },
        { source: 'shop', reason: 'order V2 shipped' },
      ]));
    } finally {
      stop();
      await client.dispose();
    }
  }, 90_000);

  it('fans changes out to subscribers on another gateway instance that does not run the pipeline', async () => {
    const config = parseConfig(
      {
        server: { port: 0 },
        log: { level: 'silent' },
        demo: { embedded: true, customers: 50 },
        services: { kafkaBrokers: env.KAFKA_BROKERS.split(','), redisUrl: env.REDIS_URL },
        views: { ...viewsSection, consume: false },
      },
      'test',
    );
    const other = await buildApp(config, { log: createLogger({ level: 'silent' }), viewDefinition: { ...src.definition, name: `customer360-${src.id}` } });
    try {
      const otherUrl = await other.listen();
      expect(other.views?.pipeline).toBeUndefined();
      const client = createClient({ url: `${otherUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
      const reasons: string[] = [];
      const stop = client.subscribe<{ customerChanged: { reason: string } }>(
        { query: `subscription { customerChanged(id: "${CUSTOMER}") { reason } }` },
        { next: (e) => void (e.data && reasons.push(e.data.customerChanged.reason)), error: () => {}, complete: () => {} },
      );
      try {
        await waitFor(() => (other.changeFeed.subscriberCount() > 0 ? true : undefined), { what: 'the subscription on the other instance' });
        await src.pool.query(`update ${src.shopSchema}.orders set status = 'delivered', updated_at = now() where id = 'V2'`);
        await waitFor(() => (reasons.includes('order V2 delivered') ? true : undefined), { timeoutMs: 20_000, intervalMs: 10, what: 'the change on the other instance' });
      } finally {
        stop();
        await client.dispose();
      }
    } finally {
      await other.close();
    }
  }, 90_000);

  it('reads live when the query asks for fresher data than the view has', async () => {
    const body = await gql(`query @freshness(maxLagMs: 0) { customer(id: "${CUSTOMER}") { orders(first: 50) { id } freshness { source mode } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.customer!.freshness.find((f) => f.source === 'shop')?.mode).toBe('LIVE');
    // Live answers come from the demo shop, which has this customer's own orders and none of the test's.
    const ids = body.data!.customer!.orders!.map((o) => o.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain('V2');
  });
});
