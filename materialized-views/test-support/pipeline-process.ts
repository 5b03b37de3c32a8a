// A view pipeline in a process of its own, so a test can SIGKILL it mid-stream. Usage:
//   node materialized-views/test-support/pipeline-process.ts '<json options>'
// Options: {brokers, redisUrl, groupId, tenant, shopSchema, crmSchema, topics}. Prints "ready" once consuming, and a
// line "applied <n>" after each batch.
import { Redis } from 'ioredis';
import { filterKnownWarnings } from '../../common/process-warnings.ts';
import { createLogger } from '../../common/logger.ts';
import { createViewPipeline } from '../create-view-pipeline.ts';
import { customer360 } from '../customer-360.ts';
import { createRedisViewStore } from '../redis-view-store.ts';
import { withSchemas } from './isolated-sources.ts';

filterKnownWarnings();
const opts = JSON.parse(process.argv[2] ?? '{}') as {
  brokers: string[];
  redisUrl: string;
  groupId: string;
  tenant: string;
  shopSchema: string;
  crmSchema: string;
  topics: string[];
};
const definition = withSchemas(customer360, { shop: opts.shopSchema, crm: opts.crmSchema });
const redis = new Redis(opts.redisUrl);
const store = createRedisViewStore({ redis, definition });
const pipeline = createViewPipeline({
  definition,
  store,
  tenant: opts.tenant,
  brokers: opts.brokers,
  groupId: opts.groupId,
  topics: opts.topics,
  log: createLogger({ level: 'warn' }),
  maxBatchMessages: 200,
});
let applied = 0;
pipeline.events.on('view.applied', (e) => {
  applied += e.changes;
  process.stdout.write(`applied ${applied}\n`);
});
await pipeline.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void pipeline.stop().then(() => redis.quit()).then(() => process.exit(0));
});
