// Integration tests of the pipeline share one stack (one PostgreSQL captured by one Debezium connector, one Kafka):
// each test gets its own copy of the shop's tables in a schema of its own, its own CRM topic and its own tenant, and
// the customer-360 definition pointed at them.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import { ensureTopics } from '../../cdc/ensure-topics.ts';
import { shopSchemaSql } from '../../examples/legacy/shop/shop-seed.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { customer360 } from '../customer-360.ts';
import type { ViewDefinition } from '../view-definition.ts';

/** The definition with its tables' schemas renamed ({shop: "shop_ab12"}). */
export function withSchemas(def: ViewDefinition, schemas: Readonly<Record<string, string>>): ViewDefinition {
  const rename = (table: string) => {
    const [schema, name] = table.split('.') as [string, string];
    return `${schemas[schema] ?? schema}.${name}`;
  };
  return {
    ...def,
    root: { ...def.root, table: rename(def.root.table) },
    parts: def.parts.map((p) => ({ ...p, table: rename(p.table), children: p.children.map((c) => ({ ...c, table: rename(c.table) })) })),
  };
}

export interface IsolatedSources {
  readonly id: string;
  readonly tenant: string;
  readonly shopSchema: string;
  readonly crmSchema: string;
  readonly definition: ViewDefinition;
  readonly pool: pg.Pool;
  readonly kafka: Kafka;
  readonly producer: Producer;
  /** Topics the pipeline reads (created before it subscribes, with 4 partitions like Debezium's). */
  readonly topics: readonly string[];
  /** Waits until consumer group `groupId` has committed the end of every partition of `topics`. */
  waitUntilConsumed(groupId: string, timeoutMs: number): Promise<void>;
  /** Produces a CRM contact change as the poll capture does. */
  contactChange(op: 'r' | 'c' | 'u', contact: Record<string, unknown>, lsn: number, tsMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createIsolatedSources(env: { KAFKA_BROKERS: string; DATABASE_URL: string }): Promise<IsolatedSources> {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const shopSchema = `shop_${id}`;
  const crmSchema = `crm_${id}`;
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 8 });
  await pool.query(shopSchemaSql().replace(/\bshop\./g, `${shopSchema}.`).replace(/create schema shop;/, `create schema ${shopSchema};`));
  const kafka = new Kafka({ clientId: `views-test-${id}`, brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const topics = [`unics.${shopSchema}.orders`, `unics.${shopSchema}.order_items`, `unics.${shopSchema}.payments`, `unics.${crmSchema}.contacts`];
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topics.map((topic) => ({ topic, numPartitions: 4 })));
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const crmTopic = topics[3]!;
  return {
    id,
    tenant: `t${id}`,
    shopSchema,
    crmSchema,
    definition: withSchemas(customer360, { shop: shopSchema, crm: crmSchema }),
    pool,
    kafka,
    producer,
    topics,
    async waitUntilConsumed(groupId, timeoutMs) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await waitFor(async () => {
          for (const topic of topics) {
            const ends = await admin.fetchTopicOffsets(topic);
            const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
            for (const end of ends) {
              const committed = group?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
              if (end.high !== '0' && BigInt(committed) < BigInt(end.high)) return undefined;
            }
          }
          return true;
        }, { timeoutMs, intervalMs: 100, what: `group ${groupId} to consume every partition` });
      } finally {
        await admin.disconnect();
      }
    },
    async contactChange(op, contact, lsn, tsMs = Date.now()) {
      await producer.send({
        topic: crmTopic,
        messages: [{
          key: JSON.stringify({ id: contact.id }),
          value: JSON.stringify({
            before: null,
            after: contact,
            op,
            source: { version: 'unics-poll/1', connector: 'unics-poll', name: 'crm', ts_ms: tsMs, snapshot: op === 'r' ? 'true' : 'false', db: 'crm', schema: crmSchema, table: 'contacts', lsn },
            ts_ms: Date.now(),
          }),
        }],
      });
    },
    async close() {
      await producer.disconnect();
      await pool.query(`drop schema if exists ${shopSchema} cascade`);
      await pool.end();
      const a = kafka.admin();
      await a.connect();
      await a.deleteTopics({ topics }).catch(() => {});
      await a.disconnect();
    },
  };
}
