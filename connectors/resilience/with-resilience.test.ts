import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import { createConnectorEmitter, type ConnectorEvents } from '../connector-events.ts';
import type { BatchResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { defaultPolicy, type ResiliencePolicy } from './policy.ts';
import { answer, createFakeConnector, ctxFor, deferred, type FakeConnectorOptions } from './test-fakes.ts';
import { withResilience } from './with-resilience.ts';

const unavailable = () => connErr.CONN_ERR_UNAVAILABLE('connector "crm": HTTP 503');

function setup(raw: FakeConnectorOptions, policy: Partial<ResiliencePolicy> = {}) {
  const clock = createFakeClock();
  const events = createConnectorEmitter();
  const seen: { [K in keyof ConnectorEvents]: Array<ConnectorEvents[K]> } = {
    'connector.request': [],
    'connector.breaker': [],
    'connector.cache': [],
    'connector.cache_error': [],
    'connector.singleflight': [],
    'connector.retry': [],
  };
  for (const name of Object.keys(seen) as Array<keyof ConnectorEvents>) {
    events.on(name, (e) => void (seen[name] as unknown[]).push(e));
  }
  const upstream = createFakeConnector(raw);
  const connector = withResilience(upstream, { ...defaultPolicy, retry: null, breaker: null, ...policy }, { clock, events });
  return { clock, events, seen, upstream, connector };
}

const statusOf = (result: BatchResult, key: string) => {
  const r = result.get(key);
  return r?.status === 'ok' ? r.value : r?.status === 'error' ? r.error.code : r?.status;
};

describe('withResilience: load', () => {
  it('splits a batch into chunks of maxBatchSize; a failing chunk fails only its own keys', async () => {
    const { upstream, connector, seen } = setup({
      entities: [{ name: 'Contact', maxBatchSize: 2 }],
      load: async (entity, keys) => {
        if (keys.includes('c')) throw connErr.CONN_ERR_REJECTED('connector "crm": HTTP 400');
        return answer(entity, keys);
      },
    });
    const result = await connector.load('Contact', ['a', 'b', 'c', 'd', 'e'], ctxFor());
    expect(upstream.loads.map((l) => l.keys)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(['a', 'b', 'c', 'd', 'e'].map((k) => statusOf(result, k))).toEqual([
      'Contact:a',
      'Contact:b',
      'CONN_ERR_REJECTED',
      'CONN_ERR_REJECTED',
      'Contact:e',
    ]);
    expect([...result.keys()]).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(seen['connector.request'].map((e) => [e.outcome, e.batchSize, e.code])).toEqual([
      ['success', 2, undefined],
      ['error', 2, 'CONN_ERR_REJECTED'],
      ['success', 1, undefined],
    ]);
  });

  it('runs the chunks in parallel', async () => {
    const held = deferred<void>();
    const { upstream, connector } = setup({
      entities: [{ name: 'Contact', maxBatchSize: 1 }],
      load: async (entity, keys) => (await held.promise, answer(entity, keys)),
    });
    const pending = connector.load('Contact', ['a', 'b', 'c'], ctxFor());
    await new Promise((resolve) => setImmediate(resolve));
    expect(upstream.loads).toHaveLength(3);
    held.resolve();
    expect((await pending).size).toBe(3);
  });

  it('rejects an unknown entity, naming the ones the connector has', async () => {
    const { connector } = setup({ entities: [{ name: 'Contact' }, { name: 'Order' }] });
    const error = await connector.load('Contcat', ['a'], ctxFor()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_UNKNOWN_ENTITY.is(error)).toBe(true);
    expect((error as Error).message).toBe('connector "crm" has no entity "Contcat"; it has "Contact", "Order"');
  });

  it('times an attempt out: the signal the adapter got aborts, the keys carry CONN_ERR_TIMEOUT', async () => {
    const { clock, upstream, connector, seen } = setup({ load: () => new Promise<BatchResult>(() => {}) }, { timeoutMs: 500 });
    const pending = connector.load('Contact', ['a'], ctxFor());
    await clock.advanceAsync(500);
    const result = await pending;
    expect(statusOf(result, 'a')).toBe('CONN_ERR_TIMEOUT');
    expect(upstream.loads[0]?.ctx.signal.aborted).toBe(true);
    const error = result.get('a');
    expect(error?.status === 'error' && error.error.message).toBe(
      'connector "crm": no answer within 500 ms to the load of Contact (1 key); the request was cancelled',
    );
    expect(seen['connector.request']).toEqual([
      { connector: 'crm', kind: 'load', operation: 'Contact', outcome: 'timeout', code: 'CONN_ERR_TIMEOUT', durationMs: 500, batchSize: 1, attempt: 1 },
    ]);
  });

  it('retries a retriable chunk failure and reports each attempt and retry', async () => {
    let calls = 0;
    const { clock, connector, seen } = setup(
      {
        load: async (entity, keys) => {
          if (++calls < 3) throw unavailable();
          return answer(entity, keys);
        },
      },
      { retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 1000 } },
    );
    const pending = connector.load('Contact', ['a'], ctxFor());
    await clock.advanceAsync(1000);
    expect(statusOf(await pending, 'a')).toBe('Contact:a');
    expect(seen['connector.request'].map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'success'],
    ]);
    expect(seen['connector.retry'].map((e) => [e.attempt, e.code])).toEqual([
      [2, 'CONN_ERR_UNAVAILABLE'],
      [3, 'CONN_ERR_UNAVAILABLE'],
    ]);
  });

  it('fails fast with CONN_ERR_CIRCUIT_OPEN per key once the breaker opened, without calling upstream', async () => {
    const { upstream, connector, seen } = setup(
      { load: async () => Promise.reject(unavailable()) },
      { breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 10, rollingCountTimeoutMs: 10_000 } },
    );
    const results: BatchResult[] = [];
    for (let i = 0; i < 20; i++) results.push(await connector.load('Contact', [`k${i}`], ctxFor()));
    expect(upstream.loads).toHaveLength(10);
    expect(statusOf(results[19] as BatchResult, 'k19')).toBe('CONN_ERR_CIRCUIT_OPEN');
    expect(seen['connector.breaker']).toEqual([{ connector: 'crm', state: 'open' }]);
    expect(seen['connector.request'].filter((e) => e.outcome === 'circuit_open')).toHaveLength(10);
    await connector.close();
    expect(upstream.closed).toBe(true);
  });

  it('gives CONN_ERR_OVERLOADED to the keys that found the queue full', async () => {
    const held = deferred<void>();
    const { connector, seen } = setup(
      { load: async (entity, keys) => (await held.promise, answer(entity, keys)) },
      { concurrency: { maxInFlight: 1, maxQueue: 1 } },
    );
    const loads = ['a', 'b', 'c'].map((k) => connector.load('Contact', [k], ctxFor()));
    const overloaded = await loads[2];
    expect(statusOf(overloaded as BatchResult, 'c')).toBe('CONN_ERR_OVERLOADED');
    held.resolve();
    const [a, b] = await Promise.all(loads.slice(0, 2));
    expect([statusOf(a as BatchResult, 'a'), statusOf(b as BatchResult, 'b')]).toEqual(['Contact:a', 'Contact:b']);
    expect(seen['connector.request'].map((e) => e.outcome).sort()).toEqual(['overloaded', 'success', 'success']);
  });

  it('shares one upstream call among 1,000 concurrent identical loads, and serves the next from the cache', async () => {
    const held = deferred<void>();
    const { upstream, connector, seen } = setup(
      { load: async (entity, keys) => (await held.promise, answer(entity, keys)) },
      { cache: { ttlMs: 60_000, notFoundTtlMs: 5_000, maxEntries: 100 } },
    );
    const loads = Array.from({ length: 1000 }, () => connector.load('Contact', ['C1'], ctxFor()));
    await new Promise((resolve) => setImmediate(resolve));
    held.resolve();
    const results = await Promise.all(loads);
    expect(upstream.loads).toHaveLength(1);
    expect(results.every((r) => statusOf(r, 'C1') === 'Contact:C1')).toBe(true);
    expect(seen['connector.singleflight'].reduce((n, e) => n + e.shared, 0)).toBe(999);

    const again = await connector.load('Contact', ['C1'], ctxFor());
    expect(statusOf(again, 'C1')).toBe('Contact:C1');
    expect(upstream.loads).toHaveLength(1);
    expect(seen['connector.cache'].at(-1)).toEqual({ connector: 'crm', entity: 'Contact', hits: 1, misses: 0 });
  });

  it('reports a key the adapter left out as CONN_ERR_MALFORMED_RESPONSE and an adapter bug as COMMON_ERR_UNEXPECTED', async () => {
    const { connector } = setup({
      load: async (entity, keys) => {
        if (keys.includes('boom')) throw new TypeError("Cannot read properties of undefined (reading 'id')");
        return answer(entity, keys.filter((k) => k !== 'lost'));
      },
      entities: [{ name: 'Contact', maxBatchSize: 2 }],
    });
    const result = await connector.load('Contact', ['ok', 'lost', 'boom'], ctxFor());
    expect(['ok', 'lost', 'boom'].map((k) => statusOf(result, k))).toEqual(['Contact:ok', 'CONN_ERR_MALFORMED_RESPONSE', 'COMMON_ERR_UNEXPECTED']);
    const boom = result.get('boom');
    expect(boom?.status === 'error' && boom.error.message).not.toContain('Cannot read');
  });

  it("gives CONN_ERR_ABORTED to every key when the caller gives up, and cancels the adapter's request", async () => {
    const { upstream, connector, seen } = setup({ load: () => new Promise<BatchResult>(() => {}) });
    const caller = new AbortController();
    const pending = connector.load('Contact', ['a', 'b'], ctxFor('acme', caller.signal));
    await new Promise((resolve) => setImmediate(resolve));
    caller.abort();
    const result = await pending;
    expect([statusOf(result, 'a'), statusOf(result, 'b')]).toEqual(['CONN_ERR_ABORTED', 'CONN_ERR_ABORTED']);
    expect(upstream.loads[0]?.ctx.signal.aborted).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen['connector.request'].map((e) => e.outcome)).toEqual(['aborted']);
  });

  it('answers an empty batch without going upstream and asks for a repeated key once', async () => {
    const { upstream, connector } = setup({});
    expect((await connector.load('Contact', [], ctxFor())).size).toBe(0);
    const result = await connector.load('Contact', ['a', 'a'], ctxFor());
    expect(upstream.loads.map((l) => l.keys)).toEqual([['a']]);
    expect([...result.keys()]).toEqual(['a']);
  });
});

describe('withResilience: call and check', () => {
  const retry = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 };

  it('retries an idempotent command', async () => {
    let calls = 0;
    const { clock, connector } = setup(
      {
        commands: [{ name: 'GetBalance', idempotent: true }],
        call: async () => {
          if (++calls < 2) throw unavailable();
          return { balance: 42 };
        },
      },
      { retry },
    );
    const pending = connector.call('GetBalance', { id: 'C1' }, ctxFor());
    await clock.advanceAsync(100);
    await expect(pending).resolves.toEqual({ balance: 42 });
    expect(calls).toBe(2);
  });

  it('never retries a command that is not idempotent, even on a retriable error', async () => {
    const { upstream, connector, seen } = setup(
      { commands: [{ name: 'RefundOrder', idempotent: false }], call: async () => Promise.reject(unavailable()) },
      { retry },
    );
    await expect(connector.call('RefundOrder', { orderId: 'O1' }, ctxFor())).rejects.toSatisfy((e) => connErr.CONN_ERR_UNAVAILABLE.is(e));
    expect(upstream.calls).toHaveLength(1);
    expect(seen['connector.retry']).toHaveLength(0);
    expect(seen['connector.request'].map((e) => [e.kind, e.operation, e.outcome])).toEqual([['call', 'RefundOrder', 'error']]);
  });

  it('rejects an unknown command, naming the ones the connector has', async () => {
    const { connector } = setup({ commands: [{ name: 'RefundOrder', idempotent: false }] });
    await expect(connector.call('Refund', {}, ctxFor())).rejects.toThrow('connector "crm" has no command "Refund"; it has "RefundOrder"');
  });

  it('bounds the reachability check by the timeout', async () => {
    let seenSignal: AbortSignal | undefined;
    const { clock, connector } = setup({ check: (signal) => ((seenSignal = signal), new Promise<void>(() => {})) }, { timeoutMs: 200 });
    const pending = connector.check(new AbortController().signal).catch((e: unknown) => e);
    clock.advance(200);
    expect(connErr.CONN_ERR_TIMEOUT.is(await pending)).toBe(true);
    expect(seenSignal?.aborted).toBe(true);
  });
});
