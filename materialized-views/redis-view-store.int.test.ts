import { Redis } from 'ioredis';
import { afterAll, beforeAll, inject } from 'vitest';
import { customer360 } from './customer-360.ts';
import { createRedisViewStore } from './redis-view-store.ts';
import { describeViewStoreContract } from './view-store-contract.ts';
import type { ViewStore } from './view-store.ts';

let redis: Redis;
let store: ViewStore;

beforeAll(() => {
  redis = new Redis(inject('stackEnv').REDIS_URL, { maxRetriesPerRequest: 1 });
  store = createRedisViewStore({ redis, definition: customer360, maxOpsPerCall: 100 });
});
afterAll(async () => {
  await redis.quit();
});

describeViewStoreContract('redis view store', () => store);
