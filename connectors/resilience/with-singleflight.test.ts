import { describe, expect, it } from 'vitest';
import type { BatchResult, CallContext } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { answer, ctxFor, deferred, type Deferred } from './test-fakes.ts';
import { withSingleflight, type SharedInfo } from './with-singleflight.ts';

// An upstream that records each call and holds its answer until the test releases it.
function heldUpstream() {
  const calls: Array<{ entity: string; keys: readonly string[]; ctx: CallContext; answer: Deferred<BatchResult> }> = [];
  const load = (entity: string, keys: readonly string[], ctx: CallContext) => {
    const held = deferred<BatchResult>();
    calls.push({ entity, keys: [...keys], ctx, answer: held });
    return held.promise;
  };
  const release = (i: number) => {
    const call = calls[i];
    if (!call) throw new Error(`no upstream call #${i}`);
    call.answer.resolve(answer(call.entity, call.keys));
  };
  return { calls, load, release };
}

const valueOf = (result: BatchResult, key: string) => {
  const r = result.get(key);
  return r?.status === 'ok' ? r.value : r?.status === 'error' ? r.error.code : r?.status;
};

describe('withSingleflight', () => {
  it('turns 1,000 concurrent loads of one key into one upstream call', async () => {
    const upstream = heldUpstream();
    const shared: SharedInfo[] = [];
    const load = withSingleflight(upstream.load, { connector: 'crm', onShared: (info) => shared.push(info) });
    const results = Array.from({ length: 1000 }, () => load('Contact', ['C1'], ctxFor()));
    expect(upstream.calls).toHaveLength(1);
    upstream.release(0);
    const answers = await Promise.all(results);
    expect(answers.every((r) => valueOf(r, 'C1') === 'Contact:C1')).toBe(true);
    expect(shared.reduce((n, s) => n + s.shared, 0)).toBe(999);
    expect(shared[0]).toEqual({ entity: 'Contact', tenant: 'acme', shared: 0, requested: 1 });
  });

  it('lets overlapping batches share the keys already in flight and fetch only the rest', async () => {
    const upstream = heldUpstream();
    const load = withSingleflight(upstream.load, { connector: 'crm' });
    const first = load('Contact', ['a', 'b'], ctxFor());
    const second = load('Contact', ['b', 'c'], ctxFor());
    expect(upstream.calls.map((c) => c.keys)).toEqual([['a', 'b'], ['c']]);
    upstream.release(1);
    upstream.release(0);
    const [r1, r2] = await Promise.all([first, second]);
    expect([...r1.keys()]).toEqual(['a', 'b']);
    expect([...r2.keys()]).toEqual(['b', 'c']);
    expect(valueOf(r2, 'b')).toBe('Contact:b');
    expect(valueOf(r2, 'c')).toBe('Contact:c');
  });

  it('never shares across tenants or entities, and does not keep answers once they arrived', async () => {
    const upstream = heldUpstream();
    const load = withSingleflight(upstream.load, { connector: 'crm' });
    const a = load('Contact', ['k'], ctxFor('tenant-a'));
    const b = load('Contact', ['k'], ctxFor('tenant-b'));
    const c = load('Order', ['k'], ctxFor('tenant-a'));
    expect(upstream.calls.map((call) => [call.ctx.tenant, call.entity])).toEqual([
      ['tenant-a', 'Contact'],
      ['tenant-b', 'Contact'],
      ['tenant-a', 'Order'],
    ]);
    [0, 1, 2].forEach(upstream.release);
    await Promise.all([a, b, c]);
    const again = load('Contact', ['k'], ctxFor('tenant-a'));
    expect(upstream.calls).toHaveLength(4);
    upstream.release(3);
    expect(valueOf(await again, 'k')).toBe('Contact:k');
  });

  it('runs the shared request on its own signal: one caller giving up gets ABORTED at once and the others still get the answer', async () => {
    const upstream = heldUpstream();
    const load = withSingleflight(upstream.load, { connector: 'crm' });
    const quitter = new AbortController();
    const first = load('Contact', ['k'], ctxFor('acme', quitter.signal));
    const second = load('Contact', ['k'], ctxFor());
    const upstreamSignal = upstream.calls[0]?.ctx.signal;
    expect(upstreamSignal).not.toBe(quitter.signal);

    quitter.abort(new Error('client went away'));
    expect(valueOf(await first, 'k')).toBe('CONN_ERR_ABORTED');
    expect(upstreamSignal?.aborted).toBe(false);
    upstream.release(0);
    expect(valueOf(await second, 'k')).toBe('Contact:k');
  });

  it('cancels the upstream request when every caller has given up, and the next caller starts afresh', async () => {
    const upstream = heldUpstream();
    const load = withSingleflight(upstream.load, { connector: 'crm' });
    const callers = [new AbortController(), new AbortController()];
    const results = callers.map((c) => load('Contact', ['k'], ctxFor('acme', c.signal)));
    const timeout = connErr.CONN_ERR_TIMEOUT('connector "crm": request deadline passed');
    callers[0]?.abort(new Error('gone'));
    expect(upstream.calls[0]?.ctx.signal.aborted).toBe(false);
    callers[1]?.abort(timeout);
    expect(upstream.calls[0]?.ctx.signal.aborted).toBe(true);
    const [r0, r1] = await Promise.all(results);
    expect(valueOf(r0 as BatchResult, 'k')).toBe('CONN_ERR_ABORTED');
    // A CONN error as the abort reason is kept: the caller's own deadline is reported as what it is.
    expect((r1 as BatchResult).get('k')).toEqual({ status: 'error', error: timeout });

    const fresh = load('Contact', ['k'], ctxFor());
    expect(upstream.calls).toHaveLength(2);
    upstream.release(1);
    expect(valueOf(await fresh, 'k')).toBe('Contact:k');
  });

  it('keeps the keys that had already arrived when a caller waiting on several requests gives up', async () => {
    const upstream = heldUpstream();
    const load = withSingleflight(upstream.load, { connector: 'crm' });
    void load('Contact', ['a'], ctxFor());
    const caller = new AbortController();
    const mine = load('Contact', ['a', 'b'], ctxFor('acme', caller.signal));
    upstream.release(0);
    await new Promise((resolve) => setImmediate(resolve));
    caller.abort();
    const result = await mine;
    expect(valueOf(result, 'a')).toBe('Contact:a');
    expect(valueOf(result, 'b')).toBe('CONN_ERR_ABORTED');
  });

  it('answers an already aborted caller without going upstream', async () => {
    const upstream = heldUpstream();
    const load = withSingleflight(upstream.load, { connector: 'crm' });
    const caller = new AbortController();
    caller.abort();
    const result = await load('Contact', ['a', 'b'], ctxFor('acme', caller.signal));
    expect([valueOf(result, 'a'), valueOf(result, 'b')]).toEqual(['CONN_ERR_ABORTED', 'CONN_ERR_ABORTED']);
    expect(upstream.calls).toHaveLength(0);
  });

  it('shares a rejection with every caller of the request, and reports keys the answer left out', async () => {
    const upstream = heldUpstream();
    const load = withSingleflight(upstream.load, { connector: 'crm' });
    const bug = new TypeError('adapter bug');
    const both = [load('Contact', ['k'], ctxFor()), load('Contact', ['k'], ctxFor())];
    upstream.calls[0]?.answer.reject(bug);
    await expect(Promise.all(both)).rejects.toBe(bug);

    const partial = load('Contact', ['x', 'y'], ctxFor());
    upstream.calls[1]?.answer.resolve(answer('Contact', ['x']));
    const result = await partial;
    expect(valueOf(result, 'y')).toBe('CONN_ERR_MALFORMED_RESPONSE');
  });
});
