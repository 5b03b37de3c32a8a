// `unics views rebuild` on the real stack: the shop's rows from a PostgreSQL snapshot, the contacts through the CRM
// simulator's change API, into Redis, while the pipeline keeps applying streamed changes.
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { generateDemoData } from '../examples/legacy/demo-data.ts';
import { createCrmSimulator, type CrmSimulator } from '../examples/legacy/crm/index.ts';
import { createViewPipeline, type ViewPipeline } from '../materialized-views/create-view-pipeline.ts';
import { createRedisViewStore } from '../materialized-views/redis-view-store.ts';
import { createIsolatedSources, type IsolatedSources } from '../materialized-views/test-support/isolated-sources.ts';
import { parseViewDoc, type ViewStore } from '../materialized-views/view-store.ts';
import { uniqueName, waitFor } from '../test/support/wait-for.ts';
import { loadConfig } from './config.ts';
import { runViewsRebuild } from './views-rebuild.ts';

const env = inject('stackEnv');
const data = generateDemoData({ customers: 30 });

let src: IsolatedSources;
let crm: CrmSimulator;
let crmUrl: string;
let redis: Redis;
let store: ViewStore;
let pipeline: ViewPipeline;

function configFor(tenant: string) {
  const base = loadConfig({ REDIS_URL: env.REDIS_URL, DATABASE_URL: env.DATABASE_URL });
  return {
    ...base,
    views: { ...base.views, tenant, changefeedTopic: false as const },
    connectors: [{ name: 'crm', kind: 'rest', endpoint: `${crmUrl}/api/v1`, auth: { type: 'oauth2-client-credentials', tokenUrl: `${crmUrl}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret' } }],
    capture: [{ name: 'crm', kind: 'crm' as const, connector: 'crm', interval: 100 }],
  };
}

function progressSink() {
  const chunks: string[] = [];
  return { out: new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), text: () => chunks.join('') };
}

beforeAll(async () => {
  src = await createIsolatedSources(env);
  crm = createCrmSimulator({ data });
  crmUrl = await crm.listen(0);
  redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  store = createRedisViewStore({ redis, definition: src.definition });
  // Orders of the demo customers, with items and payments, before any view exists.
  for (const [i, c] of data.contacts.entries()) {
    await src.pool.query(`insert into ${src.shopSchema}.orders values ($1, $2, 'paid', 1000, 'EUR', now(), now())`, [`O${i}`, c.customerNo]);
    await src.pool.query(`insert into ${src.shopSchema}.order_items values ($1, 1, 'SKU', 'Thing', 1, 1000)`, [`O${i}`]);
    await src.pool.query(`insert into ${src.shopSchema}.payments values ($1, $2, 'card', 'captured', 1000, now(), now())`, [`P${i}`, `O${i}`]);
  }
  pipeline = createViewPipeline({ definition: src.definition, store, tenant: src.tenant, brokers: env.KAFKA_BROKERS.split(','), groupId: uniqueName('views-rebuild'), topics: [...src.topics], log: createLogger({ level: 'silent' }) });
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
  await store?.clear(src.tenant);
  await redis?.quit();
  await crm?.close();
  await src?.close();
});

describe('unics views rebuild', () => {
  it('rebuilds every view from the snapshot and the CRM, equal to the sources, with a progress bar', async () => {
    const progress = progressSink();
    const report = await runViewsRebuild(configFor(src.tenant), { progress: progress.out, clear: true, definition: src.definition });
    expect(report.rejected).toEqual([]);
    expect(report.rows).toBe(data.contacts.length * 4);
    expect(progress.text()).toMatch(/\[#+\] 100% 30\/30/);
    expect(progress.text()).toMatch(/rebuilt the customer360 views of tenant t\w+: 120 rows/);
    const docs = await store.read(src.tenant, data.contacts.map((c) => c.id));
    for (const [i, c] of data.contacts.entries()) {
      const view = parseViewDoc(docs[i]!);
      expect(view.root).toEqual(crm.contact(c.id));
      expect(view.parts.orders).toEqual([expect.objectContaining({ id: `O${i}`, customerNo: c.customerNo, items: [expect.objectContaining({ lineNo: 1 })], payments: [expect.objectContaining({ id: `P${i}` })] })]);
    }
  }, 60_000);

  it('never lets older snapshot rows overwrite a change streamed after the snapshot, and a second rebuild changes nothing', async () => {
    await pipeline.start();
    const c = data.contacts[0]!;
    // The snapshot is taken first; then the order changes and the pipeline applies the change.
    const rebuilding = runViewsRebuild(configFor(src.tenant), { progress: progressSink().out, definition: src.definition });
    await src.pool.query(`update ${src.shopSchema}.orders set status = 'refunded', updated_at = now() where id = 'O0'`);
    await waitFor(async () => {
      const [doc] = await store.read(src.tenant, [c.id]);
      return doc && parseViewDoc(doc).parts.orders?.[0]?.status === 'refunded' ? true : undefined;
    }, { timeoutMs: 20_000, intervalMs: 20, what: 'the streamed refund' });
    await rebuilding;
    const [after] = await store.read(src.tenant, [c.id]);
    expect(parseViewDoc(after!).parts.orders?.[0]?.status).toBe('refunded');

    const before = await store.read(src.tenant, data.contacts.map((x) => x.id));
    const again = await runViewsRebuild(configFor(src.tenant), { progress: progressSink().out, definition: src.definition });
    expect(again.viewWrites).toBe(0);
    expect(await store.read(src.tenant, data.contacts.map((x) => x.id))).toEqual(before);
  }, 60_000);
});
