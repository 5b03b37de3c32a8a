// buildApp(): wires the process together without listening (STYLE.md 7), so tests build it without a port.
// Today it serves the health endpoints; the gateway, chat and CDC pipeline attach here as they land.
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createLifecycle, systemClock, type Clock, type Lifecycle, type Logger } from '../common/index.ts';
import type { Config } from './config.ts';
import { appErrors } from './error-catalogue.ts';

export interface App {
  readonly config: Config;
  readonly server: Server;
  readonly lifecycle: Lifecycle;
  /** Stops accepting traffic and closes every resource in reverse start order. */
  close(): Promise<void>;
}

export interface AppDeps {
  readonly log: Logger;
  readonly clock?: Clock;
}

const routes = ['GET /healthz', 'GET /readyz'];

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function buildApp(config: Config, deps: AppDeps): App {
  const clock = deps.clock ?? systemClock;
  const lifecycle = createLifecycle({ log: deps.log, clock });
  const startedAt = clock.now();

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const key = `${req.method} ${path}`;
    if (key === 'GET /healthz') {
      return sendJson(res, 200, { status: 'ok', uptimeMs: clock.now() - startedAt });
    }
    if (key === 'GET /readyz') {
      if (lifecycle.state !== 'open') {
        const err = appErrors.errors.APP_ERR_NOT_READY('shutting down');
        return sendJson(res, err.httpStatus, { status: 'not ready', error: err.toJSON() });
      }
      return sendJson(res, 200, { status: 'ready', checks: {} });
    }
    const err = appErrors.errors.APP_ERR_ROUTE_NOT_FOUND(`no endpoint at ${key}; this build serves ${routes.join(', ')}`);
    return sendJson(res, err.httpStatus, { error: err.toJSON() });
  });

  lifecycle.add('http server', () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  }));

  return {
    config,
    server,
    lifecycle,
    async close() {
      const report = await lifecycle.close();
      for (const f of report.failures) deps.log.error({ err: f.error, resource: f.name }, 'resource failed to close');
    },
  };
}
