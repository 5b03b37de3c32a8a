// UniCS's view path in the gateway benchmark (issue 4: "the view path separately … at least half of what the same
// server does with every answer already in process memory; measure that ceiling in the same run"):
//   unics-views         node app/main.ts with views on: every profile and list is answered from the customer-360
//                       views in the stack's Redis (one read of the views and watermarks per request, composed views
//                       kept as text), no upstream call. The views are filled before it starts, under a tenant of
//                       this run's own (key prefix unics:view:customer360:<tenant>:), and removed after it stopped.
//   unics-memory-views  the same config, server and resolvers, its view store in process memory, filled with the same
//                       views (unics-memory-views.ts): the ceiling. Only the view store differs.
import { Redis } from 'ioredis';
import type { DemoData } from '../../examples/legacy/demo-data.ts';
import { createRedisViewStore, customer360 } from '../../materialized-views/index.ts';
import { createStack } from '../../stack/stack.ts';
import { stackOptionsFromEnv } from '../../stack/stack-options.ts';
import { repoRoot } from '../lib/results.ts';
import type { SourceName } from './upstream-counter.ts';
import { fillViews, type FillReport } from './view-fill.ts';

/** REDIS_URL, else the running stack's Redis (`npm run stack -- env`); undefined when neither is there. */
export function stackRedisUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.REDIS_URL) return env.REDIS_URL;
  try {
    return createStack(stackOptionsFromEnv(env, repoRoot, () => {})).env()?.REDIS_URL;
  } catch {
    return undefined;
  }
}

/** Fills the tenant's views in Redis; clear() removes them (the stack's Redis is shared: only this tenant's keys). */
export async function fillRedisViews(
  redisUrl: string,
  tenant: string,
  sims: Readonly<Record<SourceName, string>>,
  data: DemoData,
): Promise<FillReport & { clear(): Promise<void> }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const store = createRedisViewStore({ redis, definition: customer360 });
  const clear = async () => {
    try {
      await store.clear(tenant);
    } finally {
      await redis.quit().catch(() => redis.disconnect());
    }
  };
  try {
    return { ...(await fillViews(store, tenant, sims, data)), clear };
  } catch (err) {
    await clear().catch(() => {});
    throw err;
  }
}
