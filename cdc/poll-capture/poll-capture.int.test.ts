// The poll capture against the real Kafka and Redis from the stack, with the CRM and Helpdesk simulators on
// loopback: the initial load as "r" events, a PATCH as a "u" event with before/after within a poll interval, a
// restart from the position in Redis without loading again, a failing CRM reported while the position stands still
// and recovery once it heals; every message decodes with decodeChangeEvent.
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createCrmSimulator, type CrmSimulator } from '../../examples/legacy/crm/index.ts';
import { createHelpdeskSimulator, type HelpdeskSimulator } from '../../examples/legacy/helpdesk/index.ts';
import { uniqueName, waitFor } from '../../test/support/wait-for.ts';
import { decodeChangeEvent, type ChangeEvent, type DecodedEvent } from '../decode-change-event.ts';
import type { ChangeSource } from './change-source.ts';
import { createPollCapture, type PollCapture, type PollCaptureEvents } from './create-poll-capture.ts';
import { createCrmChangeSource } from './crm-change-source.ts';
import { createHelpdeskChangeSource } from './helpdesk-change-source.ts';
import { createRedisPositionStore, type PositionStore } from './position-store.ts';

const env = inject('stackEnv');
const brokers = env.KAFKA_BROKERS.split(',');
const kafka = new Kafka({ clientId: 'poll-capture-test', brokers, logLevel: logLevel.NOTHING });
const log = createLogger({ level: 'silent' });
const INTERVAL_MS = 250;
const CONTACTS = 40;

interface Received {
  readonly topic: string;
  readonly event: DecodedEvent;
  readonly value: Record<string, unknown>;
  readonly receivedAtMs: number;
}

/** Reads the topics from the beginning and decodes every message (a decoding failure fails the test). */
async function readTopics(topics: string[]): Promise<{ received: Received[]; errors: unknown[]; consumer: Consumer }> {
  const received: Received[] = [];
  const errors: unknown[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('poll_capture_reader'), maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      try {
        const event = decodeChangeEvent({ topic, partition, offset: message.offset, key: message.key, value: message.value });
        received.push({ topic, event, value: JSON.parse(String(message.value)) as Record<string, unknown>, receivedAtMs: Date.now() });
      } catch (err) {
        errors.push(err);
      }
    },
  });
  return { received, errors, consumer };
}

async function createTopics(topics: Array<{ topic: string; numPartitions: number }>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics, waitForLeaders: true });
  await admin.disconnect();
}

const changes = (received: Received[], topic: string) => received.filter((r) => r.topic === topic && r.event.kind === 'change').map((r) => ({ ...r, event: r.event as ChangeEvent }));

describe('poll capture of the CRM (real Kafka and Redis)', () => {
  const topic = uniqueName('unics.crm.contacts');
  const heartbeatTopic = uniqueName('__debezium-heartbeat.crm');
  const positionKey = uniqueName('unics:capture:crm:position');
  let crm: CrmSimulator;
  let source: ChangeSource;
  let redis: Redis;
  let store: PositionStore;
  let reader: Awaited<ReturnType<typeof readTopics>>;
  let token: string;

  beforeAll(async () => {
    crm = createCrmSimulator({ data: generateDemoData({ customers: CONTACTS, seed: 21 }) });
    const base = await crm.listen();
    source = createCrmChangeSource({
      baseUrl: `${base}/api/v1`,
      auth: { type: 'oauth2-client-credentials', tokenUrl: `${base}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret', refreshSkewMs: 30_000 },
    });
    const grant = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=unics-demo&client_secret=demo-secret' });
    token = ((await grant.json()) as { access_token: string }).access_token;
    redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    store = createRedisPositionStore(redis, { key: positionKey });
    await createTopics([{ topic, numPartitions: 3 }, { topic: heartbeatTopic, numPartitions: 1 }]);
    reader = await readTopics([topic, heartbeatTopic]);
  });

  afterAll(async () => {
    await reader?.consumer.disconnect();
    await redis?.del(positionKey);
    redis?.disconnect();
    await source?.close();
    await crm?.close();
  });

  function startCapture(): { capture: PollCapture; polled: PollCaptureEvents['capture.polled'][]; failed: PollCaptureEvents['capture.failed'][] } {
    const capture = createPollCapture({ name: 'crm', source, brokers, topic, heartbeatTopic, positionStore: store, log, intervalMs: INTERVAL_MS, pageSize: 15, backoffInitialMs: 100, backoffMaxMs: 400 });
    const polled: PollCaptureEvents['capture.polled'][] = [];
    const failed: PollCaptureEvents['capture.failed'][] = [];
    capture.events.on('capture.polled', (e) => void polled.push(e));
    capture.events.on('capture.failed', (e) => void failed.push(e));
    void capture.start();
    return { capture, polled, failed };
  }

  async function patch(id: string, body: Record<string, unknown>): Promise<number> {
    const res = await fetch(`${crm.url()}/api/v1/contacts/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return Date.now();
  }

  const updatesOf = (id: string) => changes(reader.received, topic).filter((r) => r.event.op === 'update' && r.event.key?.id === id);

  it('loads, streams an update, restarts from Redis without loading again, and rides out a failing CRM', async () => {
    // 1. The initial load: every contact once as "r", the last one marked "last", then heartbeats.
    const first = startCapture();
    await waitFor(() => (changes(reader.received, topic).length >= CONTACTS ? true : undefined), { timeoutMs: 30_000, what: `${CONTACTS} "r" events` });
    const loaded = changes(reader.received, topic);
    expect(loaded.every((r) => r.event.op === 'read')).toBe(true);
    expect(new Set(loaded.map((r) => r.event.key?.id)).size).toBe(CONTACTS);
    expect(loaded.filter((r) => r.event.snapshot === 'last')).toHaveLength(1);
    for (const r of loaded) {
      expect(r.event.after).toEqual(crm.contact(String(r.event.key?.id)));
      expect(r.value.source).toMatchObject({ version: 'unics-poll/1', connector: 'unics-poll', name: 'crm', db: 'crm', schema: 'crm', table: 'contacts' });
    }
    await waitFor(() => (reader.received.some((r) => r.event.kind === 'heartbeat') ? true : undefined), { timeoutMs: 10_000, what: 'a heartbeat' });
    expect(JSON.parse((await redis.get(positionKey))!)).toEqual({ since: expect.any(String) });

    // 2. A PATCH arrives as one "u" with before = the loaded version, within a poll interval of the CRM's stamp.
    const loadedVersion = crm.contact('C000005');
    const patchedAt = await patch('C000005', { tier: 'platinum' });
    const [update] = await waitFor(() => (updatesOf('C000005').length > 0 ? updatesOf('C000005') : undefined), { timeoutMs: 10_000, what: 'the update of C000005' });
    expect(update!.event).toMatchObject({ before: loadedVersion, after: crm.contact('C000005'), snapshot: 'false' });
    const stampMs = Date.parse(crm.contact('C000005')!.updatedAt);
    expect(update!.event.sourceTsMs).toBe(stampMs);
    expect(update!.event.position?.lsn).toBe(BigInt(stampMs * 1000));
    // Produced (envelope ts_ms) within one poll interval of the CRM's stamp, plus the poll's own time (generous:
    // the machine is shared).
    const producedAfterMs = update!.event.eventTsMs! - stampMs;
    expect(producedAfterMs).toBeGreaterThanOrEqual(0);
    expect(producedAfterMs).toBeLessThan(INTERVAL_MS + 350);
    console.info(`poll capture: PATCH -> produced ${producedAfterMs} ms, -> consumed ${update!.receivedAtMs - patchedAt} ms (load ${(await import('node:os')).loadavg()[0]!.toFixed(2)})`);
    // A heartbeat later than the change says it is captured.
    await waitFor(() => (reader.received.some((r) => r.event.kind === 'heartbeat' && r.event.tsMs > stampMs) ? true : undefined), { timeoutMs: 10_000, what: 'a heartbeat past the update' });
    await first.capture.stop();
    expect(first.failed).toEqual([]);

    // 3. A restart (a new capture, nothing in memory) resumes from the position in Redis: no initial load again.
    const readsBefore = changes(reader.received, topic).filter((r) => r.event.op === 'read').length;
    const second = startCapture();
    await waitFor(() => (second.polled.length >= 2 ? true : undefined), { timeoutMs: 10_000, what: 'two polls after the restart' });
    expect(second.polled.every((p) => !p.snapshot)).toBe(true);
    const secondPatch = crm.contact('C000017');
    await patch('C000017', { language: 'de' });
    const [next] = await waitFor(() => (updatesOf('C000017').length > 0 ? updatesOf('C000017') : undefined), { timeoutMs: 10_000, what: 'the update of C000017 after the restart' });
    expect(next!.event.after).toEqual(crm.contact('C000017'));
    expect(next!.event.after).not.toEqual(secondPatch);
    expect(changes(reader.received, topic).filter((r) => r.event.op === 'read')).toHaveLength(readsBefore);

    // 4. A failing CRM: failures reported, the position stands still, nothing is polled; then it heals.
    const position = await redis.get(positionKey);
    crm.knobs.errorRate = 1;
    await waitFor(() => (second.failed.length >= 3 ? true : undefined), { timeoutMs: 10_000, what: 'three reported failures' });
    const polledWhileFailing = second.polled.length;
    crm.knobs.errorRate = 0;
    crm.knobs.malformed = true; // API answers cut in half; a PATCH still applies (its answer is cut too)
    const patched = await fetch(`${crm.url()}/api/v1/contacts/C000023`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"tier":"gold"}' });
    expect(patched.status).toBe(200);
    expect(crm.contact('C000023')!.tier).toBe('gold');
    const failedSoFar = second.failed.length;
    await waitFor(() => (second.failed.length >= failedSoFar + 2 ? true : undefined), { timeoutMs: 10_000, what: 'failures on malformed answers' });
    expect(second.failed.map((f) => f.attempt)).toEqual(second.failed.map((_, i) => i + 1));
    expect(new Set(second.failed.map((f) => (f.error as { code?: string }).code))).toEqual(new Set(['CONN_ERR_UNAVAILABLE', 'CONN_ERR_MALFORMED_RESPONSE']));
    expect(second.polled.length).toBe(polledWhileFailing);
    expect(await redis.get(positionKey)).toBe(position);
    expect(updatesOf('C000023')).toEqual([]);

    crm.knobs.malformed = false;
    await waitFor(() => (updatesOf('C000023').length > 0 ? true : undefined), { timeoutMs: 10_000, what: 'the change made during the outage' });
    expect(await redis.get(positionKey)).not.toBe(position);
    await second.capture.stop();

    // Every message on both topics decoded.
    expect(reader.errors).toEqual([]);
    expect(reader.received.filter((r) => r.topic === heartbeatTopic).every((r) => r.event.kind === 'heartbeat')).toBe(true);
  });
});

describe('poll capture of the Helpdesk (real Kafka and Redis)', () => {
  const topic = uniqueName('unics.helpdesk.tickets');
  const heartbeatTopic = uniqueName('__debezium-heartbeat.helpdesk');
  const positionKey = uniqueName('unics:capture:helpdesk:position');
  let helpdesk: HelpdeskSimulator;
  let source: ChangeSource;
  let redis: Redis;
  const data = generateDemoData({ customers: 30, seed: 8 });

  beforeAll(async () => {
    helpdesk = createHelpdeskSimulator({ data });
    source = createHelpdeskChangeSource({ url: `${await helpdesk.listen()}/graphql` });
    redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await createTopics([{ topic, numPartitions: 1 }, { topic: heartbeatTopic, numPartitions: 1 }]);
  });
  afterAll(async () => {
    await redis?.del(positionKey);
    redis?.disconnect();
    await source?.close();
    await helpdesk?.close();
  });

  it('loads the tickets and streams a status update as "u"', async () => {
    const reader = await readTopics([topic]);
    const capture = createPollCapture({ name: 'helpdesk', source, brokers, topic, heartbeatTopic, positionStore: createRedisPositionStore(redis, { key: positionKey }), log, intervalMs: INTERVAL_MS });
    void capture.start();
    try {
      await waitFor(() => (changes(reader.received, topic).length >= data.tickets.length ? true : undefined), { timeoutMs: 30_000, what: 'every ticket' });
      await fetch(`${helpdesk.url()}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { updateTicketStatus(id: "T0000002", status: RESOLVED) { id } }' }) });
      const update = await waitFor(() => changes(reader.received, topic).find((r) => r.event.op === 'update'), { timeoutMs: 10_000, what: 'the status update' });
      expect(update.event).toMatchObject({ key: { id: 'T0000002' }, after: { id: 'T0000002', status: 'RESOLVED', updatedAt: helpdesk.ticket('T0000002')!.updatedAt } });
      expect(update.event.before).toMatchObject({ id: 'T0000002' });
      expect(reader.errors).toEqual([]);
    } finally {
      await capture.stop();
      await reader.consumer.disconnect();
    }
  });
});
