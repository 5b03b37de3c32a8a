import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../common/clock.ts';
import { createFreshnessTracker } from './freshness-tracker.ts';

/** Resolves after `hops` promise callbacks: like a resolver chain that maps an answer before loading the next level. */
async function afterHops(hops: number): Promise<void> {
  for (let i = 0; i < hops; i++) await Promise.resolve();
}

describe('createFreshnessTracker', () => {
  it('reports LIVE with the time the first read answered, UNAVAILABLE for a source that failed, sorted by source', async () => {
    const clock = createFakeClock(Date.parse('2026-11-01T12:00:00.000Z'));
    const tracker = createFreshnessTracker(clock);
    await tracker.track('shop', Promise.resolve('orders'));
    clock.advance(250);
    await tracker.track('shop', Promise.resolve('same orders again'));
    await tracker.track('crm', Promise.resolve(null)); // "not found" is still an answer from the source
    await expect(tracker.track('wms', Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await tracker.report()).toEqual([
      { source: 'crm', mode: 'LIVE', asOf: '2026-11-01T12:00:00.250Z', lagMs: 0 },
      { source: 'shop', mode: 'LIVE', asOf: '2026-11-01T12:00:00.000Z', lagMs: 0 },
      { source: 'wms', mode: 'UNAVAILABLE', asOf: null, lagMs: null },
    ]);
  });

  it('waits for reads started later by resolvers its earlier reads trigger, however many callbacks away', async () => {
    const tracker = createFreshnessTracker(createFakeClock(0));
    // orders answer; some promise callbacks later the shipment resolvers start their own read.
    void tracker.track('shop', afterHops(3)).then(async () => {
      await afterHops(20);
      void tracker.track('wms', afterHops(5));
    });
    const report = await tracker.report();
    expect(report.map((r) => r.source)).toEqual(['shop', 'wms']);
  });

  it('reports a failure of any read of a source, even when another read of it worked', async () => {
    const tracker = createFreshnessTracker(createFakeClock(0));
    await tracker.track('wms', Promise.resolve([]));
    await tracker.track('wms', Promise.reject(new Error('timeout'))).catch(() => {});
    expect(await tracker.report()).toEqual([{ source: 'wms', mode: 'UNAVAILABLE', asOf: null, lagMs: null }]);
  });

  it('reports VIEW with the view part\'s asOf and lag (rounded up), the stalest of several, and lets a failure win', async () => {
    const clock = createFakeClock(Date.parse('2026-11-01T12:00:00.000Z'));
    const tracker = createFreshnessTracker(clock);
    tracker.recordView('crm', { asOfMs: Date.parse('2026-11-01T11:59:59.900Z'), lagMs: 99.2 });
    tracker.recordView('shop', { asOfMs: Date.parse('2026-11-01T11:59:59.950Z'), lagMs: 50 });
    tracker.recordView('shop', { asOfMs: Date.parse('2026-11-01T11:59:59.800Z'), lagMs: 200 });
    tracker.recordView('shop', { asOfMs: Date.parse('2026-11-01T11:59:59.990Z'), lagMs: 10 });
    // Read both ways: the answer holds view data, so the entry says VIEW (it never claims more freshness than all parts have).
    await tracker.track('shop', Promise.resolve([]));
    tracker.recordView('helpdesk', { asOfMs: 0, lagMs: 1 });
    await tracker.track('helpdesk', Promise.reject(new Error('down'))).catch(() => {});
    expect(await tracker.report()).toEqual([
      { source: 'crm', mode: 'VIEW', asOf: '2026-11-01T11:59:59.900Z', lagMs: 100 },
      { source: 'helpdesk', mode: 'UNAVAILABLE', asOf: null, lagMs: null },
      { source: 'shop', mode: 'VIEW', asOf: '2026-11-01T11:59:59.800Z', lagMs: 200 },
    ]);
  });

  it('waits for a held view read and the live read it decides on', async () => {
    // Settling is one microtask here, so only hold() keeps the report from answering before the view read does.
    const tracker = createFreshnessTracker(createFakeClock(0), () => Promise.resolve());
    let answer: (view: null) => void = () => {};
    const viewRead = new Promise<null>((resolve) => (answer = resolve));
    void tracker.hold(viewRead).then(() => void tracker.track('helpdesk', afterHops(3)));
    const report = tracker.report();
    await afterHops(50);
    answer(null);
    expect((await report).map((r) => [r.source, r.mode])).toEqual([['helpdesk', 'LIVE']]);
  });

  it('reports nothing for a customer whose subtree read nothing', async () => {
    expect(await createFreshnessTracker(createFakeClock(0)).report()).toEqual([]);
  });
});
