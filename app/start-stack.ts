#!/usr/bin/env node
// npm run start:stack — the demo against the real services: with the stack up (`npm run stack -- up`), seeds the demo
// data into the stack's PostgreSQL (schema shop, captured by the stack's Debezium connector), starts the legacy
// simulators on ports 7001-7004 with the Shop on that database, and starts the gateway with unics.example.yaml
// against Kafka, Redis and PostgreSQL: poll capture of the CRM and helpdesk, the view pipeline, views-first reads.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filterKnownWarnings } from '../common/process-warnings.ts';
import { createPgShopDatabase } from '../examples/legacy/shop/shop-database.ts';
import { startLegacySystems } from '../examples/legacy/start-legacy-systems.ts';
import { createStack, formatEnv } from '../stack/stack.ts';
import { stackOptionsFromEnv } from '../stack/stack-options.ts';

filterKnownWarnings();
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (m: string) => process.stderr.write(`[start:stack] ${m}\n`);

const env = createStack(stackOptionsFromEnv(process.env, repoRoot, say)).env();
if (!env) {
  say('the stack is not up: run `npm run stack -- up` first (it starts Kafka, Kafka Connect with Debezium, PostgreSQL and Redis)');
  process.exit(3);
}
say(`using the stack: ${formatEnv(env).replace(/\n/g, '; ')}`);

const customers = Number(process.env.UNICS_DEMO_CUSTOMERS ?? 10_000);
const systems = await startLegacySystems({ basePort: 7001, customers, shopDb: createPgShopDatabase(env.DATABASE_URL), progress: say });
say(`legacy systems: CRM ${systems.urls.crm}, Shop ${systems.urls.shop} (on the stack's PostgreSQL), Helpdesk ${systems.urls.helpdesk}, Warehouse ${systems.urls.wms}`);

Object.assign(process.env, env, {
  UNICS_CONFIG: process.env.UNICS_CONFIG ?? resolve(repoRoot, 'unics.example.yaml'),
  CRM_SECRET: process.env.CRM_SECRET ?? 'demo-secret',
});
// The gateway, exactly as `npm start` runs it with UNICS_CONFIG (signals, banner, graceful shutdown).
await import('./main.ts');
