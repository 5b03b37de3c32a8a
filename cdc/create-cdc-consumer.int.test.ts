// The CDC consumer against the real Kafka from the stack: changes applied in per-key order with offsets committed
// after apply, poison messages to the dead-letter topic with the reason (the pipeline keeps going), a failing apply
// retried rather than skipped, and a restart resuming from the committed offsets with nothing lost.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { uniqueName, waitFor } from '../test/support/wait-for.ts';
import { comparePositions, type ChangePosition } from './decode-change-event.ts';
import { createCdcConsumer, type AppliedBatch } from './create-cdc-consumer.ts';

const env = inject('stackEnv');
const brokers = env.KAFKA_BROKERS.split(',');
const kafka = new Kafka({ clientId: 'cdc-consumer-test', brokers, logLevel: logLevel.NOTHING });
const log = createLogger({ level: 'silent' });

function envelope(id: number, version: number, lsn: number) {
  return {
    key: JSON.stringify({ id }),
    value: JSON.stringify({
      op: version === 0 ? 'c' : 'u',
      before: null,
      after: { id, version },
      source: { connector: 'postgresql', schema: 'shop', table: 'orders', snapshot: 'false', lsn, sequence: `["${lsn}","${lsn}"]`, txId: lsn, ts_ms: Date.now() },
      ts_ms: Date.now(),
    }),
  };
}

/** A tiny idempotent view: a row is applied only when its position is newer than the stored one. */
function createView() {
  const rows = new Map<string, { version: number; position: ChangePosition }>();
  let applied = 0;
  return {
    rows,
    get applied() {
      return applied;
    },
    apply: async (batch: AppliedBatch) => {
      for (const { event } of batch.events) {
        if (event.kind !== 'change' || !event.position || !event.after) continue;
        applied++;
        const key = String(event.key?.id);
        const current = rows.get(key);
        if (!current || comparePositions(current.position, event.position) < 0) rows.set(key, { version: Number(event.after.version), position: event.position });
      }
    },
  };
}

describe('createCdcConsumer (real Kafka)', () => {
  const topic = uniqueName('cdc_test');
  const groupId = uniqueName('cdc_group');
  const producer = kafka.producer();
  const KEYS = 50;
  const VERSIONS = 20; // 1,000 changes

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    await producer.connect();
  });
  afterAll(() => producer.disconnect());

  async function produceVersions(from: number, to: number, lsnBase: number): Promise<void> {
    const messages = [];
    for (let v = from; v < to; v++) for (let id = 0; id < KEYS; id++) messages.push(envelope(id, v, lsnBase + v * KEYS + id));
    await producer.send({ topic, messages });
  }

  it('applies every change once in effect, dead-letters poison, retries a failing apply, and resumes after a restart', async () => {
    await produceVersions(0, VERSIONS / 2, 1_000);
    await producer.send({ topic, messages: [{ key: '{"id":1}', value: '{"op": "c", ' }, { key: '{"id":2}', value: '{"op":"z","source":{}}' }] });

    const view = createView();
    let failOnce = true;
    const deadLetters: string[] = [];
    const failures: number[] = [];
    const first = createCdcConsumer({
      brokers, groupId, topics: [topic], log,
      retryDelayMs: 50,
      apply: async (batch) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('view store briefly unavailable');
        }
        await view.apply(batch);
      },
    });
    first.events.on('cdc.dead_letter', (e) => void deadLetters.push(e.reason));
    first.events.on('cdc.apply_failed', (e) => void failures.push(e.attempt));
    await first.start();
    await waitFor(() => ([...view.rows.values()].filter((r) => r.version === VERSIONS / 2 - 1).length === KEYS ? true : undefined), { timeoutMs: 60_000, what: 'the first half applied' });
    await first.stop();

    expect(failures).toEqual([1]);
    expect(deadLetters).toHaveLength(2);
    expect(deadLetters.join('\n')).toContain('the value is not JSON');
    expect(deadLetters.join('\n')).toContain('unknown op "z"');

    // More changes arrive while no consumer runs; a new member of the group resumes from the committed offsets.
    await produceVersions(VERSIONS / 2, VERSIONS, 1_000);
    const second = createCdcConsumer({ brokers, groupId, topics: [topic], log, apply: (b) => view.apply(b) });
    const appliedBefore = view.applied;
    await second.start();
    await waitFor(() => ([...view.rows.values()].every((r) => r.version === VERSIONS - 1) && view.rows.size === KEYS ? true : undefined), { timeoutMs: 60_000, what: 'all changes applied' });
    await second.stop();
    // Committed offsets mean the second consumer did not start over: it applied (about) the second half only.
    expect(view.applied - appliedBefore).toBeLessThan(KEYS * VERSIONS);
    expect(view.applied - appliedBefore).toBeGreaterThanOrEqual((KEYS * VERSIONS) / 2);

    // The dead-letter topic holds the two poison messages with the reason and origin in headers.
    const dlq: Array<Record<string, string>> = [];
    const reader = kafka.consumer({ groupId: uniqueName('dlq_reader') });
    await reader.connect();
    await reader.subscribe({ topics: [`${groupId}.dlq`], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void dlq.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]))) });
    await waitFor(() => (dlq.length >= 2 ? true : undefined), { timeoutMs: 30_000, what: 'the dead-letter messages' });
    await reader.disconnect();
    expect(dlq.map((h) => h['unics-dlq-topic'])).toEqual([topic, topic]);
    expect(dlq.map((h) => h['unics-dlq-reason']).join('\n')).toContain('unknown op "z"');
    expect(dlq.every((h) => /^\d+$/.test(h['unics-dlq-offset'] ?? ''))).toBe(true);
  });
});
