#!/usr/bin/env node
// npm start: load the configuration, build the app, listen, and shut down gracefully on SIGINT/SIGTERM.
// Without UNICS_CONFIG this is the embedded demo: the legacy simulators run in this process, and the banner prints
// the URL, ready-made demo tokens and a curl command to try.
import { createLogger, type Logger } from '../common/index.ts';
import { filterKnownWarnings } from '../common/process-warnings.ts';
import { signDevToken } from '../gateway/auth/sign-dev-token.ts';
import type { Tracing } from '../gateway/tracing/create-tracing.ts';
import { tracingOptionsFromEnv } from '../gateway/tracing/tracing-options-from-env.ts';
import { tracingOff } from '../gateway/tracing/tracing-off.ts';
import { buildApp, type App } from './build-app.ts';
import { loadConfig, type Config } from './config.ts';

filterKnownWarnings();

let config: Config;
let log: Logger;
let tracing: Tracing;
try {
  config = loadConfig(process.env);
  log = createLogger({ level: config.log.level, pretty: config.log.pretty, name: 'unics' });
  const tracingOptions = tracingOptionsFromEnv(process.env);
  // The OpenTelemetry SDK is imported only when spans have somewhere to go (tracing-off.ts).
  tracing =
    tracingOptions.otlpEndpoint === undefined
      ? tracingOff()
      : (await import('../gateway/tracing/create-tracing.ts')).createTracing({ ...tracingOptions, log: log.child({ module: 'tracing' }) });
} catch (err) {
  process.stderr.write(`unics: ${(err as Error).message}\n`);
  process.exit(2);
}

let app: App | undefined;
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    log.error('shutdown took longer than 20 s; exiting anyway');
    process.exit(1);
  }, 20_000);
  force.unref();
  // A signal during start-up: the build below sees `stopping` and closes what it built.
  if (app) void app.close().then(() => process.exit(0));
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));

async function banner(built: App, url: string): Promise<string> {
  const secret = built.auth.hs256Secret;
  const systems = built.demo?.systems;
  const lines = ['', `  UniCS embedded demo: GraphQL at ${url}/graphql (WebSocket subscriptions on the same path)`];
  if (systems) {
    lines.push(`  Legacy systems in this process (${systems.data.contacts.length.toLocaleString('en-US')} demo customers): CRM ${systems.urls.crm}, Shop ${systems.urls.shop}, Helpdesk ${systems.urls.helpdesk}, Warehouse ${systems.urls.wms}`);
  }
  if (secret === undefined) return [...lines, '  Tokens come from your identity provider (auth.jwksUrl).', ''].join('\n');
  const tenant = built.config.auth.tenants[0] ?? 'demo';
  const agent = await signDevToken({ secret, tenant, roles: ['agent'], subject: 'demo-agent' });
  const supervisor = await signDevToken({ secret, tenant, roles: ['agent', 'supervisor'], subject: 'demo-supervisor' });
  const query = JSON.stringify({ query: '{ customer(id: "C000001") { profile { firstName lastName email } orders(first: 3) { id status totalCents currency } tickets { id subject status } } }' });
  lines.push(
    '',
    `  Agent token (tenant ${tenant}, role agent; reads customers; valid 8 h):`,
    `    ${agent}`,
    `  Supervisor token (tenant ${tenant}, roles agent + supervisor; may also refund orders):`,
    `    ${supervisor}`,
    '',
    '  Try it:',
    `    TOKEN=${agent}`,
    `    curl -s ${url}/graphql -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `      -d '${query}'`,
    '',
    `  Add the header "x-unics-explain: 1" to see the upstream calls behind an answer. More tokens: npx unics token --role supervisor`,
    '',
  );
  if (built.chat !== undefined && (built.config.chat.visitorTokenRoute ?? built.config.demo.embedded)) {
    lines.push(
      `  Chat (chat/README.md): ws ${url.replace(/^http/, 'ws')}/chat?token=<visitor token or the agent token above>; a visitor token:`,
      `    curl -s -XPOST ${url}/chat/visitor-token -H 'content-type: application/json' -d '{"customerId":"C000001"}'`,
      '',
    );
  }
  return lines.join('\n');
}

try {
  const built = await buildApp(config, { log, tracing, progress: (message) => log.info({ module: 'demo' }, message) });
  app = built;
  if (stopping) {
    await built.close();
    process.exit(0);
  }
  let url: string;
  try {
    url = await built.listen();
  } catch (err) {
    const hint = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ` Another process uses port ${config.server.port}; set PORT to another port.` : '';
    log.fatal({ err }, `cannot listen on ${config.server.host}:${config.server.port}.${hint}`);
    await built.close();
    process.exit(1);
  }
  log.info({ url }, `UniCS listening on ${url} (GraphQL: /graphql, health: /healthz, readiness: /readyz, metrics: /metrics)`);
  if (config.demo.embedded) process.stdout.write(`${await banner(built, url)}\n`);
} catch (err) {
  log.fatal({ err }, `UniCS could not start: ${(err as Error).message}`);
  await tracing.shutdown().catch(() => undefined);
  process.exit(1);
}
