#!/usr/bin/env node
// npm start: load the configuration, build the app, listen, and shut down gracefully on SIGINT/SIGTERM.
import { createLogger } from '../common/index.ts';
import { buildApp } from './build-app.ts';
import { loadConfig } from './config.ts';
import { filterKnownWarnings } from '../common/process-warnings.ts';

filterKnownWarnings();

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  process.stderr.write(`unics: ${(err as Error).message}\n`);
  process.exit(2);
}

const log = createLogger({ level: config.log.level, pretty: config.log.pretty, name: 'unics' });
const app = buildApp(config, { log });

app.server.on('error', (err: NodeJS.ErrnoException) => {
  const hint = err.code === 'EADDRINUSE' ? ` Another process uses port ${config.server.port}; set PORT to another port.` : '';
  log.fatal({ err }, `cannot listen on ${config.server.host}:${config.server.port}.${hint}`);
  process.exit(1);
});

app.server.listen(config.server.port, config.server.host, () => {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  log.info({ port }, `UniCS listening on http://${config.server.host}:${port} (health: /healthz, readiness: /readyz)`);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 20 s; exiting anyway');
      process.exit(1);
    }, 20_000);
    force.unref();
    void app.close().then(() => process.exit(0));
  });
}
