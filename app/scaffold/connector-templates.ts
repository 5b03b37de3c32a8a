// Templates for `unics new connector`: per kind, a definition pointing at the matching demo simulator and a
// contract test that starts that simulator and runs the testkit against the connector. Pure: text in, text out.

export type ScaffoldKind = 'rest' | 'soap' | 'xml' | 'graphql' | 'sql';
export const SCAFFOLD_KINDS: readonly ScaffoldKind[] = ['rest', 'soap', 'xml', 'graphql', 'sql'];

interface KindTemplate {
  readonly system: string;
  /** The definition's body after `name:` and `kind:` (YAML, two-space indent at top level). */
  readonly definition: string;
  readonly entity: string;
  /** Imports the test needs (paths relative to the repository root, rewritten per target directory). */
  readonly imports: readonly string[];
  /** Code that defines `upstreamUrl`, `existingKeys`, `missingKeys`, `setUpstream` and `closeUpstream`, given `data`. */
  readonly upstream: string;
  /** The default upstream origin in `definition`, replaced by the started simulator's. */
  readonly origin: string;
}

const knobUpstream = (sim: string) => `
  const setUpstream = (mode: UpstreamMode) => {
    ${sim}.knobs.errorRate = mode === 'failing' ? 1 : 0;
    ${sim}.knobs.hang = mode === 'hanging';
  };`;

const templates: Readonly<Record<ScaffoldKind, KindTemplate>> = {
  rest: {
    system: 'the demo CRM (REST + OAuth2)',
    origin: 'http://127.0.0.1:7001',
    entity: 'contact',
    definition: `timeout: 3s
endpoint: http://127.0.0.1:7001/api/v1
auth:
  type: oauth2-client-credentials
  tokenUrl: http://127.0.0.1:7001/oauth/token
  clientId: unics-demo
  clientSecret: \${CRM_SECRET}
entities:
  contact:
    maxBatchSize: 100
    batch: { method: GET, path: /contacts, keysParam: ids, itemsPath: items, keyField: id }
`,
    imports: ["import { createCrmSimulator } from '@/examples/legacy/crm/index.ts';"],
    upstream: `
  const sim = createCrmSimulator({ data });
  const upstreamUrl = await sim.listen();
  const existingKeys = [data.contacts[0]!.id, data.contacts[1]!.id];
  const missingKeys = ['C999999'];${knobUpstream('sim')}
  const closeUpstream = () => sim.close();`,
  },
  soap: {
    system: 'the demo Shop (SOAP 1.1 with a WSDL)',
    origin: 'http://127.0.0.1:7002',
    entity: 'ordersByCustomer',
    definition: `timeout: 3s
wsdl: http://127.0.0.1:7002/shop?wsdl
entities:
  ordersByCustomer:
    operation: GetOrdersByCustomer
    keysArg: customerNos.customerNo
    resultPath: orders.order
    keyField: customerNo
    many: true
    maxBatchSize: 500
`,
    imports: ["import { startShop } from '@/examples/legacy/shop/index.ts';"],
    upstream: `
  const shop = await startShop({ data });
  const upstreamUrl = shop.url;
  const buyers = [...new Set(data.orders.map((o) => o.customerNo))];
  const existingKeys = buyers.slice(0, 2);
  const missingKeys = ['K9999999'];${knobUpstream('shop.sim')}
  const closeUpstream = () => shop.close();`,
  },
  xml: {
    system: 'the demo Warehouse (XML IDoc export over HTTP)',
    origin: 'http://127.0.0.1:7004',
    entity: 'shipmentsByOrder',
    definition: `timeout: 3s
endpoint: http://127.0.0.1:7004
entities:
  shipmentsByOrder:
    method: GET
    path: /idoc/shipments
    keysParam: orders
    maxBatchSize: 500
    many: true
    recordPath: SHPMNT05.IDOC.E1EDT20
    keyField: E1EDL20.E1EDL24.VGBEL
    fields:
      deliveryNo: E1EDL20.VBELN
      trackingNo: TRAID
      status:
        path: STTRG
        values: { "6": in_transit, "7": delivered }
`,
    imports: ["import { createWmsSimulator } from '@/examples/legacy/wms/index.ts';"],
    upstream: `
  const sim = createWmsSimulator({ data });
  const upstreamUrl = await sim.listen();
  const existingKeys = data.shipments.slice(0, 2).map((s) => s.orderId);
  const missingKeys = ['O9999999'];${knobUpstream('sim')}
  const closeUpstream = () => sim.close();`,
  },
  graphql: {
    system: 'the demo Helpdesk (GraphQL)',
    origin: 'http://127.0.0.1:7003',
    entity: 'ticketsByUser',
    definition: `timeout: 3s
endpoint: http://127.0.0.1:7003/graphql
entities:
  ticketsByUser:
    query: |
      query TicketsByUsers($userIds: [ID!]!) {
        ticketsByUsers(userIds: $userIds) { id userId subject status priority updatedAt }
      }
    keysVariable: userIds
    resultPath: ticketsByUsers
    keyField: userId
    many: true
    maxBatchSize: 500
`,
    imports: ["import { createHelpdeskSimulator } from '@/examples/legacy/helpdesk/index.ts';"],
    upstream: `
  const sim = createHelpdeskSimulator({ data });
  const upstreamUrl = await sim.listen();
  const existingKeys = [...new Set(data.tickets.map((t) => t.userId))].slice(0, 2);
  const missingKeys = ['U9999999'];${knobUpstream('sim')}
  const closeUpstream = () => sim.close();`,
  },
  sql: {
    system: "the demo Shop's PostgreSQL tables (schema shop)",
    origin: 'postgres://unused',
    entity: 'ordersByCustomer',
    definition: `timeout: 3s
databaseUrl: \${DATABASE_URL}
entities:
  ordersByCustomer:
    query: >-
      select id, customer_no as "customerNo", status, total_cents as "totalCents", currency
      from shop.orders where customer_no = any($1) order by id
    keyColumn: customerNo
    many: true
    maxBatchSize: 1000
`,
    imports: [
      "import pg from 'pg';",
      "import { inject } from 'vitest';",
      "import { createPgShopDatabase, seedShopDatabase } from '@/examples/legacy/shop/index.ts';",
      "import { createScratchDatabase } from '@/connectors/sql/fixtures/scratch-database.ts';",
    ],
    upstream: `
  // A throwaway database on the stack's PostgreSQL, seeded with the demo shop tables.
  const scratch = await createScratchDatabase(inject('stackEnv').DATABASE_URL, 'scaffold');
  const shopDb = createPgShopDatabase(scratch.url);
  await seedShopDatabase(shopDb, data);
  await shopDb.close();
  const upstreamUrl = scratch.url;
  const buyers = [...new Set(data.orders.map((o) => o.customerNo))];
  const existingKeys = buyers.slice(0, 2);
  const missingKeys = ['K9999999'];
  // "failing": the table is gone (a SQL error); "hanging": another session holds an exclusive lock on it.
  const admin = new pg.Client({ connectionString: scratch.url });
  await admin.connect();
  let locker: pg.Client | undefined;
  const setUpstream = async (mode: UpstreamMode) => {
    if (locker) {
      await locker.end();
      locker = undefined;
    }
    await admin.query(mode === 'failing' ? 'alter table if exists shop.orders rename to orders_gone' : 'alter table if exists shop.orders_gone rename to orders');
    if (mode === 'hanging') {
      locker = new pg.Client({ connectionString: scratch.url });
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table shop.orders in access exclusive mode');
    }
  };
  const closeUpstream = async () => {
    await locker?.end();
    await admin.end();
    await scratch.drop();
  };`,
  },
};

export function isScaffoldKind(kind: string): kind is ScaffoldKind {
  return (SCAFFOLD_KINDS as readonly string[]).includes(kind);
}

/** The files of a new connector, keyed by file name; `rootFromTarget` is the relative path back to the repository root. */
export function renderConnectorFiles(name: string, kind: ScaffoldKind, rootFromTarget: string): Record<string, string> {
  const t = templates[kind];
  const root = rootFromTarget.replace(/\/+$/, '') || '.';
  const rel = (line: string) => line.replace('@/', `${root}/`);
  const integration = kind === 'sql';
  const testFile = `${name}.contract${integration ? '.int' : ''}.test.ts`;
  const definition = `# Connector "${name}" (kind ${kind}), generated by \`npx unics new connector ${name} --kind ${kind}\`.
# It points at ${t.system}, which \`npm run legacy\` serves. To reach your own system, change the address,
# credentials and the entity mapping (see docs/connectors.md), then copy this definition into the
# \`connectors:\` list of your unics.yaml. Secrets come from the environment as \${NAME}.
name: ${name}
kind: ${kind}
${t.definition}`;

  const test = `// Contract test for connector "${name}", generated by \`npx unics new connector ${name} --kind ${kind}\`.
// It starts ${t.system} on a free port, loads ${name}.connector.yaml through the connector registry (with the
// resilience its options ask for) and runs the connector testkit against it. Keep it passing as you adapt the
// definition; point a copy of this test at a staging system to check your real upstream.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
${t.imports.map(rel).join('\n')}
import { interpolateEnv } from '${root}/app/config.ts';
import { createLogger, systemClock } from '${root}/common/index.ts';
import { builtinConnectorKinds, createConnectorEmitter, createConnectorRegistry, loadConnectors } from '${root}/connectors/index.ts';
import { runConnectorContract, type UpstreamMode } from '${root}/connectors/testkit/index.ts';
import { generateDemoData } from '${root}/examples/legacy/demo-data.ts';

const definitionText = readFileSync(new URL('./${name}.connector.yaml', import.meta.url), 'utf8');

runConnectorContract('${name}', async () => {
  const data = generateDemoData({ customers: 100 });
${t.upstream}
  // The definition names the demo system's default address; aim it at the simulator started above.
  const env = { ...process.env, CRM_SECRET: 'demo-secret', DATABASE_URL: upstreamUrl };
  const definition = JSON.parse(JSON.stringify(interpolateEnv(parse(definitionText), env)).replaceAll(${JSON.stringify(t.origin)}, upstreamUrl));
  const registry = createConnectorRegistry(builtinConnectorKinds);
  const loaded = await loadConnectors([definition], { registry, log: createLogger({ level: 'silent' }), clock: systemClock, events: createConnectorEmitter() });
  return {
    connector: loaded.connectors.get(${JSON.stringify(name)})!,
    entity: ${JSON.stringify(t.entity)},
    existingKeys,
    missingKeys,
    setUpstream,
    close: async () => {
      await loaded.close();
      await closeUpstream();
    },
  };
});
`;

  const readme = `# Connector \`${name}\` (${kind})

Generated by \`npx unics new connector ${name} --kind ${kind}\`.

- \`${name}.connector.yaml\`: the definition. It points at ${t.system}; change the address, credentials and the
  \`${t.entity}\` mapping to match your system, then copy it into the \`connectors:\` list of your \`unics.yaml\`.
- \`${testFile}\`: runs the connector contract (key alignment, missing keys, error mapping, cancellation) against
  the demo simulator. Run it with \`npx vitest run ${testFile}\`${integration ? ' (it needs the local stack: `npm test` or `npx vitest run --project integration` starts it)' : ''}.

The guide: docs/connectors.md. The options of kind \`${kind}\`: connectors/${kind}/README.md.
`;
  return { [`${name}.connector.yaml`]: definition, [testFile]: test, 'README.md': readme };
}
