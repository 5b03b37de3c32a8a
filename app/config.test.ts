import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolateEnv, loadConfig } from './config.ts';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'unics-config-')), 'unics.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('has defaults for the embedded demo: 127.0.0.1:4000, info logs, no external services, tenant demo, gateway limits', () => {
    expect(loadConfig({})).toEqual({
      server: { host: '127.0.0.1', port: 4000 },
      log: { level: 'info', pretty: false },
      services: {},
      connectors: [],
      auth: { tenants: ['demo'] },
      views: {
        tenant: 'demo',
        freshnessBudget: 300,
        consume: true,
        groupId: 'unics-views-customer360',
        topics: ['unics.crm.contacts', 'unics.shop.orders', 'unics.shop.order_items', 'unics.shop.payments', 'unics.helpdesk.tickets'],
        heartbeats: { '__debezium-heartbeat.unics': 'shop', '__debezium-heartbeat.crm': 'crm', '__debezium-heartbeat.helpdesk': 'helpdesk' },
        changefeedTopic: 'unics.customer360',
        debezium: { signalTable: 'public.debezium_signal', notificationTopic: '__debezium-notification.unics', topicPrefix: 'unics' },
      },
      capture: [],
      gateway: {
        explain: true,
        introspection: true,
        limits: {
          bodyLimit: 1024 * 1024,
          maxTokens: 10_000,
          maxDepth: 12,
          maxAliases: 30,
          maxCost: 50_000,
          defaultListSize: 10,
          maxOperations: 10,
          maxVariablesSize: 64 * 1024,
          requestTimeout: 30_000,
          wsMaxPayload: 1024 * 1024,
          apqMaxEntries: 1000,
          apqMaxSize: 16 * 1024 * 1024,
        },
        sources: {},
        readiness: { timeout: 2000, cacheTtl: 5000 },
      },
      chat: {
        schema: 'chat',
        poolSize: 10,
        visitorTenant: 'demo',
        visitorTokenLifetime: 24 * 3600_000,
        agentRoles: ['agent', 'supervisor'],
        redisPrefix: 'unics:chat:',
        routing: { autoAssign: true, defaultCapacity: 3, supervisorRoles: ['supervisor'], sessionTtl: 60_000, sweepInterval: 10_000 },
        limits: { maxPayload: 64 * 1024, maxFrame: 16 * 1024, maxTextChars: 4000, rateLimit: { perSecond: 20, burst: 40 }, maxBuffered: 1024 * 1024, heartbeatInterval: 30_000, resumePageSize: 200 },
      },
      demo: { embedded: true, customers: 10_000 },
      assistant: { enabled: true, threshold: 0.6, margin: 0.1, negativeSentiment: -2, maxMessageChars: 2000, respondTimeout: 800, timeZone: 'UTC', modules: [], plugins: {} },
    });
  });

  it('is the embedded demo only without UNICS_CONFIG, unless the file asks for it', () => {
    expect(loadConfig({ UNICS_CONFIG: file('log: { level: info }\n') }).demo.embedded).toBe(false);
    expect(loadConfig({ UNICS_CONFIG: file('demo: { embedded: true, customers: 50 }\n') }).demo).toEqual({ embedded: true, customers: 50 });
  });

  it('reads auth and gateway settings, with UNICS_JWT_SECRET winning over the file and never echoed in errors', () => {
    const path = file(
      'auth: { hs256Secret: "file-secret-0123456789-0123456789-xx", tenants: [demo, acme], issuer: https://idp.example }\n' +
        'gateway:\n  explain: false\n  limits: { bodyLimit: 256kb, maxDepth: 8, requestTimeout: 5s }\n  sources: { contact: { connector: crm2, entity: person } }\n',
    );
    const config = loadConfig({ UNICS_CONFIG: path, UNICS_JWT_SECRET: 'env-secret-0123456789-0123456789-xxxx' });
    expect(config.auth).toEqual({ hs256Secret: 'env-secret-0123456789-0123456789-xxxx', tenants: ['demo', 'acme'], issuer: 'https://idp.example' });
    expect(config.gateway.explain).toBe(false);
    expect(config.gateway.limits).toMatchObject({ bodyLimit: 256 * 1024, maxDepth: 8, requestTimeout: 5000, maxAliases: 30 });
    expect(config.gateway.sources).toEqual({ contact: { connector: 'crm2', entity: 'person' } });

    let message = '';
    try {
      loadConfig({ UNICS_JWT_SECRET: 'too-short-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('auth.hs256Secret: must be at least 32 characters, but got [redacted]');
    expect(message).not.toContain('too-short-secret');
    expect(() => loadConfig({ UNICS_CONFIG: file('gateway: { limits: { requestTimeout: 30 } }\n') })).toThrow('gateway.limits.requestTimeout must be a duration like "3s", but got 30.');
    expect(() => loadConfig({ UNICS_CONFIG: file('auth: { hs256Secret: "0123456789012345678901234567890123", jwksUrl: "https://idp/jwks" }\n') })).toThrow(/auth: set hs256Secret or jwksUrl, not both/);
  });

  it('takes the stack environment variables, which win over the file', () => {
    const config = loadConfig({
      UNICS_CONFIG: file('server: { port: 5000 }\nservices: { redisUrl: "redis://10.0.0.1:6379" }\n'),
      PORT: '4100',
      KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
      DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:5432/unics',
      REDIS_URL: 'redis://127.0.0.1:6379',
      CONNECT_URL: 'http://127.0.0.1:8083',
    });
    expect(config.server.port).toBe(4100);
    expect(config.services).toEqual({
      kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5432/unics',
      redisUrl: 'redis://127.0.0.1:6379',
      connectUrl: 'http://127.0.0.1:8083',
    });
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('names the setting, what was expected and what arrived', () => {
    const path = file('server:\n  port: "four thousand"\n  hots: 1.2.3.4\nlog: { level: loud }\n');
    let message = '';
    try {
      loadConfig({ UNICS_CONFIG: path });
    } catch (err) {
      message = (err as Error).message;
      expect((err as { code: string }).code).toBe('COMMON_ERR_CONFIG_INVALID');
    }
    expect(message).toContain(`invalid configuration in ${path} and the environment:`);
    expect(message).toMatch(/server\.port: .*expected number.*, but got "four thousand"/);
    expect(message).toMatch(/server: Unrecognized key.*"hots"/);
    expect(message).toMatch(/log\.level: .*, but got "loud"/);
  });

  it('rejects a bad PORT and a bad service URL clearly', () => {
    expect(() => loadConfig({ PORT: '40a0' })).toThrow('PORT must be a port number like 4000, but got "40a0".');
    expect(() => loadConfig({ REDIS_URL: 'http://x:1' })).toThrow(/services\.redisUrl: .*, but got "http:\/\/x:1"/);
  });

  it('explains a missing or malformed file', () => {
    expect(() => loadConfig({ UNICS_CONFIG: '/nonexistent/unics.yaml' })).toThrow('UNICS_CONFIG names /nonexistent/unics.yaml, which cannot be read');
    expect(() => loadConfig({ UNICS_CONFIG: file('server: [1, 2\n') })).toThrow(/is not valid YAML/);
    expect(() => loadConfig({ UNICS_CONFIG: file('- a\n- b\n') })).toThrow(/must hold a YAML mapping .* but holds a list/);
  });

  it('loads the example file shipped in the repository, with its demo connectors', () => {
    const config = loadConfig({ UNICS_CONFIG: join(import.meta.dirname, '..', 'unics.example.yaml'), CRM_SECRET: 'demo-secret', DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/unics' });
    expect(config.server.port).toBe(4000);
    expect(config.connectors.map((c) => (c as { name: string }).name)).toEqual(['crm', 'shop', 'helpdesk', 'wms']);
  });

  it('checks connector definitions at start-up, naming the connector and the fix', () => {
    const path = file('connectors:\n  - name: crm\n    kind: rest\n    timeout: 3000\n    endpoint: http://127.0.0.1:7001/api/v1\n    entities: { contact: { single: { path: "/contacts/{key}" } } }\n');
    expect(() => loadConfig({ UNICS_CONFIG: path })).toThrow('connector "crm": timeout must be a duration like "3s", but got 3000. Write "3s" or "3000ms".');
  });
});

describe('interpolateEnv', () => {
  it('replaces ${NAME} in nested strings and names a missing variable with its place', () => {
    expect(interpolateEnv({ a: ['x-${A}', { b: '${B}${A}' }], n: 3 }, { A: '1', B: '2' })).toEqual({ a: ['x-1', { b: '21' }], n: 3 });
    expect(() => interpolateEnv({ connectors: [{ auth: { clientSecret: '${CRM_SECRET}' } }] }, {})).toThrow(
      'config connectors[0].auth.clientSecret: refers to ${CRM_SECRET}, but the environment variable CRM_SECRET is not set.',
    );
  });
});
