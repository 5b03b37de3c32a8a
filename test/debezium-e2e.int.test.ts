// Debezium end to end: real row changes in PostgreSQL arrive as real change events on Kafka. The events are kept
// as fixtures under cdc/fixtures/ for the pure decoder tests (written when missing, or with UNICS_UPDATE_FIXTURES=1).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { debeziumConnectorConfig } from '../stack/settings.ts';
import { uniqueName, waitFor } from './support/wait-for.ts';

const env = inject('stackEnv');
const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../cdc/fixtures');

interface Received {
  topic: string;
  partition: number;
  offset: string;
  key: unknown;
  value: unknown; // null for a tombstone
  headers: Record<string, string>;
}

type Envelope = {
  op: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: Record<string, unknown>;
  ts_ms: number;
};

function decode(m: KafkaMessage, topic: string, partition: number): Received {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? JSON.parse(m.key.toString('utf8')) : null,
    value: m.value ? JSON.parse(m.value.toString('utf8')) : null,
    headers,
  };
}

/** Collects every message of `topics` from the beginning, once the topics exist. */
async function collect(kafka: Kafka, topics: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  await waitFor(async () => {
    const existing = new Set(await admin.listTopics());
    return topics.every((t) => existing.has(t)) ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200, what: `Debezium to create ${topics.join(', ')}` });
  await admin.disconnect();
  const received: Received[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('dbz-e2e'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ topic, partition, message }) => void received.push(decode(message, topic, partition)) });
  return { received, stop: () => consumer.disconnect() };
}

function saveFixture(name: string, event: Received): void {
  const file = join(fixturesDir, name);
  if (existsSync(file) && process.env.UNICS_UPDATE_FIXTURES !== '1') return;
  mkdirSync(fixturesDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(event, null, 2)}\n`);
}

describe('Debezium PostgreSQL connector, end to end', () => {
  const kafka = new Kafka({ clientId: 'unics-dbz-e2e', brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  const table = uniqueName('orders').toLowerCase();
  const qualified = `smoke.${table}`;

  beforeAll(async () => {
    await db.connect();
    await db.query('create schema if not exists smoke');
    await db.query(`create table ${qualified} (
      id bigint primary key, customer_no text not null, status text not null,
      total_cents bigint not null, note text, updated_at timestamptz not null default now())`);
    // Full before-images for updates and deletes (the default identity gives only the key in `before`).
    await db.query(`alter table ${qualified} replica identity full`);
  });
  afterAll(async () => {
    await db.end();
  });

  it('turns an insert, an update and a delete into c, u, d events and a tombstone, with before/after and source.lsn', async () => {
    await db.query(`insert into ${qualified} (id, customer_no, status, total_cents, note) values (1, 'K000001', 'pending', 12900, 'gift wrap')`);
    await db.query(`update ${qualified} set status = 'paid', updated_at = now() where id = 1`);
    await db.query(`delete from ${qualified} where id = 1`);

    const topic = `unics.smoke.${table}`;
    const { received, stop } = await collect(kafka, [topic]);
    try {
      await waitFor(() => (received.length >= 4 ? true : undefined), { timeoutMs: 30_000, what: 'four events (c, u, d, tombstone)' });
    } finally {
      await stop();
    }
    expect(received).toHaveLength(4);
    const [created, updated, deleted, tombstone] = received as [Received, Received, Received, Received];
    const c = created.value as Envelope;
    const u = updated.value as Envelope;
    const d = deleted.value as Envelope;

    expect(created.key).toEqual({ id: 1 });
    expect(c.op).toBe('c');
    expect(c.before).toBeNull();
    expect(c.after).toMatchObject({ id: 1, customer_no: 'K000001', status: 'pending', total_cents: 12900, note: 'gift wrap' });

    expect(u.op).toBe('u');
    expect(u.before).toMatchObject({ id: 1, status: 'pending' });
    expect(u.after).toMatchObject({ id: 1, status: 'paid' });

    expect(d.op).toBe('d');
    expect(d.before).toMatchObject({ id: 1, status: 'paid', customer_no: 'K000001' });
    expect(d.after).toBeNull();

    expect(tombstone.key).toEqual({ id: 1 });
    expect(tombstone.value).toBeNull();

    for (const e of [c, u, d]) {
      expect(e.source).toMatchObject({ connector: 'postgresql', db: 'unics', schema: 'smoke', table, snapshot: 'false' });
      expect(typeof e.source.lsn).toBe('number');
      expect(typeof e.source.txId).toBe('number');
    }
    // Changes commit in order, so their LSNs increase; all three went to the same partition (same key).
    expect((c.source.lsn as number) < (u.source.lsn as number) && (u.source.lsn as number) < (d.source.lsn as number)).toBe(true);
    expect(new Set(received.map((r) => r.partition)).size).toBe(1);

    saveFixture('postgres-create.json', created);
    saveFixture('postgres-update.json', updated);
    saveFixture('postgres-delete.json', deleted);
    saveFixture('postgres-tombstone.json', tombstone);
  });

  it('with the schema/payload wrapper: snapshot reads (r), then c, u, d and truncate (t) events', async () => {
    // A second, real connector for this one table, with JSON schemas on and truncates not skipped.
    await db.query(`insert into ${qualified} (id, customer_no, status, total_cents) values (10, 'K000010', 'paid', 500), (11, 'K000011', 'shipped', 700)`);
    const name = uniqueName('unics-schema').replace(/_/g, '-');
    const prefix = uniqueName('unicsschema');
    const config = {
      ...debeziumConnectorConfig({ pgPort: Number(new URL(env.DATABASE_URL).port) }),
      'topic.prefix': prefix,
      'slot.name': prefix,
      'publication.name': `${prefix}_pub`,
      'publication.autocreate.mode': 'filtered',
      'table.include.list': qualified,
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'true',
      'value.converter.schemas.enable': 'true',
      'skipped.operations': 'none',
      'topic.creation.default.partitions': '1',
    };
    const put = await fetch(`${env.CONNECT_URL}/connectors/${name}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(config),
    });
    expect(put.status).toBe(201);
    try {
      const topic = `${prefix}.smoke.${table}`;
      const { received, stop } = await collect(kafka, [topic]);
      try {
        await waitFor(() => (received.length >= 2 ? true : undefined), { timeoutMs: 60_000, what: 'two snapshot events' });
        // The slot exists once the snapshot has been read; now stream changes through it.
        await db.query(`insert into ${qualified} (id, customer_no, status, total_cents) values (12, 'K000012', 'pending', 900)`);
        await db.query(`update ${qualified} set status = 'refunded' where id = 10`);
        await db.query(`delete from ${qualified} where id = 11`);
        await db.query(`truncate ${qualified}`);
        await waitFor(() => (received.some((r) => (r.value as { payload?: Envelope } | null)?.payload?.op === 't') ? true : undefined), {
          timeoutMs: 30_000,
          what: 'the truncate event',
        });
      } finally {
        await stop();
      }
      const payloads = received.filter((r) => r.value !== null).map((r) => (r.value as { schema: { name: string }; payload: Envelope }));
      for (const p of payloads) expect(p.schema.name).toBe(`${prefix}.smoke.${table}.Envelope`);
      const ops = payloads.map((p) => p.payload.op);
      expect(ops).toEqual(['r', 'r', 'c', 'u', 'd', 't']);
      const reads = payloads.filter((p) => p.payload.op === 'r');
      // Snapshot reads say which part of the snapshot they are (first, true, last, ...), never 'false'.
      expect(reads.map((p) => p.payload.source.snapshot)).not.toContain('false');
      expect(reads.at(-1)?.payload.source.snapshot).toMatch(/^last/);
      expect(reads.map((p) => p.payload.after?.id).sort()).toEqual([10, 11]);

      const byOp = (op: string) => received.find((r) => (r.value as { payload?: Envelope } | null)?.payload?.op === op)!;
      saveFixture('postgres-schema-read.json', byOp('r'));
      saveFixture('postgres-schema-create.json', byOp('c'));
      saveFixture('postgres-schema-update.json', byOp('u'));
      saveFixture('postgres-schema-delete.json', byOp('d'));
      saveFixture('postgres-schema-truncate.json', byOp('t'));
    } finally {
      await fetch(`${env.CONNECT_URL}/connectors/${name}`, { method: 'DELETE' });
      // The connector's slot must not hold WAL after the test: drop it once the connector has released it.
      await waitFor(async () => {
        const res = await db.query('select active from pg_replication_slots where slot_name = $1', [prefix]);
        if (res.rowCount === 0) return true;
        if (res.rows[0].active) return undefined;
        await db.query('select pg_drop_replication_slot($1)', [prefix]);
        return true;
      }, { timeoutMs: 30_000, intervalMs: 200, what: `slot ${prefix} to be released` });
    }
  });
});
