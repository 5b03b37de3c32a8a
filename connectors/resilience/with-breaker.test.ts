import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { connErr } from '../error-catalogue.ts';
import { withBreaker, type BreakerControl, type BreakerState } from './with-breaker.ts';
import type { Operation } from './operation.ts';

const options = { name: 'crm', errorThresholdPercentage: 50, resetTimeoutMs: 100, volumeThreshold: 10, rollingCountTimeoutMs: 10_000 };
const unavailable = () => connErr.CONN_ERR_UNAVAILABLE('connector "crm": HTTP 503');
const signal = () => new AbortController().signal;

describe('withBreaker', () => {
  const breakers: BreakerControl[] = [];
  afterEach(() => {
    for (const b of breakers.splice(0)) b.shutdown();
  });

  // An upstream whose answer the test switches; counts the calls that reached it.
  function setup(extra: Partial<typeof options> = {}) {
    const clock = createFakeClock();
    const upstream = { calls: 0, fail: unavailable() as UnicsError | undefined };
    const states: BreakerState[] = [];
    const fn: Operation<string, string> = async (input) => {
      upstream.calls++;
      if (upstream.fail) throw upstream.fail;
      return `ok ${input}`;
    };
    const guarded = withBreaker(fn, { ...options, ...extra, clock, onStateChange: (s) => states.push(s) });
    breakers.push(guarded);
    // n concurrent calls that are all expected to fail; resolves with their errors.
    const expectFailure = () => {
      throw new Error('expected the call to fail');
    };
    const fire = (n: number): Promise<UnicsError[]> =>
      Promise.all(Array.from({ length: n }, () => guarded('x', signal()).then(expectFailure, (e: unknown) => e as UnicsError)));
    return { clock, upstream, states, guarded, fire };
  }

  it('opens under an error storm, then fails fast with CONN_ERR_CIRCUIT_OPEN without calling upstream', async () => {
    const { upstream, states, guarded, fire } = setup();
    const errors: UnicsError[] = [];
    for (let i = 0; i < 20; i++) errors.push(...(await fire(1)));

    expect(upstream.calls).toBe(10); // the volume threshold; then it opened
    expect(errors.slice(0, 10).every((e) => connErr.CONN_ERR_UNAVAILABLE.is(e))).toBe(true);
    expect(errors.slice(10).every((e) => connErr.CONN_ERR_CIRCUIT_OPEN.is(e))).toBe(true);
    expect(guarded.state).toBe('open');
    expect(states).toEqual(['open']);
    const open = errors[19] as UnicsError;
    expect(open.message).toMatch(
      /^connector "crm": the circuit breaker is open after too many upstream failures; it lets a trial call through in \d+ ms \(resetTimeout 100 ms\)$/,
    );
    expect(open.details).toMatchObject({ connector: 'crm', state: 'open' });
  });

  it('goes half-open after resetTimeout and closes after a successful trial', async () => {
    const { upstream, states, guarded, fire } = setup();
    await fire(10);
    expect(guarded.state).toBe('open');
    upstream.fail = undefined;
    // opossum's reset timer is real: wait for it with a deadline.
    await waitFor(() => (guarded.state === 'half_open' ? true : undefined), { timeoutMs: 2000, intervalMs: 10, what: 'half-open' });
    await expect(guarded('trial', signal())).resolves.toBe('ok trial');
    expect(guarded.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('opens again when the half-open trial fails', async () => {
    const { states, guarded, fire } = setup();
    await fire(10);
    await waitFor(() => (guarded.state === 'half_open' ? true : undefined), { timeoutMs: 2000, intervalMs: 10, what: 'half-open' });
    await expect(guarded('trial', signal())).rejects.toSatisfy((e) => connErr.CONN_ERR_UNAVAILABLE.is(e));
    expect(states).toEqual(['open', 'half_open', 'open']);
  });

  it('stays open when the half-open trial is abandoned by its caller', async () => {
    const { upstream, guarded, fire } = setup();
    await fire(10);
    await waitFor(() => (guarded.state === 'half_open' ? true : undefined), { timeoutMs: 2000, intervalMs: 10, what: 'half-open' });
    const caller = new AbortController();
    caller.abort(new Error('client went away'));
    upstream.fail = connErr.CONN_ERR_ABORTED('connector "crm": the caller gave up');
    await expect(guarded('trial', caller.signal)).rejects.toBeDefined();
    expect(guarded.state).toBe('open');
  });

  it.each([
    ['CONN_ERR_REJECTED', () => connErr.CONN_ERR_REJECTED('HTTP 400')],
    ['CONN_ERR_NOT_FOUND', () => connErr.CONN_ERR_NOT_FOUND('HTTP 404')],
    ['CONN_ERR_UNAUTHORIZED', () => connErr.CONN_ERR_UNAUTHORIZED('HTTP 401')],
    ['CONN_ERR_ABORTED', () => connErr.CONN_ERR_ABORTED('caller gave up')],
    ['CONN_ERR_OVERLOADED', () => connErr.CONN_ERR_OVERLOADED('queue full')],
  ])('is not tripped by %s', async (code, make) => {
    const { upstream, guarded, fire } = setup();
    upstream.fail = make();
    const errors = await fire(30);
    expect(errors.every((e) => e.code === code)).toBe(true);
    expect(upstream.calls).toBe(30);
    expect(guarded.state).toBe('closed');
  });

  it('forgets failures once they leave the rolling window (rotated by the clock)', async () => {
    const { clock, upstream, guarded, fire } = setup();
    await fire(9);
    clock.advance(10_000); // the whole window rotates out
    await fire(1);
    expect(guarded.state).toBe('closed');
    expect(upstream.calls).toBe(10);
    await fire(9); // now 10 failures inside the window
    expect(guarded.state).toBe('open');
  });

  it('does not open below the error threshold', async () => {
    const { upstream, guarded } = setup();
    for (let i = 0; i < 40; i++) {
      upstream.fail = i % 3 === 0 ? unavailable() : undefined; // one in three fails
      await guarded('x', signal()).catch(() => undefined);
    }
    expect(guarded.state).toBe('closed');
    expect(upstream.calls).toBe(40);
  });

  it('after shutdown, passes calls straight through and leaves no timer on the clock', async () => {
    const { clock, upstream, guarded, fire } = setup();
    await fire(10);
    guarded.shutdown();
    expect(clock.pendingTimers()).toBe(0);
    upstream.fail = undefined;
    await expect(guarded('x', signal())).resolves.toBe('ok x');
  });
});
