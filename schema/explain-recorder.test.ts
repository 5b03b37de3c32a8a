import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../common/clock.ts';
import { createExplainRecorder } from './explain-recorder.ts';

describe('createExplainRecorder', () => {
  it('sums attempts, batch sizes, cache lookups, singleflight joins and failures per source', () => {
    const clock = createFakeClock(1_000);
    const recorder = createExplainRecorder(clock);
    recorder.observe({ type: 'cache', connector: 'crm', entity: 'contact', hits: 2, misses: 3 });
    recorder.observe({ type: 'singleflight', connector: 'crm', entity: 'contact', shared: 1, requested: 3 });
    recorder.observe({ type: 'attempt', connector: 'crm', kind: 'load', operation: 'contact', batchSize: 2, attempt: 1, durationMs: 12.34, outcome: 'success' });
    recorder.observe({ type: 'attempt', connector: 'wms', kind: 'load', operation: 'shipmentsByOrder', batchSize: 40, attempt: 1, durationMs: 300, outcome: 'timeout', code: 'CONN_ERR_TIMEOUT' });
    recorder.observe({ type: 'attempt', connector: 'wms', kind: 'load', operation: 'shipmentsByOrder', batchSize: 40, attempt: 2, durationMs: 5, outcome: 'success' });
    recorder.observe({ type: 'attempt', connector: 'shop', kind: 'call', operation: 'refundOrder', batchSize: 1, attempt: 1, durationMs: 8, outcome: 'success' });
    clock.advance(321);
    expect(recorder.report()).toEqual({
      sources: {
        crm: { mode: 'live', viewReads: 0, operations: ['contact'], calls: 1, batchSizes: [2], cacheHits: 2, cacheMisses: 3, singleflightShared: 1, failures: 0, ms: 12.3 },
        shop: { mode: 'live', viewReads: 0, operations: ['refundOrder'], calls: 1, batchSizes: [1], cacheHits: 0, cacheMisses: 0, singleflightShared: 0, failures: 0, ms: 8 },
        wms: { mode: 'live', viewReads: 0, operations: ['shipmentsByOrder'], calls: 2, batchSizes: [40, 40], cacheHits: 0, cacheMisses: 0, singleflightShared: 0, failures: 1, ms: 305 },
      },
      totalMs: 321,
    });
  });

  it('says per source whether its parts came from views, live reads or both, and sums the view store reads', () => {
    const clock = createFakeClock(0);
    const recorder = createExplainRecorder(clock);
    recorder.recordViewStore(50, 48, 2.26, 'success');
    recorder.recordViewStore(3, 0, 1, 'failure');
    for (const id of ['C1', 'C2', 'C2']) recorder.recordView('helpdesk', id); // a customer counts once per source
    recorder.recordView('crm', 'C1');
    recorder.recordLive('crm', 'contact'); // answered from the request's loader: no connector observation
    recorder.recordView('shop', 'C1');
    recorder.observe({ type: 'attempt', connector: 'shop', kind: 'load', operation: 'ordersByCustomer', batchSize: 2, attempt: 1, durationMs: 4, outcome: 'success' });
    recorder.recordLive('wms', 'shipmentsByOrder');
    const { sources, views } = recorder.report();
    expect(views).toEqual({ reads: 2, batchSizes: [50, 3], found: 48, failures: 1, ms: 3.3 });
    expect(sources.helpdesk).toEqual({ mode: 'view', viewReads: 2, operations: [], calls: 0, batchSizes: [], cacheHits: 0, cacheMisses: 0, singleflightShared: 0, failures: 0, ms: 0 });
    expect(sources.crm).toMatchObject({ mode: 'mixed', viewReads: 1, operations: ['contact'], calls: 0 });
    expect(sources.shop).toMatchObject({ mode: 'mixed', viewReads: 1, calls: 1 });
    expect(sources.wms).toMatchObject({ mode: 'live', viewReads: 0, operations: ['shipmentsByOrder'] });
  });

  it('reports no sources for a request that called none', () => {
    expect(createExplainRecorder(createFakeClock(0)).report()).toEqual({ sources: {}, totalMs: 0 });
  });
});
