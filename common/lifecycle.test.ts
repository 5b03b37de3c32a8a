import { describe, expect, it, vi } from 'vitest';
import { createFakeClock } from './clock.ts';
import { commonErrors } from './error-catalogue.ts';
import { createLifecycle } from './lifecycle.ts';

const setup = (timeoutMs = 5000) => {
  const clock = createFakeClock(0);
  const log = { info: vi.fn(), error: vi.fn() };
  const lifecycle = createLifecycle({ clock, log, timeoutMs });
  return { clock, log, lifecycle };
};

describe('createLifecycle', () => {
  it('closes resources newest first and reports them in closing order', async () => {
    const { lifecycle } = setup();
    const order: string[] = [];
    for (const name of ['store', 'consumer', 'server']) lifecycle.add(name, () => void order.push(name));
    const report = await lifecycle.close();
    expect(order).toEqual(['server', 'consumer', 'store']);
    expect(report).toEqual({ ok: true, closed: ['server', 'consumer', 'store'], failures: [] });
  });

  it('waits for each close before starting the next (a store must outlive the consumer writing to it)', async () => {
    const { clock, lifecycle } = setup();
    const events: string[] = [];
    lifecycle.add('store', () => void events.push(`store closed at ${clock.now()}`));
    lifecycle.add('consumer', async () => {
      await clock.sleep(300);
      events.push(`consumer committed at ${clock.now()}`);
    });
    const closing = lifecycle.close();
    await clock.advanceAsync(300);
    await closing;
    expect(events).toEqual(['consumer committed at 300', 'store closed at 300']);
  });

  it('keeps closing after failures and reports each one by name', async () => {
    const { lifecycle, log } = setup();
    const syncError = new Error('pool already ended');
    const asyncError = new Error('redis QUIT failed');
    const closedStore = vi.fn();
    lifecycle.add('store', closedStore);
    lifecycle.add('redis', async () => {
      throw asyncError;
    });
    lifecycle.add('pool', () => {
      throw syncError;
    });
    const report = await lifecycle.close();
    expect(closedStore).toHaveBeenCalledTimes(1);
    expect(report.ok).toBe(false);
    expect(report.closed).toEqual(['store']);
    expect(report.failures).toEqual([
      { name: 'pool', error: syncError },
      { name: 'redis', error: asyncError },
    ]);
    expect(log.error).toHaveBeenCalledWith(
      { err: syncError, resource: 'pool', durationMs: 0 },
      'resource failed to close',
    );
  });

  it('gives up on a resource after its time budget, aborts its signal, and moves on', async () => {
    const { clock, lifecycle } = setup(5000);
    let signal: AbortSignal | undefined;
    const closedStore = vi.fn();
    lifecycle.add('store', closedStore);
    lifecycle.add('stuck consumer', (s) => {
      signal = s;
      return new Promise<void>(() => {});
    });
    const closing = lifecycle.close();
    await clock.advanceAsync(4999);
    expect(closedStore).not.toHaveBeenCalled();
    expect(signal?.aborted).toBe(false);
    await clock.advanceAsync(1);
    const report = await closing;
    expect(closedStore).toHaveBeenCalledTimes(1);
    expect(signal?.aborted).toBe(true);
    const failure = report.failures[0];
    expect(failure?.name).toBe('stuck consumer');
    expect(commonErrors.errors.COMMON_ERR_TIMEOUT.is(failure?.error)).toBe(true);
    expect((failure?.error as Error).message).toBe(
      'lifecycle: "stuck consumer" did not close within 5000 ms; moved on to the next resource',
    );
    expect(signal?.reason).toBe(failure?.error);
  });

  it('uses a per-resource budget when one is given', async () => {
    const { clock, lifecycle } = setup(5000);
    lifecycle.add('slow but allowed', () => clock.sleep(8000), { timeoutMs: 10_000 });
    const closing = lifecycle.close();
    await clock.advanceAsync(8000);
    expect(await closing).toEqual({ ok: true, closed: ['slow but allowed'], failures: [] });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('does not leave an unhandled rejection when a timed-out close fails later', async () => {
    const { clock, lifecycle } = setup(100);
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      lifecycle.add('late', async () => {
        await clock.sleep(500);
        throw new Error('failed after the budget');
      });
      const closing = lifecycle.close();
      await clock.advanceAsync(100);
      expect((await closing).failures).toHaveLength(1);
      await clock.advanceAsync(400);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('logs each closed resource with how long it took', async () => {
    const { clock, lifecycle, log } = setup();
    lifecycle.add('kafka consumer', () => clock.sleep(250));
    const closing = lifecycle.close();
    await clock.advanceAsync(250);
    await closing;
    expect(log.info).toHaveBeenCalledWith({ resource: 'kafka consumer', durationMs: 250 }, 'resource closed');
  });

  it('closing twice is a no-op that returns the same promise', async () => {
    const { lifecycle } = setup();
    const close = vi.fn();
    lifecycle.add('server', close);
    const first = lifecycle.close();
    const second = lifecycle.close();
    expect(second).toBe(first);
    await first;
    expect(lifecycle.close()).toBe(first);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('moves open -> closing -> closed and aborts its signal when closing starts', async () => {
    const { clock, lifecycle } = setup();
    lifecycle.add('server', () => clock.sleep(10));
    expect(lifecycle.state).toBe('open');
    expect(lifecycle.signal.aborted).toBe(false);
    const closing = lifecycle.close();
    expect(lifecycle.state).toBe('closing');
    expect(lifecycle.signal.aborted).toBe(true);
    await clock.advanceAsync(10);
    await closing;
    expect(lifecycle.state).toBe('closed');
  });

  it('refuses add() once closing has started, with COMMON_ERR_CLOSED naming the resource', async () => {
    const { clock, lifecycle } = setup();
    lifecycle.add('server', () => clock.sleep(10));
    const closing = lifecycle.close();
    expect(() => lifecycle.add('late pool', () => {})).toThrow(
      'lifecycle: cannot add "late pool" because shutdown has already started (state "closing"). ' +
        'Close "late pool" directly, or register it before close() is called.',
    );
    await clock.advanceAsync(10);
    await closing;
    let caught: unknown;
    try {
      lifecycle.add('later pool', () => {});
    } catch (err) {
      caught = err;
    }
    expect(commonErrors.errors.COMMON_ERR_CLOSED.is(caught)).toBe(true);
    expect((caught as Error).message).toContain('(state "closed")');
  });

  it('does not close a resource that unregistered itself', async () => {
    const { lifecycle } = setup();
    const close = vi.fn();
    const remove = lifecycle.add('ws connection 17', close);
    lifecycle.add('server', () => {});
    remove();
    remove();
    const report = await lifecycle.close();
    expect(close).not.toHaveBeenCalled();
    expect(report.closed).toEqual(['server']);
  });

  it('lets a resource unregister another that has not been closed yet, during shutdown', async () => {
    const { lifecycle } = setup();
    const connectionClose = vi.fn();
    const removeConnection = lifecycle.add('ws connection', connectionClose);
    lifecycle.add('server', () => removeConnection());
    const report = await lifecycle.close();
    expect(connectionClose).not.toHaveBeenCalled();
    expect(report.closed).toEqual(['server']);
  });

  it('rejects invalid time budgets and close functions with a message naming the fix', () => {
    expect(() => createLifecycle({ timeoutMs: 0 })).toThrow(
      'lifecycle: timeoutMs must be a positive number of milliseconds, but got 0',
    );
    const { lifecycle } = setup();
    expect(() => lifecycle.add('redis', () => {}, { timeoutMs: Number.NaN })).toThrow(
      'lifecycle: "redis": timeoutMs must be a positive number of milliseconds, but got NaN',
    );
    expect(() => lifecycle.add('redis', 'quit' as unknown as () => void)).toThrow(
      'lifecycle: close for "redis" must be a function, but got string',
    );
  });

  it('closes with nothing registered', async () => {
    const { lifecycle } = setup();
    expect(await lifecycle.close()).toEqual({ ok: true, closed: [], failures: [] });
  });
});
