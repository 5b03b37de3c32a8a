// The embedded demo's in-process change log: createCdcConsumer's contract without Kafka.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import type { AppliedBatch } from './create-cdc-consumer.ts';
import { createInProcessChangeLog } from './in-process-change-log.ts';

const log = createLogger({ level: 'silent' });
const change = (id: number, lsn: number) => ({
  key: JSON.stringify({ id: `O${id}` }),
  value: JSON.stringify({ before: null, after: { id: `O${id}` }, op: 'c', source: { ts_ms: 1, snapshot: 'false', db: 'shop', schema: 'shop', table: 'orders', lsn }, ts_ms: 2 }),
});
const waitFor = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('in-process change log', () => {
  it('delivers decoded batches in order, moves poison to the dead-letter topic, and resumes a group where it stopped', async () => {
    const changeLog = createInProcessChangeLog();
    const seen: string[] = [];
    const batches: AppliedBatch[] = [];
    const apply = async (b: AppliedBatch) => {
      batches.push(b);
      for (const { event } of b.events) if (event.kind === 'change') seen.push(String(event.after?.id));
    };
    const dead: string[] = [];
    await changeLog.send({ topic: 'unics.shop.orders', messages: [change(1, 10), { key: null, value: 'not json' }, change(2, 11)] });
    const consumer = changeLog.consumer({ groupId: 'g', topics: [/^unics\.shop\./], apply, log, maxBatchMessages: 2 });
    consumer.events.on('cdc.dead_letter', (e) => {
      dead.push(`${e.topic}@${e.offset}`);
    });
    await consumer.start();
    await waitFor(() => seen.length === 2, 'two changes');
    expect(seen).toEqual(['O1', 'O2']);
    expect(dead).toEqual(['unics.shop.orders@1']);
    expect(batches.map((b) => b.events.map((e) => e.offset))).toEqual([['0'], ['2']]);
    expect(changeLog.topics()['g.dlq']?.held).toBe(1);

    await consumer.stop();
    await changeLog.send({ topic: 'unics.shop.orders', messages: [change(3, 12)] });
    await changeLog.send({ topic: 'unics.shop.payments', messages: [change(4, 13)] });
    const again = changeLog.consumer({ groupId: 'g', topics: [/^unics\.shop\./], apply, log });
    await again.start();
    await waitFor(() => seen.length === 4, 'the changes sent while stopped');
    expect(seen.slice(2).sort()).toEqual(['O3', 'O4']);
    await again.stop();
    // Read by the only group: nothing is held any more.
    expect(changeLog.topics()['unics.shop.orders']).toEqual({ held: 0, endOffset: 4 });
  });

  it('retries a batch whose apply fails until it applies, and never skips it', async () => {
    const changeLog = createInProcessChangeLog();
    let failures = 2;
    const applied: string[] = [];
    const consumer = changeLog.consumer({
      groupId: 'g',
      topics: ['t'],
      log,
      retryDelayMs: 1,
      apply: async (b) => {
        if (failures-- > 0) throw new Error('store down');
        for (const { offset } of b.events) applied.push(offset);
      },
    });
    const attempts: number[] = [];
    consumer.events.on('cdc.apply_failed', (e) => {
      attempts.push(e.attempt);
    });
    await consumer.start();
    await changeLog.send({ topic: 't', messages: [change(1, 1), change(2, 2)] });
    await waitFor(() => applied.length === 2, 'the batch after two failures');
    expect(attempts).toEqual([1, 2]);
    expect(applied).toEqual(['0', '1']);
    await consumer.stop();
  });

  it('keeps at most retainUnread messages of a topic nobody reads', async () => {
    const changeLog = createInProcessChangeLog({ retainUnread: 3 });
    await changeLog.send({ topic: 'x', messages: [1, 2, 3, 4, 5].map((i) => change(i, i)) });
    expect(changeLog.topics().x).toEqual({ held: 3, endOffset: 5 });
  });
});
