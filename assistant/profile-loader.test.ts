// The profile loader against the real unified schema over the legacy simulators on loopback (component tier): in
// process through the schema module, and over HTTP through a real gateway; then the assistant answering from it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../common/index.ts';
import { startTestGateway, type TestGateway } from '../gateway/test-support/start-test-gateway.ts';
import { createMemoryChangeFeed, createSchemaModule, defaultSourceMap, type UnicsSchemaModule } from '../schema/index.ts';
import { startDemoSources, type DemoSources } from '../schema/fixtures/demo-sources.ts';
import { createAssistant, newAssistantSession } from './create-assistant.ts';
import type { CustomerProfile } from './customer-profile.ts';
import { createIntentRegistry } from './plugin-registry.ts';
import { builtinIntentPlugins } from './plugins/builtin-plugins.ts';
import { createHttpExecutor, createInProcessExecutor, createProfileLoader } from './profile-loader.ts';

const WMS_TIMEOUT_MS = 300;
let demo: DemoSources;
let module: UnicsSchemaModule;
let gateway: TestGateway;

beforeAll(async () => {
  demo = await startDemoSources({ customers: 50, overrides: { wms: { timeout: `${WMS_TIMEOUT_MS}ms`, retry: { policy: 'none' } } } });
  module = createSchemaModule({ connectors: demo.loaded.connectors, sources: defaultSourceMap, changeFeed: createMemoryChangeFeed(), clock: systemClock, log: createLogger({ level: 'silent' }) });
  gateway = await startTestGateway({ schema: module });
}, 90_000);

afterEach(() => {
  demo.systems.wms.knobs.hang = false;
});

afterAll(async () => {
  await gateway?.close();
  await demo?.close();
});

const signal = () => AbortSignal.timeout(10_000);

/** A customer with a shipped order and one without any shipment, from the demo data. */
function pickCustomer() {
  const { contacts, orders, shipments } = demo.systems.data;
  for (const c of contacts) {
    const own = orders.filter((o) => o.customerNo === c.customerNo);
    if (own.some((o) => shipments.some((s) => s.orderId === o.id))) return { contact: c, own };
  }
  throw new Error('no demo customer with a shipment');
}

describe('createProfileLoader', () => {
  it('in process: the customer, their own orders newest first with items, payment and live shipment, and freshness', async () => {
    const { contact, own } = pickCustomer();
    const profile = await createProfileLoader({ execute: createInProcessExecutor(module) }).load('demo', contact.id, signal());
    expect(profile.id).toBe(contact.id);
    expect(profile.contact?.firstName).toBe(contact.firstName);
    expect(new Set(profile.orders?.map((o) => o.id))).toEqual(new Set(own.map((o) => o.id).slice(0, 20)));
    const createdAt = profile.orders?.map((o) => o.createdAt) ?? [];
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
    for (const order of profile.orders ?? []) {
      const shipment = demo.systems.data.shipments.find((s) => s.orderId === order.id);
      expect(order.shipment?.trackingNo ?? null, order.id).toBe(shipment?.trackingNo ?? null);
      expect(order.items.length, order.id).toBeGreaterThan(0);
    }
    expect(profile.freshness.map((f) => [f.source, f.mode])).toEqual([['crm', 'LIVE'], ['helpdesk', 'LIVE'], ['shop', 'LIVE'], ['wms', 'LIVE']]);
    expect(profile.unavailable).toEqual([]);
  });

  it('over HTTP through the gateway: the same profile', async () => {
    const { contact } = pickCustomer();
    const token = await gateway.token({ roles: ['assistant'] });
    const overHttp = await createProfileLoader({ execute: createHttpExecutor({ url: `${gateway.url}/graphql`, token: () => token }) }).load('demo', contact.id, signal());
    const inProcess = await createProfileLoader({ execute: createInProcessExecutor(module) }).load('demo', contact.id, signal());
    const strip = (p: CustomerProfile) => ({ ...p, freshness: p.freshness.map((f) => f.source) });
    expect(strip(overHttp)).toEqual(strip(inProcess));
  });

  it('an unknown customer or a refused token: ASSIST_ERR_PROFILE_UNAVAILABLE', async () => {
    await expect(createProfileLoader({ execute: createInProcessExecutor(module) }).load('demo', 'C999999', signal())).rejects.toMatchObject({ code: 'ASSIST_ERR_PROFILE_UNAVAILABLE', message: 'customer C999999: no profile (the customer is unknown)' });
    const http = createProfileLoader({ execute: createHttpExecutor({ url: `${gateway.url}/graphql`, token: () => 'not-a-token' }) });
    await expect(http.load('demo', 'C000001', signal())).rejects.toMatchObject({ code: 'ASSIST_ERR_PROFILE_UNAVAILABLE', message: expect.stringContaining('HTTP 401') });
  });

  it('a hanging warehouse: shipments null, wms listed as unavailable, the rest intact', async () => {
    const { contact } = pickCustomer();
    demo.systems.wms.knobs.hang = true;
    const profile = await createProfileLoader({ execute: createInProcessExecutor(module) }).load('demo', contact.id, signal());
    expect(profile.orders?.length).toBeGreaterThan(0);
    expect(profile.orders?.every((o) => o.shipment === null)).toBe(true);
    expect(profile.unavailable).toEqual(['wms']);
  });
});

describe('the assistant over the real profile', () => {
  const assistantOver = () =>
    createAssistant({
      plugins: createIntentRegistry(builtinIntentPlugins()).activate(),
      profiles: createProfileLoader({ execute: createInProcessExecutor(module) }),
      clock: systemClock,
      log: createLogger({ level: 'silent' }),
      respondTimeoutMs: 5_000,
    });

  it("answers an order's status from the shop within a second, and another customer's order with no data", async () => {
    const { contact, own } = pickCustomer();
    const order = own[0]!;
    const assistant = assistantOver();
    const ask = (text: string) => assistant.onVisitorMessage({ tenant: 'demo', conversationId: 'c1', customerId: contact.id, text, session: newAssistantSession() });
    const started = performance.now();
    const out = await ask(`where is my order ${order.id}?`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(out.messages[0]).toContain(`Your order ${order.id} (${(order.totalCents / 100).toFixed(2)} ${order.currency}) is `);
    expect(out.messages[0]).toMatch(/\(as of \d\d:\d\d:\d\d\)\.$/);

    const other = demo.systems.data.orders.find((o) => o.customerNo !== contact.customerNo)!;
    const foreign = await ask(`where is my order ${other.id}?`);
    expect(foreign.messages).toEqual([`I can't find order ${other.id} among your orders. For privacy I can only look up your own orders; please check the number, or ask me for a person.`]);
  });

  it('with the warehouse down, a tracking question about a shipped order is handed over, not guessed', async () => {
    const { contact, own } = pickCustomer();
    const shipped = own.find((o) => demo.systems.data.shipments.some((s) => s.orderId === o.id))!;
    demo.systems.wms.knobs.hang = true;
    const out = await assistantOver().onVisitorMessage({ tenant: 'demo', conversationId: 'c2', customerId: contact.id, text: `tracking number for ${shipped.id}?`, session: newAssistantSession() });
    expect(out.actions).toEqual([{ type: 'handover', reason: 'warehouse_unavailable' }]);
    expect(out.session.state).toBe('handed_over');
  });
});

describe('createHttpExecutor limits', () => {
  it('refuses an answer larger than maxResponseBytes', async () => {
    const { contact } = pickCustomer();
    const token = await gateway.token({ roles: ['assistant'] });
    const small = createProfileLoader({ execute: createHttpExecutor({ url: `${gateway.url}/graphql`, token: () => token, maxResponseBytes: 200 }) });
    await expect(small.load('demo', contact.id, signal())).rejects.toMatchObject({ code: 'ASSIST_ERR_PROFILE_UNAVAILABLE', message: expect.stringContaining('larger than 200 bytes') });
  });
});
