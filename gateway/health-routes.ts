// GET /healthz (the process is up), GET /readyz (its dependencies are usable; 503 names the ones that are not) and
// GET /metrics (Prometheus text). None needs a token: probes and scrapers reach them from inside the network.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Clock } from '../common/clock.ts';
import { gwErr } from './error-catalogue.ts';

export interface ReadinessCheck {
  readonly ok: boolean;
  readonly durationMs?: number;
  /** The catalogued code of a failing check (CONN_ERR_UNAVAILABLE, COMMON_ERR_TIMEOUT, …). */
  readonly code?: string;
  readonly message?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** One entry per dependency, by name (a connector's name, "shutdown", …). */
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

export interface HealthRoutesOptions {
  readonly readiness: () => Promise<ReadinessReport>;
  readonly metrics: Registry;
  readonly clock: Clock;
}

const json = 'application/json; charset=utf-8';

export function registerHealthRoutes(fastify: FastifyInstance, options: HealthRoutesOptions): void {
  const startedAt = options.clock.now();
  fastify.get('/healthz', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok', uptimeMs: options.clock.now() - startedAt };
  });

  fastify.get('/readyz', async (_request, reply) => {
    const report = await options.readiness();
    void reply.header('cache-control', 'no-store').type(json);
    if (report.ready) return { status: 'ready', checks: report.checks };
    const failing = Object.entries(report.checks).filter(([, c]) => !c.ok);
    const summary = failing.map(([name, c]) => `${name} (${c.code ?? 'failed'}${c.message ? `: ${c.message}` : ''})`).join('; ');
    const error = gwErr.GATEWAY_ERR_NOT_READY(`not ready: ${summary || 'no dependency reported ready'}`, { details: { failing: failing.map(([name]) => name) } });
    return reply.code(error.httpStatus).send({ status: 'not ready', checks: report.checks, error: error.toJSON() });
  });

  fastify.get('/metrics', async (_request, reply) => {
    const text = await options.metrics.metrics();
    return reply.header('cache-control', 'no-store').type(options.metrics.contentType).send(text);
  });
}
