import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../common/clock.ts';
import { createRequestContext } from './request-context.ts';
import type { CustomerView, CustomerViews, Principal } from './schema-module.ts';

const principal: Principal = { subject: 's', tenant: 'acme', roles: [] };
const view = (customerId: string): CustomerView => ({ customerId, version: 1, contact: { id: customerId }, orders: [], tickets: [], freshness: {} });

function contextOver(read: CustomerViews['read'], signal = new AbortController().signal) {
  const failures: unknown[] = [];
  const calls: Array<{ tenant: string; ids: readonly string[] }> = [];
  const ctx = createRequestContext(
    {
      connectors: new Map(),
      clock: createFakeClock(0),
      views: { read: (tenant, ids, s) => (calls.push({ tenant, ids: [...ids] }), read(tenant, ids, s)) },
      onViewStoreFailure: (err) => failures.push(err),
    },
    principal,
    { signal, explain: true },
  );
  return { ctx, failures, calls };
}

describe('the request context\'s view loader', () => {
  it('reads every id asked in one tick once, for the principal\'s tenant, and matches views by customerId, not position', async () => {
    const { ctx, calls } = contextOver(async (_, ids) => [view('X9'), ...[...ids].reverse().filter((id) => id !== 'C2').map(view)]);
    const answers = await Promise.all(['C1', 'C2', 'C3', 'C1'].map((id) => ctx.view(id)));
    expect(answers.map((v) => v?.customerId ?? null)).toEqual(['C1', null, 'C3', 'C1']);
    expect(calls).toEqual([{ tenant: 'acme', ids: ['C1', 'C2', 'C3'] }]);
    expect(ctx.explain?.report().views).toEqual({ reads: 1, batchSizes: [3], found: 2, failures: 0, ms: 0 });
  });

  it('answers null for every id when the store rejects or answers nonsense, and reports the failure (not when aborted)', async () => {
    const down = contextOver(async () => Promise.reject(new Error('ECONNREFUSED')));
    expect(await Promise.all([down.ctx.view('C1'), down.ctx.view('C2')])).toEqual([null, null]);
    expect(down.failures.map((e) => (e as Error).message)).toEqual(['ECONNREFUSED']);
    expect(down.ctx.explain?.report().views).toMatchObject({ reads: 1, failures: 1 });

    const nonsense = contextOver(async () => ({ C1: view('C1') }) as never);
    expect(await nonsense.ctx.view('C1')).toBeNull();
    expect(String(nonsense.failures[0])).toBe('TypeError: CustomerViews.read should answer an array, but answered object');

    const stop = new AbortController();
    stop.abort();
    const aborted = contextOver(async (_, __, signal) => Promise.reject(signal.reason as Error), stop.signal);
    expect(await aborted.ctx.view('C1')).toBeNull();
    expect(aborted.failures).toEqual([]);
  });

  it('without views, answers null and reads nothing', async () => {
    const ctx = createRequestContext({ connectors: new Map(), clock: createFakeClock(0) }, principal, { signal: new AbortController().signal, explain: false });
    expect(ctx.hasViews).toBe(false);
    expect(await ctx.view('C1')).toBeNull();
  });
});
