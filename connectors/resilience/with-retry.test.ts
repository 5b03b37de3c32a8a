import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import { connErr } from '../error-catalogue.ts';
import { backoffCapMs, withRetry, type RetryInfo } from './with-retry.ts';

const unavailable = () => connErr.CONN_ERR_UNAVAILABLE('connector "crm": HTTP 503');
const signal = () => new AbortController().signal;

describe('withRetry', () => {
  it('retries a retriable error until maxAttempts, sleeping the jittered backoff between attempts', async () => {
    const clock = createFakeClock();
    const started: number[] = [];
    const retries: Array<RetryInfo<string>> = [];
    const retrying = withRetry(
      async (_input: string) => {
        started.push(clock.monotonicMs());
        throw unavailable();
      },
      { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 1000, clock, random: () => 0.5, onRetry: (info) => retries.push(info) },
    );
    const outcome = retrying('load', signal()).catch((e: unknown) => e);
    await clock.advanceAsync(1000);

    expect(connErr.CONN_ERR_UNAVAILABLE.is(await outcome)).toBe(true);
    // Full jitter at random = 0.5: half of the cap, 50 ms then 100 ms.
    expect(started).toEqual([0, 25, 75]);
    expect(retries.map(({ attempt, delayMs }) => ({ attempt, delayMs }))).toEqual([
      { attempt: 2, delayMs: 25 },
      { attempt: 3, delayMs: 50 },
    ]);
    expect(retries[0]?.input).toBe('load');
  });

  it('returns the first success', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const retrying = withRetry(
      async () => {
        if (++calls < 3) throw unavailable();
        return 'answer';
      },
      { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100, clock, random: () => 0 },
    );
    const outcome = retrying('x', signal());
    await clock.advanceAsync(0);
    await expect(outcome).resolves.toBe('answer');
    expect(calls).toBe(3);
  });

  it('doubles the backoff cap per retry up to maxDelayMs', () => {
    expect([2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffCapMs(attempt, 50, 1000))).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps every jittered delay within [0, cap)', async () => {
    const clock = createFakeClock();
    const delays: Array<{ attempt: number; delayMs: number }> = [];
    const retrying = withRetry(
      async () => {
        throw unavailable();
      },
      { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 1000, clock, onRetry: ({ attempt, delayMs }) => delays.push({ attempt, delayMs }) },
    );
    for (let run = 0; run < 50; run++) {
      const outcome = retrying('x', signal()).catch(() => undefined);
      await clock.advanceAsync(10_000);
      await outcome;
    }
    expect(delays).toHaveLength(50 * 7);
    for (const { attempt, delayMs } of delays) {
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(backoffCapMs(attempt, 50, 1000));
    }
    // Jitter really varies: the delays before the last attempt are not all the same.
    expect(new Set(delays.filter((d) => d.attempt === 8).map((d) => d.delayMs)).size).toBeGreaterThan(10);
  });

  it('does not retry an error that is not retriable', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const rejected = connErr.CONN_ERR_REJECTED('connector "crm": HTTP 400');
    const retrying = withRetry(
      async () => {
        calls++;
        throw rejected;
      },
      { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, clock },
    );
    await expect(retrying('x', signal())).rejects.toBe(rejected);
    expect(calls).toBe(1);
  });

  it('does not retry unknown errors by default, but follows isRetriable when given', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const fn = async () => {
      calls++;
      throw new Error('ECONNRESET');
    };
    await expect(withRetry(fn, { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0, clock })('x', signal())).rejects.toThrow('ECONNRESET');
    expect(calls).toBe(1);
    const custom = withRetry(fn, { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0, clock, isRetriable: () => true });
    const outcome = custom('x', signal()).catch((e: unknown) => e);
    await clock.advanceAsync(0);
    await outcome;
    expect(calls).toBe(4);
  });

  it('does not retry once the caller has aborted', async () => {
    const clock = createFakeClock();
    const caller = new AbortController();
    let calls = 0;
    const retrying = withRetry(
      async () => {
        calls++;
        caller.abort(new Error('deadline'));
        throw unavailable();
      },
      { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, clock },
    );
    await expect(retrying('x', caller.signal)).rejects.toSatisfy((e) => connErr.CONN_ERR_UNAVAILABLE.is(e));
    expect(calls).toBe(1);
  });

  it("stops sleeping the moment the caller aborts and rejects with the caller's reason", async () => {
    const clock = createFakeClock();
    const caller = new AbortController();
    let calls = 0;
    const retrying = withRetry(
      async () => {
        calls++;
        throw unavailable();
      },
      { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000, clock, random: () => 0.99 },
    );
    const outcome = retrying('x', caller.signal).catch((e: unknown) => e);
    await clock.advanceAsync(10); // inside the 990 ms backoff
    expect(clock.pendingTimers()).toBe(1);
    const reason = new Error('client went away');
    caller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advanceAsync(5000);
    expect(calls).toBe(1);
  });

  it('refuses nonsense options with a message naming the option', () => {
    const clock = createFakeClock();
    expect(() => withRetry(async () => 1, { maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1, clock })).toThrow(
      'withRetry: maxAttempts must be an integer >= 1, but got 0',
    );
    expect(() => withRetry(async () => 1, { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 10, clock })).toThrow(
      'withRetry: maxDelayMs must be a finite number >= 100, but got 10',
    );
  });
});
