// Resilience as configured in unics.yaml, around a real adapter talking to a real simulator over HTTP: retries only
// where allowed, the breaker opening under an error storm (requests stop reaching the upstream) and closing after
// recovery, and a timeout that really cancels the upstream request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../common/index.ts';
import { createCrmSimulator, type CrmSimulator } from '../examples/legacy/crm/index.ts';
import { generateDemoData } from '../examples/legacy/demo-data.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { builtinConnectorKinds, createConnectorEmitter, createConnectorRegistry, loadConnectors, type Connector, type ConnectorEvents, type LoadedConnectors } from './index.ts';

describe('resilience over HTTP (CRM simulator, rest adapter)', () => {
  let sim: CrmSimulator;
  let loaded: LoadedConnectors;
  let crm: Connector;
  const breakerStates: string[] = [];
  const ctx = () => ({ tenant: 't1', signal: AbortSignal.timeout(5_000) });

  beforeAll(async () => {
    sim = createCrmSimulator({ data: generateDemoData({ customers: 50 }) });
    const url = await sim.listen();
    const events = createConnectorEmitter();
    events.on('connector.breaker', (e: ConnectorEvents['connector.breaker']) => void breakerStates.push(e.state));
    loaded = await loadConnectors(
      [{
        name: 'crm',
        kind: 'rest',
        endpoint: `${url}/api/v1`,
        auth: { type: 'oauth2-client-credentials', tokenUrl: `${url}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret' },
        timeout: '300ms',
        retry: { policy: 'exponential-backoff', maxAttempts: 3, baseDelay: '5ms', maxDelay: '20ms' },
        breaker: { errorThresholdPercentage: 50, resetTimeout: '300ms', volumeThreshold: 6, rollingWindow: '10s' },
        entities: { contact: { single: { path: '/contacts/{key}' } } },
        commands: { touch: { method: 'PATCH', path: '/contacts/{id}', bodyFields: ['tier'] } },
      }],
      { registry: createConnectorRegistry(builtinConnectorKinds), log: createLogger({ level: 'silent' }), clock: systemClock, events },
    );
    crm = loaded.connectors.get('crm')!;
    // Fetch the OAuth2 token while the upstream is healthy, so the counts below are API requests only.
    expect((await crm.load('contact', ['C000001'], ctx())).get('C000001')?.status).toBe('ok');
  });
  afterAll(async () => {
    await loaded.close();
    await sim.close();
  });

  it('retries an idempotent load on server errors, and never a non-idempotent command', async () => {
    sim.knobs.errorRate = 1;
    sim.resetStats();
    const result = await crm.load('contact', ['C000001'], ctx());
    expect(result.get('C000001')).toMatchObject({ status: 'error', error: { code: 'CONN_ERR_UNAVAILABLE', retriable: true } });
    expect(sim.stats.requests).toBe(3); // maxAttempts
    sim.resetStats();
    await expect(crm.call('touch', { id: 'C000001', tier: 'gold' }, ctx())).rejects.toMatchObject({ code: 'CONN_ERR_UNAVAILABLE' });
    expect(sim.stats.requests).toBe(1);
    sim.knobs.errorRate = 0;
  });

  it('opens the breaker under an error storm, fails fast without reaching the upstream, and closes after recovery', async () => {
    sim.knobs.errorRate = 1;
    for (let i = 0; i < 6 && !breakerStates.includes('open'); i++) await crm.load('contact', [`C00000${i + 1}`], ctx());
    expect(breakerStates).toContain('open');
    sim.resetStats();
    const fast = await crm.load('contact', ['C000010'], ctx());
    expect(fast.get('C000010')).toMatchObject({ status: 'error', error: { code: 'CONN_ERR_CIRCUIT_OPEN' } });
    expect(sim.stats.requests).toBe(0);

    sim.knobs.errorRate = 0; // the upstream recovers; after resetTimeout one trial call goes through and closes it
    const recovered = await waitFor(async () => {
      const r = (await crm.load('contact', ['C000011'], ctx())).get('C000011');
      return r?.status === 'ok' ? r : undefined;
    }, { timeoutMs: 3_000, intervalMs: 100, what: 'the breaker to let a trial call through' });
    expect(recovered).toMatchObject({ status: 'ok', value: { id: 'C000011' } });
    expect(breakerStates.slice(-2)).toEqual(['half_open', 'closed']);
  });

  it('times out a hanging upstream within the configured budget and closes the request', async () => {
    sim.knobs.hang = true;
    let closed = 0;
    const onRequest = (_req: unknown, res: { on(e: string, f: () => void): void }) => res.on('close', () => closed++);
    sim.server.on('request', onRequest);
    try {
      const started = Date.now();
      const r = (await crm.load('contact', ['C000012'], { tenant: 't1', signal: AbortSignal.timeout(10_000) })).get('C000012');
      const elapsed = Date.now() - started;
      expect(r).toMatchObject({ status: 'error', error: { code: 'CONN_ERR_TIMEOUT' } });
      // Three attempts of 300 ms plus short backoffs: bounded by the policy, not by the upstream.
      expect(elapsed).toBeLessThan(3 * 300 + 200);
      await waitFor(() => (closed >= 3 ? true : undefined), { timeoutMs: 2_000, what: 'the simulator to see each timed-out request closed' });
    } finally {
      sim.server.off('request', onRequest);
      sim.knobs.hang = false;
    }
  });
});
