// Business events end to end on the stack: a view change published on Redis (as the view pipeline publishes it)
// reaches three subscribed "instances"; the customer's open conversation in PostgreSQL gets the event once, with
// the next seq, delivered by exactly one instance.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { customer360 } from '../../materialized-views/customer-360.ts';
import { createRedisChangePublisher, subscribeViewChanges } from '../../materialized-views/view-changefeed.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { runChatMigrations } from '../db/migrate.ts';
import { chatCoreMigrations } from '../store/chat-migrations.ts';
import type { EventEntry } from '../store/chat-store.ts';
import { createSqlChatStore } from '../store/sql-chat-store.ts';
import { createPgSchemas } from '../test-support/pg-schemas.ts';
import { createBusinessEvents, openConversationsOf } from './business-events.ts';

const env = inject('stackEnv');
const pgSchemas = createPgSchemas(env.DATABASE_URL);
const redises: Redis[] = [];
const unsubscribes: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const u of unsubscribes) await u();
  for (const r of redises) r.disconnect();
  await pgSchemas.close();
});

describe('business events from the Redis changefeed (PostgreSQL + Redis)', () => {
  const tenant = `t${randomBytes(4).toString('hex')}`;
  const delivered: Array<{ instance: number; entry: EventEntry }> = [];
  // Which instances have handled the sentinel change: each handles notices in order, so all before it are done.
  const sawSentinel = new Set<number>();
  let conversationId = '';
  let publisherRedis: Redis;
  let reader: ReturnType<typeof createSqlChatStore>;

  beforeAll(async () => {
    const main = pgSchemas.database();
    await runChatMigrations(main, chatCoreMigrations());
    const { conversation } = await createSqlChatStore(main).openConversation(tenant, 'C000001');
    conversationId = conversation.id;
    reader = createSqlChatStore(main);
    for (let i = 0; i < 3; i++) {
      const db = pgSchemas.database(main.schema, 2);
      const events = createBusinessEvents({
        store: createSqlChatStore(db),
        openConversations: (t, customerId) => {
          if (customerId === 'SENTINEL') sawSentinel.add(i);
          return openConversationsOf(db)(t, customerId);
        },
        onStored: (_t, entry) => delivered.push({ instance: i, entry }),
      });
      const subscriber = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
      redises.push(subscriber);
      // Other tests share this Redis: only this tenant's changes matter here.
      unsubscribes.push(await subscribeViewChanges(subscriber, customer360, (n) => n.tenant === tenant && events.enqueue(n)));
    }
    publisherRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
    redises.push(publisherRedis);
  });

  it('one event per (view version, reason), stored once and delivered by one instance', async () => {
    const publish = createRedisChangePublisher(publisherRedis, customer360);
    const change = (version: number, kind: string) => ({
      tenant,
      customerId: 'C000001',
      version,
      deleted: false,
      reasons: [{ kind, subject: 'O0000042', text: `order O0000042 ${kind.split('.')[1]}`, source: 'shop' }],
      appliedAtMs: Date.now(),
      sourceTsMs: null,
    });
    await publish.publish([change(1, 'order.paid')]);
    await publish.publish([change(1, 'order.paid')]); // a republished batch (the pipeline retried): no second event
    await publish.publish([change(2, 'contact.updated')]); // not a business event
    await publish.publish([change(3, 'order.shipped')]);
    await publish.publish([{ ...change(4, 'order.paid'), customerId: 'SENTINEL' }]);
    await waitFor(() => (sawSentinel.size === 3 ? true : undefined), { what: 'every instance to handle every change' });
    const entries = await reader.entriesAfter(tenant, conversationId, 0, 10);
    expect(entries.map((e) => [e.seq, e.kind === 'event' ? e.eventKind : e.kind])).toEqual([
      [1, 'order.paid'],
      [2, 'order.shipped'],
    ]);
    expect(delivered.map((d) => d.entry.seq).sort()).toEqual([1, 2]);
  });
});
