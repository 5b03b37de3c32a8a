import { describe, expect, it } from 'vitest';
import { connErr } from '../error-catalogue.ts';
import { deferred, type Deferred } from './test-fakes.ts';
import { withConcurrencyLimit } from './with-concurrency-limit.ts';

// An upstream that holds every call until the test releases it.
function heldUpstream() {
  const running: Array<{ input: number; answer: Deferred<string> }> = [];
  const started: number[] = [];
  const fn = (input: number) => {
    const answer = deferred<string>();
    running.push({ input, answer });
    started.push(input);
    return answer.promise;
  };
  const finish = (input: number) => running.find((r) => r.input === input)?.answer.resolve(`done ${input}`);
  return { fn, running, started, finish };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const signal = () => new AbortController().signal;

describe('withConcurrencyLimit', () => {
  it('runs at most maxInFlight calls and starts waiters in arrival order as slots free up', async () => {
    const upstream = heldUpstream();
    const limited = withConcurrencyLimit(upstream.fn, { maxInFlight: 2, maxQueue: 10 });
    const results = [1, 2, 3, 4, 5].map((n) => limited(n, signal()));
    expect(upstream.started).toEqual([1, 2]);
    expect(limited.inFlight).toBe(2);
    expect(limited.queued).toBe(3);

    upstream.finish(2);
    await flush();
    expect(upstream.started).toEqual([1, 2, 3]);
    upstream.finish(1);
    upstream.finish(3);
    await flush();
    expect(upstream.started).toEqual([1, 2, 3, 4, 5]);
    upstream.finish(4);
    upstream.finish(5);
    expect(await Promise.all(results)).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    expect(limited.inFlight).toBe(0);
  });

  it('fails fast with CONN_ERR_OVERLOADED when the queue is full', async () => {
    const upstream = heldUpstream();
    const limited = withConcurrencyLimit(upstream.fn, { maxInFlight: 1, maxQueue: 2, name: 'crm' });
    const accepted = [1, 2, 3].map((n) => limited(n, signal()));
    const error = await limited(4, signal()).catch((e: unknown) => e);
    expect(connErr.CONN_ERR_OVERLOADED.is(error)).toBe(true);
    expect((error as Error).message).toBe(
      'connector "crm": the concurrency limit is reached (1 in flight) and the queue is full (2 waiting); ' +
        'try again shortly, or raise concurrency/maxQueue if the upstream can take more',
    );
    expect(upstream.started).toEqual([1]);
    for (const n of [1, 2, 3]) {
      upstream.finish(n);
      await flush();
    }
    expect(await Promise.all(accepted)).toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('takes a waiting call whose signal aborts out of the queue; it never runs', async () => {
    const upstream = heldUpstream();
    const limited = withConcurrencyLimit(upstream.fn, { maxInFlight: 1, maxQueue: 5 });
    const first = limited(1, signal());
    const caller = new AbortController();
    const abandoned = limited(2, caller.signal).catch((e: unknown) => e);
    const third = limited(3, signal());
    expect(limited.queued).toBe(2);

    const reason = new Error('client went away');
    caller.abort(reason);
    expect(await abandoned).toBe(reason);
    expect(limited.queued).toBe(1);

    upstream.finish(1);
    await flush();
    upstream.finish(3);
    await expect(Promise.all([first, third])).resolves.toEqual(['done 1', 'done 3']);
    expect(upstream.started).toEqual([1, 3]);
  });

  it('frees the slot when a call fails', async () => {
    const limited = withConcurrencyLimit(async (n: number) => {
      if (n === 1) throw new Error('boom');
      return n;
    }, { maxInFlight: 1, maxQueue: 0 });
    await expect(limited(1, signal())).rejects.toThrow('boom');
    await expect(limited(2, signal())).resolves.toBe(2);
    expect(limited.inFlight).toBe(0);
  });
});
