#!/usr/bin/env node
// npm run legacy [-- --customers N --latency MS --base-port N]: runs the four legacy simulators in the foreground.
// The Shop uses PostgreSQL when DATABASE_URL is set (schema `shop` is recreated and seeded), else in-process PGlite.
import { parseArgs } from 'node:util';
import { filterKnownWarnings } from '../../common/process-warnings.ts';
import { createPgShopDatabase } from './shop/index.ts';
import { DEFAULT_BASE_PORT, startLegacySystems } from './start-legacy-systems.ts';

filterKnownWarnings();

const usage = `Usage: npm run legacy -- [--customers N] [--latency MS] [--base-port N]

Starts the demo's legacy systems on 127.0.0.1:
  CRM (REST + OAuth2)   base port      /api/v1, /oauth/token (client unics-demo / demo-secret)
  Shop (SOAP 1.1)       base port + 1  /shop?wsdl
  Helpdesk (GraphQL)    base port + 2  /graphql
  Warehouse (XML IDoc)  base port + 3  /idoc/shipments
Each answers /__sim/stats and /__sim/knobs (GET, or POST a JSON patch such as {"latencyMs": 50}).
The Shop runs on PostgreSQL when DATABASE_URL is set, otherwise on in-process PGlite.`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}, but got ${JSON.stringify(raw)}\n\n${usage}\n`);
    process.exit(2);
  }
  return Number(raw);
}

let values;
try {
  ({ values } = parseArgs({ options: { customers: { type: 'string' }, latency: { type: 'string' }, 'base-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const customers = positiveInt('customers', values.customers, 10_000, 1);
const latencyMs = positiveInt('latency', values.latency, 0);
const basePort = positiveInt('base-port', values['base-port'], DEFAULT_BASE_PORT, 1);

const t0 = Date.now();
const progress = (m: string) => process.stderr.write(`[legacy +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
const shopDb = process.env.DATABASE_URL ? createPgShopDatabase(process.env.DATABASE_URL) : undefined;
progress(`generating demo data for ${customers} customers; Shop database: ${shopDb ? 'PostgreSQL (DATABASE_URL)' : 'PGlite (in process)'}`);
const systems = await startLegacySystems({ customers, basePort, knobs: { latencyMs }, progress, ...(shopDb ? { shopDb } : {}) }).catch((err: unknown) => {
  process.stderr.write(`legacy: ${(err as Error).message}\n`);
  process.exit(1);
});
progress('ready');
process.stdout.write(
  [
    `CRM       ${systems.urls.crm}/api/v1   (token: POST ${systems.urls.crm}/oauth/token)`,
    `Shop      ${systems.urls.shop}/shop?wsdl`,
    `Helpdesk  ${systems.urls.helpdesk}/graphql`,
    `Warehouse ${systems.urls.wms}/idoc/shipments`,
    '',
  ].join('\n'),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void systems.close().then(async () => {
      await shopDb?.close();
      process.exit(0);
    });
  });
}
