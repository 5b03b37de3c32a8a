// Smoke tests proving each service of the local stack is the real thing (issue: foundation).
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniqueName, waitFor } from './support/wait-for.ts';

const env = inject('stackEnv');

describe('the local stack', () => {
  const kafka = new Kafka({ clientId: 'unics-smoke', brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });

  it('Kafka: a message produced on a random topic is consumed back with its key, value and headers', async () => {
    const topic = uniqueName('smoke');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const value = randomUUID();
    await producer.send({ topic, messages: [{ key: 'k1', value, headers: { origin: 'smoke' } }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ key: string; value: string; origin: string }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: String(message.key), value: String(message.value), origin: String(message.headers?.origin) });
      },
    });
    try {
      await waitFor(() => (received.length > 0 ? true : undefined), { timeoutMs: 30_000, what: 'the smoke message' });
    } finally {
      await consumer.disconnect();
    }
    expect(received).toEqual([{ key: 'k1', value, origin: 'smoke' }]);
  });

  it('Redis: SET then GET through ioredis returns the value, and the server keeps no persistence', async () => {
    const redis = new Redis(env.REDIS_URL, { lazyConnect: true });
    await redis.connect();
    try {
      const key = uniqueName('smoke');
      await redis.set(key, 'hello', 'PX', 60_000);
      expect(await redis.get(key)).toBe('hello');
      expect(await redis.pttl(key)).toBeGreaterThan(0);
      const [, save] = (await redis.config('GET', 'save')) as [string, string];
      const [, aof] = (await redis.config('GET', 'appendonly')) as [string, string];
      expect({ save, aof }).toEqual({ save: '', aof: 'no' });
    } finally {
      redis.disconnect();
    }
  });

  describe('PostgreSQL', () => {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    afterAll(() => client.end());

    it('runs with wal_level=logical and a short WAL writer delay, on loopback', async () => {
      await client.connect();
      const show = async (name: string) => (await client.query(`show ${name}`)).rows[0][name] as string;
      expect(await show('wal_level')).toBe('logical');
      expect(await show('wal_writer_delay')).toBe('10ms');
      expect(await show('listen_addresses')).toBe('127.0.0.1');
      expect(Number(await show('max_replication_slots'))).toBeGreaterThanOrEqual(4);
    });

    it('has the Debezium replication slot, active and using pgoutput', async () => {
      const res = await client.query("select plugin, active from pg_replication_slots where slot_name = 'unics_debezium'");
      expect(res.rows).toEqual([{ plugin: 'pgoutput', active: true }]);
    });
  });

  it('Kafka Connect: the Debezium PostgreSQL connector is RUNNING with pgoutput', async () => {
    const status = (await (await fetch(`${env.CONNECT_URL}/connectors/unics-postgres/status`)).json()) as {
      connector: { state: string };
      tasks: Array<{ state: string }>;
    };
    expect(status.connector.state).toBe('RUNNING');
    expect(status.tasks.map((t) => t.state)).toEqual(['RUNNING']);
    const config = (await (await fetch(`${env.CONNECT_URL}/connectors/unics-postgres/config`)).json()) as Record<string, string>;
    expect(config['plugin.name']).toBe('pgoutput');
    expect(Number(config['poll.interval.ms'])).toBeLessThan(100);
  });
});
