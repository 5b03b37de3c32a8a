// `unics views rebuild --via debezium` on the real stack: the views are lost (Redis cleared), and the command asks
// the stack's Debezium connector for an incremental snapshot of the shop's tables while a change is being made; the
// running view pipeline applies the re-sent rows and the command returns once they are in. Afterwards every view
// equals the sources, and the change made during the rebuild was not overwritten by older snapshot data.
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { createCrmSimulator, type CrmSimulator } from '../examples/legacy/crm/index.ts';
import { generateDemoData } from '../examples/legacy/demo-data.ts';
import { createViewPipeline, type ViewPipeline } from '../materialized-views/create-view-pipeline.ts';
import { createRedisViewStore } from '../materialized-views/redis-view-store.ts';
import { createIsolatedSources, type IsolatedSources } from '../materialized-views/test-support/isolated-sources.ts';
import { parseViewDoc, type ViewStore } from '../materialized-views/view-store.ts';
import { uniqueName } from '../test/support/wait-for.ts';
import { loadConfig } from './config.ts';
import { runViewsRebuild } from './views-rebuild.ts';

const env = inject('stackEnv');
const data = generateDemoData({ customers: 40 });

let src: IsolatedSources;
let crm: CrmSimulator;
let crmUrl: string;
let redis: Redis;
let store: ViewStore;
let pipeline: ViewPipeline;
let groupId: string;

beforeAll(async () => {
  src = await createIsolatedSources(env);
  crm = createCrmSimulator({ data });
  crmUrl = await crm.listen(0);
  redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  store = createRedisViewStore({ redis, definition: src.definition });
  for (const [i, c] of data.contacts.entries()) {
    await src.pool.query(`insert into ${src.shopSchema}.orders values ($1, $2, 'paid', 1000, 'EUR', now(), now())`, [`O${i}`, c.customerNo]);
    await src.pool.query(`insert into ${src.shopSchema}.order_items values ($1, 1, 'SKU', 'Thing', 1, 1000), ($1, 2, 'SKU2', 'Other', 2, 250)`, [`O${i}`]);
    await src.pool.query(`insert into ${src.shopSchema}.payments values ($1, $2, 'card', 'captured', 1000, now(), now())`, [`P${i}`, `O${i}`]);
  }
  groupId = uniqueName('views-rebuild-dbz');
  pipeline = createViewPipeline({ definition: src.definition, store, tenant: src.tenant, brokers: env.KAFKA_BROKERS.split(','), groupId, topics: [...src.topics], log: createLogger({ level: 'silent' }) });
  await pipeline.start();
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
  await store?.clear(src.tenant);
  await redis?.quit();
  await crm?.close();
  await src?.close();
});

describe('unics views rebuild --via debezium', () => {
  it('re-reads the shop through a Debezium incremental snapshot into the running pipeline, equal to the sources', async () => {
    const base = loadConfig({ REDIS_URL: env.REDIS_URL, DATABASE_URL: env.DATABASE_URL, KAFKA_BROKERS: env.KAFKA_BROKERS });
    const config = {
      ...base,
      views: { ...base.views, tenant: src.tenant, groupId, changefeedTopic: false as const },
      connectors: [{ name: 'crm', kind: 'rest', endpoint: `${crmUrl}/api/v1`, auth: { type: 'oauth2-client-credentials', tokenUrl: `${crmUrl}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret' } }],
      capture: [{ name: 'crm', kind: 'crm' as const, connector: 'crm', interval: 100 }],
    };
    // The streamed rows reach the pipeline (the order rows wait for their contacts, which nobody streams here).
    await src.waitUntilConsumed(groupId, 60_000);

    // Redis lost the views; a change is made while the rebuild runs.
    await store.clear(src.tenant);
    const chunks: string[] = [];
    const progress = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
    const rebuilding = runViewsRebuild(config, { progress, via: 'debezium', definition: src.definition });
    await src.pool.query(`update ${src.shopSchema}.orders set status = 'shipped', updated_at = now() where id = 'O0'`);
    const report = await rebuilding;

    expect(report.rejected).toEqual([]);
    expect(report.rows).toBe(data.contacts.length * 5); // 40 orders, 80 items, 40 payments re-sent by Debezium, 40 contacts
    const text = chunks.join('');
    expect(text).toMatch(new RegExp(`${src.shopSchema}\\.order_items[^\\n]*100% 80/80`));
    expect(text).toMatch(new RegExp(`applied by ${groupId}[^\\n]*100%`));

    // The streamed update is applied whichever way it raced the snapshot's read of that row.
    await src.waitUntilConsumed(groupId, 60_000);
    const docs = await store.read(src.tenant, data.contacts.map((c) => c.id));
    for (const [i, c] of data.contacts.entries()) {
      const view = parseViewDoc(docs[i]!);
      expect(view.root).toEqual(crm.contact(c.id));
      expect(view.parts.orders).toEqual([expect.objectContaining({
        id: `O${i}`,
        status: i === 0 ? 'shipped' : 'paid',
        customerNo: c.customerNo,
        items: [expect.objectContaining({ lineNo: 1 }), expect.objectContaining({ lineNo: 2, quantity: 2 })],
        payments: [expect.objectContaining({ id: `P${i}` })],
      })]);
    }
  }, 120_000);

  it('says clearly when the connector does not answer the signal', async () => {
    const base = loadConfig({ REDIS_URL: env.REDIS_URL, DATABASE_URL: env.DATABASE_URL, KAFKA_BROKERS: env.KAFKA_BROKERS });
    const config = { ...base, views: { ...base.views, tenant: src.tenant, groupId, changefeedTopic: false as const, debezium: { ...base.views.debezium, notificationTopic: uniqueName('nobody-notifies') } } };
    const progress = new Writable({ write(_c, _e, cb) { cb(); } });
    await expect(runViewsRebuild(config, { progress, via: 'debezium', definition: src.definition, idleTimeoutMs: 3_000 })).rejects.toMatchObject({ code: 'CDC_ERR_SIGNAL_FAILED', message: expect.stringMatching(/no progress from Debezium for 3 s/) });
  }, 60_000);
});
