// The benchmark's own change source on the shared stack: the demo's shop tables (shop-schema.sql as it is: schema
// "shop", replica identity full) in a database of their own with a random name, and a Debezium connector, slot and
// publication of its own, registered through the Connect REST API from the stack's connector config plus the
// overrides under test. Topics are `<name>.shop.<table>`, shaped like the stack's `unics.shop.<table>`.
// A database of its own, not only a schema: the stack's connector (unics-postgres, never touched here) publishes
// all tables of database "unics", so a bench schema there would be captured twice, doubling Connect's work and
// leaving topics behind. close() removes the connector, slot, database and topics.
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { shopSchemaSql } from '../../examples/legacy/shop/shop-seed.ts';
import { debeziumConnectorConfig } from '../../stack/settings.ts';

export interface BenchSourceOptions {
  readonly connectUrl: string;
  readonly databaseUrl: string;
  readonly brokers: readonly string[];
  /** Lower-case letters, digits and underscores: schema, slot, topic prefix and connector name derive from it. */
  readonly name: string;
  /** Connector settings on top of the stack's (e.g. poll.interval.ms, heartbeat.interval.ms, producer.override.linger.ms). */
  readonly overrides?: Readonly<Record<string, string>>;
  /** The change topics are created beforehand (as Debezium would: 4 partitions), so consumers can subscribe first.
   * LogAppendTime makes each record carry the broker's append time instead of the producer's; default CreateTime. */
  readonly timestampType?: 'CreateTime' | 'LogAppendTime';
  readonly partitions?: number;
  /** Orders inserted before the connector starts (not streamed), O0000001.. for customers K0000001..; default 0. */
  readonly seedOrders?: number;
  readonly progress?: (m: string) => void;
}

export interface BenchSource {
  /** postgres:// URL of the bench database. */
  readonly databaseUrl: string;
  readonly schema: string;
  readonly connector: string;
  /** Debezium's topic.prefix (its logical name, in its thread names). */
  readonly topicPrefix: string;
  readonly topics: { readonly orders: string; readonly orderItems: string; readonly payments: string; readonly heartbeat: string };
  readonly config: Readonly<Record<string, string>>;
  /** pid of the walsender streaming to this connector (for its CPU time). */
  walsenderPid(): Promise<number | undefined>;
  close(): Promise<void>;
}

export const benchTables = ['orders', 'order_items', 'payments'] as const;


async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function createBenchSource(o: BenchSourceOptions): Promise<BenchSource> {
  const progress = o.progress ?? (() => {});
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(o.name)) throw new Error(`bench source name must be lower-case letters, digits and _ (at most 51), got ${JSON.stringify(o.name)}`);
  const schema = 'shop';
  const connector = o.name.replace(/_/g, '-');
  const topicPrefix = o.name;
  const topics = {
    orders: `${topicPrefix}.${schema}.orders`,
    orderItems: `${topicPrefix}.${schema}.order_items`,
    payments: `${topicPrefix}.${schema}.payments`,
    heartbeat: `__debezium-heartbeat.${topicPrefix}`,
  };
  // The stack's database, for the slot (pg_replication_slots is cluster-wide) and to create and drop ours.
  const adminDb = new pg.Client({ connectionString: o.databaseUrl });
  await adminDb.connect();
  await adminDb.query(`create database ${o.name}`);
  const benchUrl = new URL(o.databaseUrl);
  benchUrl.pathname = `/${o.name}`;
  const db = new pg.Client({ connectionString: benchUrl.toString() });
  await db.connect();
  const kafka = new Kafka({ clientId: 'unics-bench-cdc-source', brokers: [...o.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const config: Record<string, string> = {
    ...debeziumConnectorConfig({ pgPort: Number(new URL(o.databaseUrl).port), pgHost: new URL(o.databaseUrl).hostname }),
    'database.dbname': o.name,
    'topic.prefix': topicPrefix,
    'slot.name': o.name,
    'publication.name': `${o.name}_pub`,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': benchTables.map((t) => `${schema}.${t}`).join(','),
    // The rows seeded before the connector starts are not streamed; only the writer's changes are.
    'snapshot.mode': 'no_data',
    ...o.overrides,
  };
  const url = `${o.connectUrl}/connectors/${connector}`;

  const close = async () => {
    await fetch(url, { method: 'DELETE' }).catch(() => undefined);
    await db.end().catch(() => undefined);
    await waitUntil(`slot ${o.name} to be released`, 60_000, async () => {
      const r = await adminDb.query('select active from pg_replication_slots where slot_name = $1', [o.name]);
      if (r.rowCount === 0) return true;
      if (r.rows[0].active) return undefined;
      await adminDb.query('select pg_drop_replication_slot($1)', [o.name]);
      return true;
    }).catch((err: unknown) => progress(`could not drop slot ${o.name}: ${(err as Error).message}`));
    await adminDb.query(`drop database if exists ${o.name} with (force)`).catch((err: unknown) => progress(`could not drop database ${o.name}: ${(err as Error).message}`));
    const existing = new Set(await admin.listTopics());
    const ours = Object.values(topics).filter((t) => existing.has(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 30_000 }).catch(() => undefined);
    await admin.disconnect();
    await adminDb.end();
  };

  try {
    await db.query(shopSchemaSql());
    if (o.seedOrders) {
      await db.query(
        `insert into ${schema}.orders (id, customer_no, status, total_cents, currency, created_at, updated_at)
         select 'O' || lpad(n::text, 7, '0'), 'K' || lpad(((n - 1) % 10000 + 1)::text, 7, '0'), 'pending', 1000 + n % 50000, 'EUR', now(), now()
         from generate_series(1, $1::int) as n`,
        [o.seedOrders],
      );
    }
    await admin.createTopics({
      waitForLeaders: true,
      topics: [topics.orders, topics.orderItems, topics.payments].map((topic) => ({
        topic,
        numPartitions: o.partitions ?? Number(config['topic.creation.default.partitions'] ?? 4),
        replicationFactor: 1,
        configEntries: [{ name: 'message.timestamp.type', value: o.timestampType ?? 'CreateTime' }],
      })).concat([{ topic: topics.heartbeat, numPartitions: 1, replicationFactor: 1, configEntries: [] }]),
    });
    const put = await fetch(`${url}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
    if (put.status !== 201 && put.status !== 200) throw new Error(`Connect refused connector ${connector}: ${put.status} ${(await put.text()).slice(0, 500)}`);
    await waitUntil(`connector ${connector} to run`, 60_000, async () => {
      const s = (await (await fetch(`${url}/status`)).json()) as { connector?: { state?: string }; tasks?: Array<{ state?: string; trace?: string }> };
      const failed = s.tasks?.find((t) => t.state === 'FAILED');
      if (failed) throw new Error(`connector ${connector} FAILED: ${(failed.trace ?? '').split('\n').slice(0, 4).join(' ')}`);
      return s.connector?.state === 'RUNNING' && (s.tasks ?? []).length > 0 && s.tasks!.every((t) => t.state === 'RUNNING') ? true : undefined;
    });
    await waitUntil(`slot ${o.name} to stream`, 60_000, async () => {
      const r = await adminDb.query('select active from pg_replication_slots where slot_name = $1', [o.name]);
      return r.rows[0]?.active === true ? true : undefined;
    });
    progress(`connector ${connector} streaming ${schema}.{${benchTables.join(',')}}`);
  } catch (err) {
    await close();
    throw err;
  }

  return {
    databaseUrl: benchUrl.toString(),
    schema,
    connector,
    topicPrefix,
    topics,
    config,
    async walsenderPid() {
      const r = await adminDb.query('select active_pid from pg_replication_slots where slot_name = $1', [o.name]);
      return (r.rows[0]?.active_pid as number | null) ?? undefined;
    },
    close,
  };
}
