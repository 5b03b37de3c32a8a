// Crash recovery on the real stack: a writer makes 10,000 row changes in PostgreSQL (and CRM mapping changes on Kafka)
// while the view pipeline runs in a process of its own; the pipeline is SIGKILLed mid-stream and restarted. When
// everything is consumed, every view must equal what the source tables say — compared in full, not sampled.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../test/support/wait-for.ts';
import { createRedisViewStore } from './redis-view-store.ts';
import { expectViewsEqualSources, waitForEndOfStream } from './test-support/expect-views-equal-sources.ts';
import { createIsolatedSources, type IsolatedSources } from './test-support/isolated-sources.ts';
import { startPipelineProcess, type PipelineProcess } from './test-support/pipeline-process-handle.ts';
import { createRandomShopChanges } from './test-support/random-shop-changes.ts';
import type { ViewStore } from './view-store.ts';

const env = inject('stackEnv');
const CHANGES = 10_000;
const CUSTOMERS = 200;

let src: IsolatedSources;
let redis: Redis;
let store: ViewStore;
let groupId: string;
const children: PipelineProcess[] = [];

beforeAll(async () => {
  src = await createIsolatedSources(env);
  redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  store = createRedisViewStore({ redis, definition: src.definition });
  groupId = uniqueName('views-crash');
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await store?.clear(src.tenant);
  await redis?.quit();
  await src?.close();
});

const start = async () => {
  const p = await startPipelineProcess({ env, src, groupId });
  children.push(p);
  return p;
};

describe('views after a SIGKILL of the pipeline mid-stream', () => {
  it('equal the source tables exactly once every change is consumed', async () => {
    const writer = createRandomShopChanges(src, { customers: CUSTOMERS, seed: 20261123 });
    await writer.seedContacts();
    let first = await start();
    let killedAt = -1;
    let changes = 0;
    const client = await src.pool.connect();
    try {
      while (changes < CHANGES) {
        changes += await writer.transaction(client);
        if (killedAt < 0 && first.applied() >= 2_000) {
          killedAt = first.applied();
          await first.kill('SIGKILL');
          first = await start();
        }
      }
      await writer.writeEndMarker(client);
    } finally {
      client.release();
    }
    expect(killedAt).toBeGreaterThan(0);

    await waitForEndOfStream(src, store, groupId, 120_000);
    const compared = await expectViewsEqualSources(src, store, writer.contacts);
    expect(compared).toBeGreaterThan(500);
  }, 300_000);
});
