// The changefeed: where view changes go after the store applied them.
// - Redis pub/sub, one channel per view and tenant: every gateway instance subscribes and feeds its GraphQL
//   subscriptions (and the chat core's business events), whichever instance applied the change.
// - The compacted Kafka topic `unics.customer360` for data teams: key = customer id, value = the view with its version
//   (a tombstone when the view is deleted), header `unics-tenant`.
// - In process, for the embedded demo and tests.
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Admin, Message, Producer } from 'kafkajs';
import { ensureTopics } from '../cdc/ensure-topics.ts';
import type { ChangeReason } from './describe-change.ts';
import type { ViewChange, ViewChangeSink } from './create-view-pipeline.ts';
import type { ViewDefinition } from './view-definition.ts';
import type { ViewStore } from './view-store.ts';

/** What a subscriber learns about a change (the view itself is read through the store when needed). */
export interface ViewChangeNotice {
  readonly tenant: string;
  readonly customerId: string;
  readonly version: number;
  readonly deleted: boolean;
  readonly reasons: readonly ChangeReason[];
  readonly appliedAtMs: number;
  readonly sourceTsMs: number | null;
}

export const changeChannel = (def: ViewDefinition, tenant: string) => `unics:view:${def.name}:${tenant}:changes`;

export const noticeOf = (c: ViewChange): ViewChangeNotice => ({
  tenant: c.tenant,
  customerId: c.customerId,
  version: c.version,
  deleted: c.deleted,
  reasons: c.reasons,
  appliedAtMs: c.appliedAtMs,
  sourceTsMs: c.sourceTsMs,
});

/**
 * One message per tenant per batch of changes: a JSON array of notices (a single notice object is read too). A
 * PUBLISH per view cost the applying instance more than composing the view (one command per change at 20k+/s).
 */
export function createRedisChangePublisher(redis: Redis, def: ViewDefinition): ViewChangeSink {
  return {
    name: 'redis-pubsub',
    async publish(changes) {
      const byTenant = new Map<string, ViewChangeNotice[]>();
      for (const c of changes) {
        const list = byTenant.get(c.tenant);
        if (list === undefined) byTenant.set(c.tenant, [noticeOf(c)]);
        else list.push(noticeOf(c));
      }
      if (byTenant.size === 1) {
        for (const [tenant, notices] of byTenant) await redis.publish(changeChannel(def, tenant), JSON.stringify(notices));
        return;
      }
      const pipeline = redis.pipeline();
      for (const [tenant, notices] of byTenant) pipeline.publish(changeChannel(def, tenant), JSON.stringify(notices));
      const results = (await pipeline.exec()) ?? [];
      for (const [err] of results) if (err) throw err;
    },
  };
}

function isNotice(v: unknown): v is ViewChangeNotice {
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Partial<ViewChangeNotice>;
  return typeof n.tenant === 'string' && typeof n.customerId === 'string' && typeof n.version === 'number' && Array.isArray(n.reasons);
}

/**
 * Listens to every tenant's changes of one view on a dedicated Redis connection (a subscribed connection can do
 * nothing else). Returns a function that unsubscribes. Malformed messages are counted and dropped.
 */
export async function subscribeViewChanges(
  subscriber: Redis,
  def: ViewDefinition,
  onNotice: (notice: ViewChangeNotice) => void,
  onMalformed: (raw: string) => void = () => {},
): Promise<() => Promise<void>> {
  const pattern = `unics:view:${def.name}:*:changes`;
  const listener = (_pattern: string, _channel: string, message: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      onMalformed(message);
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0 || !parsed.every(isNotice)) onMalformed(message);
      else for (const notice of parsed) onNotice(notice);
    } else if (isNotice(parsed)) onNotice(parsed);
    else onMalformed(message);
  };
  subscriber.on('pmessage', listener);
  await subscriber.psubscribe(pattern);
  return async () => {
    subscriber.off('pmessage', listener);
    await subscriber.punsubscribe(pattern);
  };
}

export const CUSTOMER360_TOPIC = 'unics.customer360';

/** Creates the compacted topic when missing (partitions by customer key). */
export async function ensureViewTopic(admin: Admin, topic: string = CUSTOMER360_TOPIC, partitions = 4): Promise<void> {
  await ensureTopics(admin, [{ topic, numPartitions: partitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
}

/**
 * The data teams' topic: the whole view as the value, so a compacted topic holds every customer's latest view. The
 * views are read from the store when published (composed there once per change batch); a view deleted meanwhile
 * becomes a tombstone.
 */
export function createKafkaViewTopicSink(producer: Producer, store: Pick<ViewStore, 'read'>, topic: string = CUSTOMER360_TOPIC): ViewChangeSink {
  // A view composed once may answer two batches that touched it (the later read sees the newer version): each
  // version of a view goes to the topic once, so the last version published per customer is remembered.
  const published = new LRUCache<string, number>({ max: 100_000 });
  return {
    name: `kafka:${topic}`,
    async publish(changes) {
      const byTenant = new Map<string, ViewChange[]>();
      for (const c of changes) byTenant.set(c.tenant, [...(byTenant.get(c.tenant) ?? []), c]);
      const messages: Message[] = [];
      const sent: Array<[string, number]> = [];
      for (const [tenant, list] of byTenant) {
        const docs = await store.read(tenant, list.map((c) => c.customerId));
        list.forEach((c, i) => {
          const doc = c.deleted ? null : (docs[i] ?? null);
          // The view text is embedded as it is: no second parse and serialization per change.
          const version = doc === null ? c.version : parseVersion(doc, c.version);
          const key = `${tenant}\u0000${c.customerId}`;
          if (doc !== null && (published.get(key) ?? -1) >= version) return;
          sent.push([key, version]);
          messages.push({
            key: c.customerId,
            value: doc === null ? null : `{"tenant":${JSON.stringify(tenant)},"customerId":${JSON.stringify(c.customerId)},"version":${version},"view":${doc}}`,
            headers: { 'unics-tenant': tenant, 'unics-version': String(version) },
          });
        });
      }
      if (messages.length > 0) await producer.send({ topic, messages });
      // Remembered only once sent: a failed send is retried whole.
      for (const [key, version] of sent) published.set(key, version);
    },
  };
}

/** The version a composed view carries (it may be newer than the change's: the view was composed later). */
function parseVersion(doc: string, fallback: number): number {
  const m = /"version":(\d+)/.exec(doc);
  return m ? Number(m[1]) : fallback;
}

/** Hands changes to a function in process (the embedded demo's changefeed, tests). */
export function createCallbackSink(name: string, onChanges: (changes: readonly ViewChange[]) => void): ViewChangeSink {
  return {
    name,
    async publish(changes) {
      onChanges(changes);
    },
  };
}
