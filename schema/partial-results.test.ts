// Partial results over real HTTP: a source that hangs or fails nulls only the fields that come from it, with an
// error naming its code and the source, and the request ends within that source's timeout budget.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../common/index.ts';
import type { Connector } from '../connectors/connector.ts';
import { createSchemaModule, type UnicsSchemaModule } from './create-schema-module.ts';
import { defaultSourceMap } from './default-source-map.ts';
import { startDemoSources, type DemoSources } from './fixtures/demo-sources.ts';
import { errorsOf, runOperation } from './fixtures/run-operation.ts';
import { createMemoryChangeFeed } from './memory-change-feed.ts';

const WMS_TIMEOUT_MS = 300;
let demo: DemoSources;
let module: UnicsSchemaModule;

const newModule = (sources = defaultSourceMap, log = createLogger({ level: 'silent' })) =>
  createSchemaModule({ connectors: demo.loaded.connectors, sources, changeFeed: createMemoryChangeFeed(), clock: systemClock, log });

beforeAll(async () => {
  // The demo definitions, with a short warehouse budget and no warehouse retries so the budget is one attempt.
  demo = await startDemoSources({ overrides: { wms: { timeout: `${WMS_TIMEOUT_MS}ms`, retry: { policy: 'none' } } } });
  module = newModule();
  const ctx = { tenant: 'warm-up', signal: AbortSignal.timeout(15_000) };
  await (demo.loaded.connectors.get('crm') as Connector).load('contact', ['C000200'], ctx);
  await (demo.loaded.connectors.get('shop') as Connector).load('ordersByCustomer', ['K9999999'], ctx);
}, 90_000);

afterEach(() => {
  for (const sim of [demo.systems.crm, demo.systems.shop.sim, demo.systems.helpdesk, demo.systems.wms]) Object.assign(sim.knobs, { hang: false, errorRate: 0 });
});

afterAll(async () => {
  await demo?.close();
});

const customerQuery = '{ customer(id: "C000001") { profile { email } orders { id status shipment { status } } tickets { id } freshness { source mode } } }';
type Answer = { customer: { profile: unknown; orders: Array<{ id: string; shipment: unknown }> | null; tickets: unknown[] | null; freshness: Array<{ source: string; mode: string }> } };

describe('partial results', () => {
  it('a hanging warehouse: orders resolve, each shipment is null with CONN_ERR_TIMEOUT from wms, within the wms budget', async () => {
    demo.systems.wms.knobs.hang = true;
    const started = performance.now();
    const { result, data, explain } = await runOperation(module, customerQuery, { explain: true });
    const elapsed = performance.now() - started;

    const customer = (data as Answer).customer;
    expect(customer.profile).not.toBeNull();
    expect(customer.tickets).not.toBeNull();
    expect(customer.orders?.map((o) => o.id)).toHaveLength(5);
    expect(customer.orders?.every((o) => o.shipment === null)).toBe(true);
    expect(errorsOf(result)).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ path: `customer.orders.${i}.shipment`, code: 'CONN_ERR_TIMEOUT', source: 'wms', retriable: true })),
    );
    expect(result.errors?.[0]?.message).toBe(`connector "wms": no answer within ${WMS_TIMEOUT_MS} ms to the load of shipmentsByOrder (5 keys); the request was cancelled`);
    expect(customer.freshness).toEqual([{ source: 'crm', mode: 'LIVE' }, { source: 'helpdesk', mode: 'LIVE' }, { source: 'shop', mode: 'LIVE' }, { source: 'wms', mode: 'UNAVAILABLE' }]);
    expect(explain?.sources.wms).toMatchObject({ calls: 1, failures: 1 });
    expect(elapsed).toBeGreaterThanOrEqual(WMS_TIMEOUT_MS - 5);
    expect(elapsed).toBeLessThan(WMS_TIMEOUT_MS + 700);
  });

  it('a failing warehouse: shipment null with CONN_ERR_UNAVAILABLE from wms, the rest intact', async () => {
    demo.systems.wms.knobs.errorRate = 1;
    const { result, data } = await runOperation(module, customerQuery);
    expect((data as Answer).customer.orders).toHaveLength(5);
    expect(new Set(errorsOf(result).map((e) => `${e.code} ${e.source} ${e.retriable}`))).toEqual(new Set(['CONN_ERR_UNAVAILABLE wms true']));
  });

  it('a failing shop: orders null with an error from shop, profile and tickets still resolve', async () => {
    demo.systems.shop.sim.knobs.errorRate = 1;
    const { result, data } = await runOperation(module, customerQuery);
    const customer = (data as Answer).customer;
    expect(customer.orders).toBeNull();
    expect(customer.profile).toEqual({ email: demo.systems.data.contacts[0]?.email });
    expect(customer.tickets).not.toBeNull();
    const errors = errorsOf(result);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'customer.orders', source: 'shop' });
    expect(String(errors[0]?.code)).toMatch(/^CONN_ERR_/);
    expect(customer.freshness.find((f) => f.source === 'shop')?.mode).toBe('UNAVAILABLE');
  });

  it('a failing CRM: each customer of customers(ids) is null at its place with an error from crm', async () => {
    demo.systems.crm.knobs.errorRate = 1;
    const { result, data } = await runOperation(module, '{ customers(ids: ["C000031", "C000032"]) { id } }');
    expect(data.customers).toEqual([null, null]);
    expect(errorsOf(result)).toEqual([
      { path: 'customers.0', code: 'CONN_ERR_UNAVAILABLE', source: 'crm', retriable: true },
      { path: 'customers.1', code: 'CONN_ERR_UNAVAILABLE', source: 'crm', retriable: true },
    ]);
  });

  it('a source no connector serves: its field is null with SCHEMA_ERR_SOURCE_NOT_CONFIGURED, and start-up warns', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const partial = newModule({ ...defaultSourceMap, shipmentsByOrder: { connector: 'warehouse', entity: 'shipmentsByOrder' } }, log);
    expect(lines.join('')).toContain('shipmentsByOrder: no connector \\"warehouse\\" is configured');

    const { result, data } = await runOperation(partial, '{ customer(id: "C000003") { orders { id shipment { status } } } }');
    expect((data as Answer).customer.orders).toEqual([{ id: 'O0000013', shipment: null }]);
    expect(errorsOf(result)).toEqual([{ path: 'customer.orders.0.shipment', code: 'SCHEMA_ERR_SOURCE_NOT_CONFIGURED', source: 'warehouse', retriable: false }]);
  });
});
