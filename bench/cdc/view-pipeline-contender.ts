// UniCS's view pipeline in the CDC benchmark (hooks: pipeline-hooks.ts). The real thing: createViewPipeline with the
// customer-360 definition into the Redis view store, the Redis pub/sub changefeed sink the app always runs, and for
// freshness the real GraphQL read path — the schema module reading the views (createCustomerViews), queried when the
// changefeed says customers changed (the customers of one changefeed message in one query, as a console showing
// many customers would ask).
//
// The bench's source has the shop's tables only. The CRM part is stood in for: a contact per customer number (seeded
// before the run, as the poll capture's initial load would) and a CRM watermark kept current, as the poll capture's
// heartbeats keep it. There is no live shop behind the gateway, so the query allows any lag (a stale view would
// otherwise fall back to a live read that cannot answer here); commit -> visible is what is measured.
import { parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { Redis } from 'ioredis';
import { systemClock } from '../../common/clock.ts';
import { createLogger } from '../../common/logger.ts';
import { createViewPipeline, type ViewPipeline } from '../../materialized-views/create-view-pipeline.ts';
import { customer360 } from '../../materialized-views/customer-360.ts';
import { createCustomerViews } from '../../materialized-views/customer-views.ts';
import { projectChange, type RowOp } from '../../materialized-views/project-change.ts';
import { createRedisViewStore } from '../../materialized-views/redis-view-store.ts';
import { createCallbackSink, createRedisChangePublisher } from '../../materialized-views/view-changefeed.ts';
import { indexTables } from '../../materialized-views/view-definition.ts';
import type { ViewStore } from '../../materialized-views/view-store.ts';
import { createSchemaModule, defaultSourceMap } from '../../schema/index.ts';
import type { FreshnessPipelineFactory, PipelineInput, ThroughputPipelineFactory, VisibleOrder } from './pipeline-hooks.ts';

const TENANT = 'bench';
const log = createLogger({ level: 'warn' });
const pad = (i: number) => String(i).padStart(7, '0');

/** One contact per customer number K0000001 … (the contact ids C0000001 … follow the numbers). */
async function seedContacts(store: ViewStore, customers: number): Promise<void> {
  const role = indexTables(customer360).get('crm.contacts')!;
  const now = Date.now();
  for (let start = 1; start <= customers; start += 1000) {
    const ops: RowOp[] = [];
    for (let i = start; i < Math.min(start + 1000, customers + 1); i++) {
      ops.push(projectChange(role, {
        kind: 'change', op: 'read', schema: 'crm', table: 'contacts', key: { id: `C${pad(i)}` }, before: null,
        after: { id: `C${pad(i)}`, firstName: 'Bench', lastName: `Customer ${i}`, customerNo: `K${pad(i)}`, helpdeskUserId: null, updatedAt: new Date(now).toISOString() },
        unavailable: [], position: { commitLsn: null, lsn: BigInt(now) * 1000n, txId: null, snapshot: true }, snapshot: 'true', sourceTsMs: now, eventTsMs: null, flattened: false,
      }));
    }
    await store.apply(TENANT, ops);
  }
}

interface Built {
  readonly redis: Redis;
  readonly store: ViewStore;
  readonly pipeline: ViewPipeline;
}

function build(input: PipelineInput, onChange: (customerIds: string[]) => void): Built {
  const redis = new Redis(input.redisUrl);
  const store = createRedisViewStore({ redis, definition: customer360, keyPrefix: input.keyPrefix });
  const pipeline = createViewPipeline({
    definition: customer360,
    store,
    tenant: TENANT,
    brokers: input.brokers,
    groupId: input.groupId,
    topics: [input.topics.orders, input.topics.orderItems, input.topics.payments],
    ...(input.topics.heartbeat ? { heartbeats: { [input.topics.heartbeat]: 'shop' } } : {}),
    sinks: [
      createRedisChangePublisher(redis, { ...customer360, name: `${input.keyPrefix}${customer360.name}` }),
      createCallbackSink('bench', (changes) => onChange(changes.map((c) => c.customerId))),
    ],
    log,
  });
  return { redis, store, pipeline };
}

// The customers a changefeed message names are read in one query, executed as the gateway executes operations
// (graphql-jit, compiled once): a read per customer cost ~0.6 ms of CPU in this process and ~0.2 ms in Redis, which
// at 1,000 changes/s put the measuring client's own queueing into the tail it measures (~0.2 + 0.07 per customer
// in one query of 20).
const QUERY = parse('query Fresh($ids: [ID!]!) @freshness(maxLagMs: 600000) { customers(ids: $ids) { orders(first: 1000) { id updatedAt } } }');
const MAX_IDS_PER_READ = 100;

export const createFreshnessPipeline: FreshnessPipelineFactory = async (input) => {
  const listeners = new Set<(o: VisibleOrder) => void>();
  const reader = new Redis(input.redisUrl);
  const readStore = createRedisViewStore({ redis: reader, definition: customer360, keyPrefix: input.keyPrefix });
  const schema = createSchemaModule({
    connectors: new Map(), sources: defaultSourceMap, changeFeed: { publish() {}, subscribe: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) }) },
    clock: systemClock, log, views: createCustomerViews(readStore, systemClock),
  });
  const principal = { subject: 'bench', tenant: TENANT, roles: ['agent'] };
  const readMs: number[] = [];
  const compiled = compileQuery(schema.schema, QUERY);
  if (!isCompiledQuery(compiled)) throw new Error(`the freshness query does not compile: ${JSON.stringify(compiled.errors)}`);
  const look = async (ids: string[]) => {
    const asked = performance.now();
    const contextValue = schema.createContext(principal, { signal: AbortSignal.timeout(10_000), explain: false });
    const result = await compiled.query(undefined, contextValue, { ids });
    const visibleAt = performance.timeOrigin + performance.now();
    readMs.push(visibleAt - performance.timeOrigin - asked);
    const customers = (result.data as { customers?: Array<{ orders?: Array<{ id: string; updatedAt: string }> | null } | null> } | null | undefined)?.customers ?? [];
    for (const c of customers) for (const o of c?.orders ?? []) for (const l of listeners) l({ orderId: o.id, updatedAt: o.updatedAt, visibleAt });
  };
  const built = build(input, (changed) => {
    const ids = [...new Set(changed)];
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_READ) void look(ids.slice(i, i + MAX_IDS_PER_READ));
  });
  // Where the time goes: source commit -> view written (the pipeline's own measure), per batch apply time.
  const written: number[] = [];
  const applyMs: number[] = [];
  built.pipeline.events.on('view.freshness', (e) => void written.push(e.lagMs));
  built.pipeline.events.on('view.applied', (e) => void applyMs.push(e.durationMs));
  // The CRM is idle in this run: its watermark moves as the poll capture's heartbeats would move it.
  let crmBeat: NodeJS.Timeout | undefined;
  return {
    async start() {
      await seedContacts(built.store, input.customers);
      const beat = () => void built.store.advanceWatermark(TENANT, 'crm', { tsMs: Date.now() - 50, appliedAtMs: Date.now() });
      beat();
      crmBeat = setInterval(beat, 100);
      await built.pipeline.start();
    },
    onVisible(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async stop() {
      const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
      process.stderr.write(`[views] commit -> view written p50 ${pct(written, 50)} ms, p99 ${pct(written, 99)} ms (${written.length}); batch apply p50 ${pct(applyMs, 50)} ms, p99 ${pct(applyMs, 99)} ms (${applyMs.length} batches); GraphQL read after the notice p50 ${pct(readMs, 50).toFixed(1)} ms, p99 ${pct(readMs, 99).toFixed(1)} ms\n`);
      clearInterval(crmBeat);
      await built.pipeline.stop();
      await built.store.clear(TENANT);
      built.redis.disconnect();
      reader.disconnect();
    },
  };
};

export const createThroughputPipeline: ThroughputPipelineFactory = async (input) => {
  const built = build(input, () => {});
  const listeners = new Set<(n: number) => void>();
  built.pipeline.consumer.events.on('cdc.applied', (e) => {
    for (const l of listeners) l(e.count);
  });
  return {
    async start() {
      await seedContacts(built.store, 10_000);
      await built.pipeline.start();
    },
    onApplied(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async stop() {
      await built.pipeline.stop();
      await built.store.clear(TENANT);
      built.redis.disconnect();
    },
  };
};
