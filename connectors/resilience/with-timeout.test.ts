import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import { connErr } from '../error-catalogue.ts';
import { deferred } from './test-fakes.ts';
import { withTimeout } from './with-timeout.ts';

const timeoutError = (input: string) => connErr.CONN_ERR_TIMEOUT(`connector "crm": no answer within 100 ms to ${input}`);

describe('withTimeout', () => {
  it('aborts the signal passed down when the budget runs out and rejects with the timeout error', async () => {
    const clock = createFakeClock();
    let seen: AbortSignal | undefined;
    // Ignores its signal entirely: the decorator must still settle on time.
    const timed = withTimeout((_: string, signal) => ((seen = signal), new Promise<string>(() => {})), { ms: 100, clock, onTimeout: timeoutError });
    const outcome = timed('load Contact', new AbortController().signal).catch((e: unknown) => e);

    clock.advance(99);
    expect(seen?.aborted).toBe(false);
    clock.advance(1);
    const error = await outcome;
    expect(connErr.CONN_ERR_TIMEOUT.is(error)).toBe(true);
    expect((error as Error).message).toBe('connector "crm": no answer within 100 ms to load Contact');
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it("passes the caller's abort down at once, rejects with the caller's reason and clears its timer", async () => {
    const clock = createFakeClock();
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const timed = withTimeout((_: string, signal) => ((seen = signal), new Promise<string>(() => {})), { ms: 100, clock, onTimeout: timeoutError });
    const outcome = timed('x', caller.signal).catch((e: unknown) => e);
    expect(clock.pendingTimers()).toBe(1);

    const reason = new Error('client went away');
    caller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves with the answer, leaving no timer and no listener on the caller signal', async () => {
    const clock = createFakeClock();
    const caller = new AbortController();
    const timed = withTimeout(async (input: string) => `hello ${input}`, { ms: 100, clock, onTimeout: timeoutError });
    await expect(timed('ada', caller.signal)).resolves.toBe('hello ada');
    expect(clock.pendingTimers()).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('passes through a failure of the function unchanged', async () => {
    const clock = createFakeClock();
    const failure = connErr.CONN_ERR_UNAVAILABLE('connector "crm": ECONNREFUSED');
    const timed = withTimeout(async () => Promise.reject(failure), { ms: 100, clock, onTimeout: timeoutError });
    await expect(timed('x', new AbortController().signal)).rejects.toBe(failure);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('does not call the function when the caller has already given up', async () => {
    const clock = createFakeClock();
    const caller = new AbortController();
    caller.abort(new Error('gone'));
    let called = false;
    const timed = withTimeout(async () => ((called = true), 'x'), { ms: 100, clock, onTimeout: timeoutError });
    await expect(timed('x', caller.signal)).rejects.toThrow('gone');
    expect(called).toBe(false);
  });

  it('drops an answer that arrives after the timeout', async () => {
    const clock = createFakeClock();
    const late = deferred<string>();
    const timed = withTimeout(() => late.promise, { ms: 100, clock, onTimeout: timeoutError });
    const outcome = timed('x', new AbortController().signal).catch((e: unknown) => e);
    clock.advance(100);
    late.reject(new Error('socket closed after abort')); // must not surface as an unhandled rejection
    expect(connErr.CONN_ERR_TIMEOUT.is(await outcome)).toBe(true);
  });

  it('refuses a budget that is not a positive number', () => {
    const clock = createFakeClock();
    expect(() => withTimeout(async () => 1, { ms: 0, clock, onTimeout: timeoutError })).toThrow(
      'withTimeout: ms must be a finite number >= 1, but got 0',
    );
  });
});
