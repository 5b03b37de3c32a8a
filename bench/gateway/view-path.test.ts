// The gateway benchmark's view path: the views it fills answer the benchmark's queries exactly as the demo data says,
// without an upstream call (the ceiling contender's set-up, in process: simulators, memory store, buildApp), and
// its config and report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../app/build-app.ts';
import { parseConfig } from '../../app/config.ts';
import { createLogger, systemClock } from '../../common/index.ts';
import { startLegacySystems, type LegacySystems } from '../../examples/legacy/start-legacy-systems.ts';
import { signDevToken } from '../../gateway/auth/sign-dev-token.ts';
import { createCustomerViews, createMemoryViewStore, customer360 } from '../../materialized-views/index.ts';
import { repoRoot } from '../lib/results.ts';
import { canonicalAnswer, expectedAnswer, requestBody } from './queries.ts';
import { summarize, viewGoalChecks, viewPathTable, type Cell } from './report.ts';
import { BENCH_JWT_SECRET, unicsBenchConfig } from './unics-config.ts';
import { fillViews, rowSnapshot, shopRows } from './view-fill.ts';

const TENANT = 'benchtest';
let systems: LegacySystems;
let app: App;
let filled: Awaited<ReturnType<typeof fillViews>>;

beforeAll(async () => {
  systems = await startLegacySystems({ customers: 60 });
  const store = createMemoryViewStore(customer360);
  filled = await fillViews(store, TENANT, systems.urls, systems.data);
  const example = readFileSync(join(repoRoot, 'unics.example.yaml'), 'utf8');
  const config = parseConfig(unicsBenchConfig(example, systems.urls, 0, { views: { tenant: TENANT } }), 'bench config');
  app = await buildApp(config, { log: createLogger({ level: 'silent' }), views: { views: createCustomerViews(store, systemClock), pipeline: undefined } });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await systems?.close();
});

describe('gateway bench: the view path', () => {
  it('fills one view per customer, every row placed', () => {
    expect(filled.views).toBe(60);
    expect(filled.rebuild.rejected).toEqual([]);
    expect(filled.rebuild.rows).toBe(60 + systems.data.orders.length + systems.data.items.length + systems.data.payments.length + systems.data.tickets.length);
  });

  it('answers the profile and the 50-customer list from the views as the demo data says, with no upstream call', async () => {
    const token = await signDevToken({ secret: BENCH_JWT_SECRET, tenant: TENANT, roles: ['agent'] });
    systems.resetStats();
    for (const query of ['profile', 'list'] as const) {
      const res = await app.gateway.fastify.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, payload: requestBody('unics-views', query) });
      expect(res.statusCode).toBe(200);
      expect(canonicalAnswer('unics-memory-views', res.json())).toEqual(expectedAnswer(systems.data, query));
    }
    expect(systems.requestCounts()).toEqual({ crm: 0, shop: 0, helpdesk: 0, wms: 0 });
  });

  it('turns shop rows into snapshot reads in the seed columns', async () => {
    const rows = shopRows(systems.data);
    expect(rows['shop.orders'][0]).toEqual(expect.objectContaining({ id: systems.data.orders[0]!.id, customer_no: systems.data.orders[0]!.customerNo, total_cents: systems.data.orders[0]!.totalCents }));
    const pages: unknown[][] = [];
    for await (const page of rowSnapshot('shop.order_items', rows['shop.order_items'], 100).pages()) pages.push([...page]);
    expect(pages.flat()).toHaveLength(rows['shop.order_items'].length);
    expect(pages[0]![0]).toMatchObject({ op: 'read', schema: 'shop', table: 'order_items', key: { order_id: rows['shop.order_items'][0]!.order_id, line_no: 1 }, position: { snapshot: true } });
  });

  it('configures views on (Redis, never consumed, a day of freshness budget) for the tenant of the token only', () => {
    const example = readFileSync(join(repoRoot, 'unics.example.yaml'), 'utf8');
    const sims = systems.urls;
    const live = unicsBenchConfig(example, sims, 1);
    expect(live.views).toEqual({ enabled: false });
    const redis = unicsBenchConfig(example, sims, 1, { views: { tenant: 't1' }, redisUrl: 'redis://127.0.0.1:1' });
    expect(redis.views).toMatchObject({ enabled: true, consume: false, changefeedTopic: false, tenant: 't1', freshnessBudget: '1d' });
    expect(redis.services).toEqual({ redisUrl: 'redis://127.0.0.1:1' });
    expect(redis.auth).toMatchObject({ tenants: ['t1'] });
    expect(unicsBenchConfig(example, sims, 1, { views: { tenant: 't1' } }).views).toMatchObject({ enabled: false, tenant: 't1' });
  });

  it('reports the view path against its ceiling', () => {
    const cell = (contender: Cell['contender'], query: Cell['query'], rps: number): Cell => ({
      contender,
      query,
      throughput: [{ round: 1, rps, p50Ms: 1, p99Ms: 2, errors: 0, responses: rps * 10, upstream: { crm: 0, shop: 0, helpdesk: 0, wms: 0 }, cpuMsPerRequest: 0.3 }],
      rate: [],
      peakRssBytes: 200 * 1024 * 1024,
    });
    const rows = [cell('unics-views', 'profile', 900), cell('unics-memory-views', 'profile', 1000), cell('unics-views', 'list', 40), cell('unics-memory-views', 'list', 100)].map(summarize);
    expect(viewGoalChecks(rows).map((c) => [c.value, c.met])).toEqual([
      ['0.9×', true],
      ['0.4×', false],
    ]);
    expect(viewPathTable(rows, 32)).toContain('| profile (1 customer) | UniCS, views in Redis | 900 | 0.9 |');
  });
});
