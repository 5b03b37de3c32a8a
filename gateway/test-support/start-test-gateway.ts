// Starts a gateway over the fake schema on a free loopback port, with an HS256 secret and captured JSON log lines.
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createLogger } from '../../common/logger.ts';
import type { SchemaModule } from '../../schema/schema-module.ts';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import { signDevToken } from '../auth/sign-dev-token.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../create-gateway.ts';
import type { ReadinessReport } from '../health-routes.ts';
import { createFakeSchemaModule, type FakeSchemaModule } from './fake-schema-module.ts';

export const TEST_SECRET = 'gateway-test-secret-0123456789-abcdef';

export interface TestGateway {
  readonly url: string;
  readonly wsUrl: string;
  readonly gateway: Gateway;
  readonly schema: FakeSchemaModule;
  readonly registry: Registry;
  readonly logs: Array<Record<string, unknown>>;
  readiness: ReadinessReport;
  token(claims?: { tenant?: string; roles?: string[]; expiresIn?: string | number }): Promise<string>;
  /** POST /graphql with a valid token unless headers say otherwise. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field in assertions
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestGateway(overrides: Partial<Omit<GatewayOptions, 'schema'>> & { schema?: SchemaModule } = {}): Promise<TestGateway> {
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger({ level: 'debug', destination });
  const schema = (overrides.schema as FakeSchemaModule | undefined) ?? createFakeSchemaModule();
  const registry = new Registry();
  const state = {
    readiness: { ready: true, checks: { crm: { ok: true, durationMs: 1 } } } as ReadinessReport,
  };
  const gateway = await createGateway({
    auth: createTokenVerifier({ hs256Secret: TEST_SECRET, tenants: ['demo', 'acme'] }),
    log,
    metrics: registry,
    readiness: async () => state.readiness,
    ...overrides,
    schema,
  });
  const address = await gateway.fastify.listen({ port: 0, host: '127.0.0.1' });
  const url = address.replace('localhost', '127.0.0.1');
  const token: TestGateway['token'] = (claims = {}) => signDevToken({ secret: TEST_SECRET, tenant: claims.tenant ?? 'demo', roles: claims.roles ?? ['agent'], subject: 'agent-1', ...(claims.expiresIn !== undefined ? { expiresIn: claims.expiresIn } : {}) });
  const defaultToken = await token();
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    gateway,
    schema,
    registry,
    logs,
    get readiness() {
      return state.readiness;
    },
    set readiness(r) {
      state.readiness = r;
    },
    token,
    async post(body, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${defaultToken}`, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    close: () => gateway.close(),
  };
}
