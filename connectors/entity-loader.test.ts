import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../common/clock.ts';
import { createConnectorEmitter } from './connector-events.ts';
import { failed, notFound, ok, type KeyResult } from './connector.ts';
import { createEntityLoader } from './entity-loader.ts';
import { connErr } from './error-catalogue.ts';
import { defaultPolicy } from './resilience/policy.ts';
import { createFakeConnector, ctxFor } from './resilience/test-fakes.ts';
import { withResilience } from './resilience/with-resilience.ts';

describe('createEntityLoader', () => {
  it('turns 500 loads in one tick into one connector.load with the 500 keys', async () => {
    const connector = createFakeConnector({ entities: [{ name: 'Contact', maxBatchSize: 1000 }] });
    const loader = createEntityLoader(connector, 'Contact', ctxFor());
    const keys = Array.from({ length: 500 }, (_, i) => `C${String(i).padStart(6, '0')}`);
    const values = await Promise.all(keys.map((k) => loader.load(k)));
    expect(connector.loads).toHaveLength(1);
    expect(connector.loads[0]?.keys).toEqual(keys);
    expect(values).toEqual(keys.map((k) => `Contact:${k}`));
  });

  it('matches answers to keys by key when the connector answers in another order', async () => {
    const connector = createFakeConnector({
      load: async (_entity, keys) => new Map([...keys].reverse().map((k): [string, KeyResult] => [k, ok({ id: k })])),
    });
    const loader = createEntityLoader(connector, 'Contact', ctxFor());
    const values = await Promise.all(['a', 'b', 'c'].map((k) => loader.load(k)));
    expect(values).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
  });

  it('resolves not_found to null and rejects only the key that carries an error', async () => {
    const broken = connErr.CONN_ERR_MALFORMED_RESPONSE('connector "crm": record b has no id');
    const connector = createFakeConnector({
      load: async () => new Map<string, KeyResult>([['a', ok('A')], ['b', failed(broken)], ['c', notFound]]),
    });
    const loader = createEntityLoader(connector, 'Contact', ctxFor());
    const settled = await Promise.allSettled(['a', 'b', 'c'].map((k) => loader.load(k)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'rejected', reason: broken },
      { status: 'fulfilled', value: null },
    ]);
  });

  it("splits by the entity's maxBatchSize, asks for each key once and caches for the request", async () => {
    const connector = createFakeConnector({ entities: [{ name: 'Order', maxBatchSize: 100 }] });
    const loader = createEntityLoader(connector, 'Order', ctxFor());
    const keys = Array.from({ length: 250 }, (_, i) => `O${i}`);
    await Promise.all([...keys, 'O1', 'O2'].map((k) => loader.load(k)));
    expect(connector.loads.map((l) => l.keys.length)).toEqual([100, 100, 50]);
    await loader.load('O7');
    expect(connector.loads).toHaveLength(3);
  });

  it('passes the request context to the connector', async () => {
    const connector = createFakeConnector();
    const ctx = ctxFor('tenant-x');
    await createEntityLoader(connector, 'Contact', ctx).load('a');
    expect(connector.loads[0]?.ctx).toBe(ctx);
  });

  it('refuses an entity the connector does not define', () => {
    const connector = createFakeConnector({ entities: [{ name: 'Contact' }] });
    expect(() => createEntityLoader(connector, 'Ticket', ctxFor())).toThrow('connector "crm" has no entity "Ticket"; it has "Contact"');
  });

  it('works over a resilient connector: one upstream request for a tick of loads', async () => {
    const raw = createFakeConnector({ entities: [{ name: 'Contact', maxBatchSize: 500 }] });
    const connector = withResilience(raw, defaultPolicy, { clock: createFakeClock(), events: createConnectorEmitter() });
    const loader = createEntityLoader(connector, 'Contact', ctxFor());
    const keys = Array.from({ length: 500 }, (_, i) => `C${i}`);
    const values = await Promise.all(keys.map((k) => loader.load(k)));
    expect(raw.loads).toHaveLength(1);
    expect(values[499]).toBe('Contact:C499');
    await connector.close();
  });
});
