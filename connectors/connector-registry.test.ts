// Loading connectors from configuration: validation messages (pinned), the registry by kind, and a loaded
// connector working through its resilience wrapper against a real simulator over HTTP.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmitter, createLogger, systemClock } from '../common/index.ts';
import { createCrmSimulator } from '../examples/legacy/crm/crm-simulator.ts';
import { generateDemoData } from '../examples/legacy/demo-data.ts';
import type { Simulator } from '../examples/legacy/simulator-kit.ts';
import type { ConnectorKind } from './connector.ts';
import type { ConnectorEvents } from './connector-events.ts';
import { registerConnectorMetrics } from './connector-metrics.ts';
import { createConnectorRegistry, loadConnectors, validateConnectorDefinitions } from './connector-registry.ts';
import { graphqlKind } from './graphql/index.ts';
import { restKind } from './rest/index.ts';

const registry = createConnectorRegistry([restKind, graphqlKind]);
const log = createLogger({ level: 'silent' });

function problemsOf(defs: unknown): string[] {
  try {
    validateConnectorDefinitions(defs, registry);
  } catch (err) {
    expect((err as { code: string }).code).toBe('CONN_ERR_CONFIG');
    return (err as { details: { problems: string[] } }).details.problems;
  }
  return [];
}

const crm = (extra: Record<string, unknown> = {}) => ({
  name: 'crm',
  kind: 'rest',
  endpoint: 'http://127.0.0.1:7001/api/v1',
  entities: { contact: { batch: { method: 'GET', path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } } },
  ...extra,
});

describe('connector registry', () => {
  it('fails at load time on a kind object that is missing parts, or a kind registered twice', () => {
    expect(() => createConnectorRegistry([{ kind: 'half' } as unknown as ConnectorKind])).toThrow(
      'connector kind "half" is missing description, configSchema, create; a kind needs kind, description, configSchema and create',
    );
    expect(() => createConnectorRegistry([restKind, restKind])).toThrow('connector kind "rest" is registered twice');
  });

  it('names the connector, the option, what was expected and how to write it', () => {
    expect(problemsOf([crm({ timeout: 3000 })])).toEqual([
      'connector "crm": timeout must be a duration like "3s", but got 3000. Write "3s" or "3000ms".',
    ]);
  });

  it('reports every problem at once: unknown kind, duplicate name, bad shared and kind options', () => {
    const problems = problemsOf([
      crm(),
      crm(),
      { name: 'tickets', kind: 'grapql', endpoint: 'http://x' },
      { name: 'Bad Name', kind: 'rest' },
      crm({ name: 'crm2', retry: { policy: 'exponential-backoff', maxAttempts: 50 } }),
      crm({ name: 'crm3', entities: { contact: { batch: { method: 'GET', path: '/c', keysParam: 'ids', itemsPath: 'items', keyField: 'id' }, extra: 1 } } }),
    ]);
    expect(problems[0]).toBe('connector "crm": the name is used twice; connector names must be unique');
    expect(problems[1]).toBe('connector "tickets": unknown connector kind "grapql"; known kinds: graphql, rest');
    expect(problems[2]).toMatch(/^connector "Bad Name": name: must be lower-case letters, digits and dashes/);
    expect(problems[3]).toMatch(/^connector "crm2": retry\.maxAttempts: .*10.*, but got 50$/);
    expect(problems[4]).toMatch(/^connector "crm3": entities\.contact/);
    expect(problems).toHaveLength(5);
  });

  it('refuses a connectors section that is not a list', () => {
    expect(() => validateConnectorDefinitions({ crm: {} }, registry)).toThrow('connectors must be a list of connector definitions (- name: crm ...), but got object');
  });

  describe('loaded against the CRM simulator', () => {
    let sim: Simulator;
    beforeAll(async () => {
      sim = createCrmSimulator({ data: generateDemoData({ customers: 50 }) });
      await sim.listen();
    });
    afterAll(() => sim.close());

    it('wraps the raw connector with the configured resilience: cache, metrics and events', async () => {
      const events = createEmitter<ConnectorEvents>();
      const metrics = new Registry();
      registerConnectorMetrics(events, metrics);
      const loaded = await loadConnectors(
        [crm({
          endpoint: `${sim.url()}/api/v1`,
          auth: { type: 'oauth2-client-credentials', tokenUrl: `${sim.url()}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret' },
          timeout: '2s',
          cacheTtl: '30s',
          retry: { policy: 'none' },
        })],
        { registry, log, clock: systemClock, events },
      );
      try {
        expect(loaded.policies.get('crm')).toMatchObject({ timeoutMs: 2000, retry: null, cache: { ttlMs: 30_000 } });
        const connector = loaded.connectors.get('crm')!;
        const ctx = { tenant: 'demo', signal: AbortSignal.timeout(5000) };
        sim.resetStats();
        const first = await connector.load('contact', ['C000002', 'C000001', 'C999999'], ctx);
        expect(first.get('C000001')).toMatchObject({ status: 'ok', value: { id: 'C000001' } });
        expect(first.get('C999999')).toEqual({ status: 'not_found' });
        const second = await connector.load('contact', ['C000001', 'C000002'], ctx);
        expect(second.get('C000002')).toMatchObject({ status: 'ok', value: { id: 'C000002' } });
        // One token request and one batch request; the second load came from the cache.
        expect(sim.stats.byRoute).toEqual({ 'POST /oauth/token': 1, 'GET /contacts:batch': 1 });
        const text = await metrics.metrics();
        expect(text).toMatch(/unics_connector_requests_total\{connector="crm",outcome="success"\} 1/);
        expect(text).toMatch(/unics_connector_cache_total\{connector="crm",result="hit"\} 2/);
      } finally {
        await loaded.close();
      }
    });

    it('asks for a Redis store when cache.store is redis and none is configured', async () => {
      await expect(
        loadConnectors([crm({ cacheTtl: '5s', cache: { store: 'redis' } })], { registry, log, clock: systemClock, events: createEmitter<ConnectorEvents>() }),
      ).rejects.toThrow('connector "crm": cache.store is "redis", but no Redis is configured (set REDIS_URL or services.redisUrl), or use cache.store: memory');
    });
  });
});
