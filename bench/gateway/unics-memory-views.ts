// The view path's ceiling in the gateway benchmark: the same server as `node app/main.ts` with views on — the same
// config file, buildApp, schema, resolvers and view reader (createCustomerViews) — except that its view store is the
// in-process one (createMemoryViewStore), filled at start with the same views the Redis contender reads (view-fill.ts),
// so every answer is already in process memory and no request leaves the process. Started by contenders.ts with
// UNICS_CONFIG and UNICS_BENCH_SIMS (the simulators' URLs, JSON) and UNICS_BENCH_CUSTOMERS; stops on SIGTERM.
import { createLogger, systemClock } from '../../common/index.ts';
import { filterKnownWarnings } from '../../common/process-warnings.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createCustomerViews, createMemoryViewStore, customer360 } from '../../materialized-views/index.ts';
import { buildApp } from '../../app/build-app.ts';
import { loadConfig } from '../../app/config.ts';
import { fillViews } from './view-fill.ts';
import type { SourceName } from './upstream-counter.ts';

filterKnownWarnings();
const config = loadConfig(process.env);
const log = createLogger({ level: config.log.level, pretty: false, name: 'unics' });
const sims = JSON.parse(process.env.UNICS_BENCH_SIMS ?? '{}') as Record<SourceName, string>;
const customers = Number(process.env.UNICS_BENCH_CUSTOMERS);

const store = createMemoryViewStore(customer360);
const filled = await fillViews(store, config.views.tenant, sims, generateDemoData({ customers }));
log.warn({ views: filled.views, rows: filled.rebuild.rows, ms: filled.rebuild.ms }, 'benchmark ceiling: views filled in process memory');
const app = await buildApp(config, { log, views: { views: createCustomerViews(store, systemClock), pipeline: undefined } });
const url = await app.listen();
log.warn({ url }, `UniCS (views in process memory) listening on ${url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
