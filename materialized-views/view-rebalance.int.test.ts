// Rebalances on the real stack: while a writer keeps changing the shop's tables (and CRM mappings on Kafka), view
// pipelines join one consumer group, one leaves gracefully and one is SIGKILLed, so partitions move between
// instances three times mid-stream. Offsets are committed only after a batch is applied and the store ignores
// versions it has, so nothing may be lost and nothing applied out of order: afterwards every view equals the source
// tables exactly (a full comparison).
import { setTimeout as sleep } from 'node:timers/promises';
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

let src: IsolatedSources;
let redis: Redis;
let store: ViewStore;
let groupId: string;
const children: PipelineProcess[] = [];

beforeAll(async () => {
  src = await createIsolatedSources(env);
  redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  store = createRedisViewStore({ redis, definition: src.definition });
  groupId = uniqueName('views-rebalance');
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

describe('views while instances join and leave the consumer group', () => {
  it('equal the source tables exactly after joins, a graceful leave and a SIGKILL', async () => {
    const writer = createRandomShopChanges(src, { customers: 150, seed: 20261207 });
    await writer.seedContacts();
    const client = await src.pool.connect();
    let changes = 0;
    /** Keeps writing (small transactions, paced) until `done` holds or the deadline passes. */
    const writeUntil = async (done: () => boolean, what: string, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms writing until ${what}`);
        changes += await writer.transaction(client, 10);
        await sleep(5);
      }
    };
    try {
      const a = await start();
      await writeUntil(() => a.applied() >= 500, 'the first instance applied 500 changes');

      // Two more instances join: the group rebalances and spreads the 16 partitions over three members.
      const [b, c] = await Promise.all([start(), start()]);
      await writeUntil(() => b.applied() > 0 && c.applied() > 0, 'both new instances applied changes');

      // One leaves gracefully (SIGTERM: stop, commit, leave the group): its partitions move at once.
      const before = a.applied() + c.applied();
      await b.kill('SIGTERM');
      expect(b.proc.exitCode).toBe(0);
      await writeUntil(() => a.applied() + c.applied() >= before + 500, 'the remaining instances applied 500 more');

      // One dies (SIGKILL): its partitions move when its session times out; the writer keeps going meanwhile.
      await c.kill('SIGKILL');
      const until = Date.now() + 5_000;
      await writeUntil(() => Date.now() > until, 'five seconds after the SIGKILL');
      await writer.writeEndMarker(client);

      expect(changes).toBeGreaterThan(2_000);
    } finally {
      client.release();
    }

    await waitForEndOfStream(src, store, groupId, 120_000);
    const compared = await expectViewsEqualSources(src, store, writer.contacts);
    expect(compared).toBeGreaterThan(200);
  }, 300_000);
});
