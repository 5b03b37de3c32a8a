import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createConnectorEmitter, type ConnectorRequestEvent } from './connector-events.ts';
import { registerConnectorMetrics } from './connector-metrics.ts';

const request = (overrides: Partial<ConnectorRequestEvent> = {}): ConnectorRequestEvent => ({
  connector: 'crm',
  kind: 'load',
  operation: 'Contact',
  outcome: 'success',
  durationMs: 12,
  batchSize: 25,
  attempt: 1,
  ...overrides,
});

// The value of one series in Prometheus text, e.g. line('unics_connector_requests_total{connector="crm",outcome="success"}').
const valueOf = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('registerConnectorMetrics', () => {
  it('maps connector events to the documented series', async () => {
    const events = createConnectorEmitter();
    const registry = new Registry();
    registerConnectorMetrics(events, registry);

    events.emit('connector.request', request());
    events.emit('connector.request', request({ durationMs: 3000 }));
    events.emit('connector.request', request({ outcome: 'timeout', code: 'CONN_ERR_TIMEOUT', durationMs: 3000, batchSize: 1 }));
    events.emit('connector.request', request({ connector: 'shop', kind: 'call', operation: 'RefundOrder', outcome: 'error', code: 'CONN_ERR_REJECTED', batchSize: 1 }));
    events.emit('connector.breaker', { connector: 'crm', state: 'open' });
    events.emit('connector.breaker', { connector: 'crm', state: 'half_open' });
    events.emit('connector.cache', { connector: 'crm', entity: 'Contact', hits: 3, misses: 2 });
    events.emit('connector.cache', { connector: 'crm', entity: 'Contact', hits: 1, misses: 0 });
    events.emit('connector.singleflight', { connector: 'crm', entity: 'Contact', shared: 999 });
    events.emit('connector.retry', { connector: 'crm', operation: 'Contact', attempt: 2, delayMs: 40, code: 'CONN_ERR_UNAVAILABLE' });
    events.emit('connector.retry', { connector: 'crm', operation: 'Contact', attempt: 3, delayMs: 80, code: 'CONN_ERR_UNAVAILABLE' });

    const text = await registry.metrics();
    expect(valueOf(text, 'unics_connector_requests_total{connector="crm",outcome="success"}')).toBe(2);
    expect(valueOf(text, 'unics_connector_requests_total{connector="crm",outcome="timeout"}')).toBe(1);
    expect(valueOf(text, 'unics_connector_requests_total{connector="shop",outcome="error"}')).toBe(1);
    expect(valueOf(text, 'unics_connector_duration_seconds_count{connector="crm"}')).toBe(3);
    expect(valueOf(text, 'unics_connector_duration_seconds_bucket{le="0.025",connector="crm"}')).toBe(1);
    expect(valueOf(text, 'unics_connector_duration_seconds_bucket{le="5",connector="crm"}')).toBe(3);
    expect(valueOf(text, 'unics_connector_duration_seconds_sum{connector="crm"}')).toBeCloseTo(6.012);
    // Batch sizes are observed for loads only.
    expect(valueOf(text, 'unics_connector_batch_size_count{connector="crm"}')).toBe(3);
    expect(valueOf(text, 'unics_connector_batch_size_bucket{le="20",connector="crm"}')).toBe(1);
    expect(valueOf(text, 'unics_connector_batch_size_count{connector="shop"}')).toBeUndefined();
    expect(valueOf(text, 'unics_connector_breaker_state{connector="crm"}')).toBe(1);
    expect(valueOf(text, 'unics_connector_breaker_state{connector="shop"}')).toBe(0);
    expect(valueOf(text, 'unics_connector_cache_total{connector="crm",result="hit"}')).toBe(4);
    expect(valueOf(text, 'unics_connector_cache_total{connector="crm",result="miss"}')).toBe(2);
    expect(valueOf(text, 'unics_connector_singleflight_shared_total{connector="crm"}')).toBe(999);
    expect(valueOf(text, 'unics_connector_retries_total{connector="crm"}')).toBe(2);
    expect(text).toContain('# TYPE unics_connector_duration_seconds histogram');
    expect(text).toContain('unics_connector_duration_seconds_bucket{le="0.001",connector="crm"}');
    expect(text).toContain('unics_connector_duration_seconds_bucket{le="10",connector="crm"}');
  });

  it('shows an open breaker as 2 and stops counting once unsubscribed', async () => {
    const events = createConnectorEmitter();
    const registry = new Registry();
    const stop = registerConnectorMetrics(events, registry);
    events.emit('connector.breaker', { connector: 'crm', state: 'open' });
    events.emit('connector.request', request({ outcome: 'circuit_open', code: 'CONN_ERR_CIRCUIT_OPEN' }));
    stop();
    events.emit('connector.request', request());
    const text = await registry.metrics();
    expect(valueOf(text, 'unics_connector_breaker_state{connector="crm"}')).toBe(2);
    expect(valueOf(text, 'unics_connector_requests_total{connector="crm",outcome="circuit_open"}')).toBe(1);
    expect(valueOf(text, 'unics_connector_requests_total{connector="crm",outcome="success"}')).toBeUndefined();
    expect(events.listenerCount('connector.request')).toBe(0);
  });

  it('can be registered twice on one registry without throwing', () => {
    const registry = new Registry();
    registerConnectorMetrics(createConnectorEmitter(), registry);
    expect(() => registerConnectorMetrics(createConnectorEmitter(), registry)).not.toThrow();
  });
});
