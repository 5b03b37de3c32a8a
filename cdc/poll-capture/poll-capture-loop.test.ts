// The capture's loop and edge cases on a scripted source and a fake clock (no sleeps): the poll interval, backoff
// after failures, request timeouts, stop during a request, "c" for new records, the initial load's "last" marker
// when its final page is empty, polls cut at maxPagesPerPoll, and option checks.
import { describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import { connErr } from '../../connectors/error-catalogue.ts';
import type { ChangePage, ChangeRecord, ChangeSource } from './change-source.ts';
import { createPollCapture, type PollCaptureOptions } from './create-poll-capture.ts';
import { createMemoryPositionStore } from './position-store.ts';
import { createFakeProducer } from './test-support/fake-producer.ts';

const log = createLogger({ level: 'silent' });
const T = Date.parse('2026-11-23T10:00:00.000Z');

type Step = ChangePage | Error | 'hang';

/** A source that answers from a script, one step per call, and records the positions and signals it was given. */
function scriptedSource(steps: Step[], extra: Partial<ChangeSource> = {}) {
  const calls: Array<{ position: string | null; signal: AbortSignal; limit: number }> = [];
  const source: ChangeSource = {
    system: 'crm',
    table: 'contacts',
    async fetchChanges(position, signal, limit) {
      calls.push({ position, signal, limit });
      const step = steps.shift() ?? { records: [], next: position ?? 'p0', hasMore: false };
      if (step === 'hang') {
        // Like the HTTP client: an abort rejects with the abort's reason.
        return new Promise<ChangePage>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      }
      if (step instanceof Error) throw step;
      return step;
    },
    close: async () => {},
    ...extra,
  };
  return { source, calls };
}

const rec = (id: string, ms: number, createdMs = T - 86_400_000): ChangeRecord => ({
  id,
  updatedAtMs: ms,
  createdAtMs: createdMs,
  record: { id, createdAt: new Date(createdMs).toISOString(), updatedAt: new Date(ms).toISOString() },
});
const page = (records: ChangeRecord[], next: string, hasMore = false, windowStartMs?: number): ChangePage => ({ records, next, hasMore, ...(windowStartMs === undefined ? {} : { windowStartMs }) });

function build(source: ChangeSource, clock: FakeClock, extra: Partial<PollCaptureOptions> = {}) {
  const producer = createFakeProducer();
  const store = createMemoryPositionStore();
  const capture = createPollCapture({ name: 'crm', source, producer, positionStore: store, log, clock, ...extra });
  const failures: number[] = [];
  capture.events.on('capture.failed', (e) => void failures.push(e.attempt));
  return { capture, producer, store, failures };
}

const unavailable = () => connErr.CONN_ERR_UNAVAILABLE('connector "crm": answered HTTP 500');

describe('the poll loop', () => {
  it('polls at once, then every intervalMs from the start of the previous poll', async () => {
    const clock = createFakeClock(T);
    const { source, calls } = scriptedSource([page([rec('C1', T)], 'p1')]);
    const { capture } = build(source, clock, { intervalMs: 250 });
    await capture.start();
    await clock.advanceAsync(0);
    expect(calls).toHaveLength(1);
    await clock.advanceAsync(249);
    expect(calls).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.position).toBe('p1');
    await clock.advanceAsync(500);
    expect(calls).toHaveLength(4);
    await capture.stop();
    await clock.advanceAsync(1000);
    expect(calls).toHaveLength(4);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('backs off after failures (250, 500, 1000 ms ... up to backoffMaxMs), reports each, and resets after a success', async () => {
    const clock = createFakeClock(T);
    const { source, calls } = scriptedSource([unavailable(), unavailable(), unavailable(), unavailable(), page([], 'p1'), unavailable()]);
    const { capture, failures } = build(source, clock, { intervalMs: 100, backoffInitialMs: 250, backoffMaxMs: 800 });
    await capture.start();
    const callTimes: number[] = [];
    for (let t = 0; t <= 3000 && calls.length < 7; t += 10) {
      const before = calls.length;
      await clock.advanceAsync(t === 0 ? 0 : 10);
      if (calls.length > before) callTimes.push(clock.now() - T);
    }
    await capture.stop();
    // failures at 0, 250, 750, 1550 (capped at 800), success at 2350, failure at 2450, retry after 250 at 2700.
    expect(callTimes).toEqual([0, 250, 750, 1550, 2350, 2450, 2700]);
    expect(failures).toEqual([1, 2, 3, 4, 1]);
  });

  it('gives up on a source request after requestTimeoutMs with CONN_ERR_TIMEOUT passed down as the abort reason', async () => {
    const clock = createFakeClock(T);
    const { source, calls } = scriptedSource(['hang']);
    const { capture } = build(source, clock, { requestTimeoutMs: 3000 });
    const result = capture.pollOnce().then(() => undefined, (err: unknown) => err as UnicsError);
    await clock.advanceAsync(2999);
    expect(calls[0]!.signal.aborted).toBe(false);
    await clock.advanceAsync(1);
    const err = await result;
    expect(err).toMatchObject({ code: 'CONN_ERR_TIMEOUT', message: 'change source "crm" for poll capture "crm": no answer within 3000 ms' });
    expect(calls[0]!.signal.reason).toBe(err);
  });

  it('stop cancels a request in flight, reports no failure for it, and leaves no timer behind', async () => {
    const clock = createFakeClock(T);
    const { source, calls } = scriptedSource([page([rec('C1', T)], 'p1'), 'hang']);
    const { capture, failures, store } = build(source, clock, { intervalMs: 250 });
    await capture.start();
    await clock.advanceAsync(250);
    expect(calls).toHaveLength(2);
    await capture.stop();
    expect(calls[1]!.signal.aborted).toBe(true);
    expect(failures).toEqual([]);
    expect(await store.load()).toBe('p1');
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('what a poll produces', () => {
  it('marks the initial load\'s last record "last" even when the final page is empty, and saves the position only at its end', async () => {
    const clock = createFakeClock(T);
    const { source } = scriptedSource([page([rec('C1', T), rec('C2', T + 1)], 'p1', true), page([], 'p2', false)]);
    const { capture, producer, store } = build(source, clock);
    await capture.pollOnce();
    const values = producer.values('unics.crm.contacts');
    expect(values.map((v) => [v.op, (v.source as { snapshot: string }).snapshot])).toEqual([['r', 'true'], ['r', 'last']]);
    expect(await store.load()).toBe('p2');
  });

  it('starts the initial load over when it fails midway (the position stays unset), without producing twice', async () => {
    const clock = createFakeClock(T);
    const { source, calls } = scriptedSource([
      page([rec('C1', T), rec('C2', T + 1)], 'p1', true),
      unavailable(),
      page([rec('C1', T), rec('C2', T + 1)], 'p1', true),
      page([rec('C3', T + 2)], 'p2'),
    ]);
    const { capture, producer, store } = build(source, clock);
    await expect(capture.pollOnce()).rejects.toMatchObject({ code: 'CONN_ERR_UNAVAILABLE' });
    expect(await store.load()).toBeNull();
    await capture.pollOnce();
    expect(calls.map((c) => c.position)).toEqual([null, 'p1', null, 'p1']);
    const values = producer.values('unics.crm.contacts');
    expect(values.map((v) => (v.after as { id: string }).id)).toEqual(['C1', 'C2', 'C3']);
    expect(values.map((v) => (v.source as { snapshot: string }).snapshot)).toEqual(['true', 'true', 'last']);
  });

  it('reports a record created inside the poll window and never produced before as "c"', async () => {
    const clock = createFakeClock(T);
    const { source } = scriptedSource([page([rec('C1', T)], 'p1'), page([rec('C9', T + 50, T + 50), rec('C1', T + 60)], 'p2', false, T)]);
    const { capture, producer } = build(source, clock);
    await capture.pollOnce();
    await capture.pollOnce();
    const values = producer.values('unics.crm.contacts').slice(1);
    expect(values.map((v) => [(v.after as { id: string }).id, v.op])).toEqual([['C9', 'c'], ['C1', 'u']]);
  });

  it('stops a poll at maxPagesPerPoll without a heartbeat, saving the position reached; the next poll goes on', async () => {
    const clock = createFakeClock(T);
    const { source, calls } = scriptedSource([
      page([rec('C1', T)], 'p1'),
      page([rec('C2', T + 1)], 'p2', true),
      page([rec('C3', T + 2)], 'p3', true),
      page([rec('C4', T + 3)], 'p4', false),
    ]);
    const { capture, producer, store } = build(source, clock, { maxPagesPerPoll: 2 });
    await capture.pollOnce();
    producer.sent.length = 0;
    expect(await capture.pollOnce()).toMatchObject({ produced: 2, pages: 2, complete: false, capturedToMs: null });
    expect(producer.sent.map((m) => m.topic)).toEqual(['unics.crm.contacts', 'unics.crm.contacts']);
    expect(await store.load()).toBe('p3');
    expect(await capture.pollOnce()).toMatchObject({ produced: 1, complete: true, capturedToMs: T });
    expect(calls.map((c) => c.position)).toEqual([null, 'p1', 'p2', 'p3']);
  });

  it('writes the position store only when the position moved', async () => {
    const clock = createFakeClock(T);
    const { source } = scriptedSource([page([rec('C1', T)], 'p1'), page([], 'p1'), page([rec('C1', T)], 'p1'), page([rec('C2', T + 1)], 'p2')]);
    const saves: string[] = [];
    const inner = createMemoryPositionStore();
    const capture = createPollCapture({ name: 'crm', source, producer: createFakeProducer(), log, clock, positionStore: { load: () => inner.load(), save: async (p) => void saves.push(p) } });
    for (let i = 0; i < 4; i++) await capture.pollOnce();
    expect(saves).toEqual(['p1', 'p2']);
  });

  it('claims in heartbeats the poll\'s start minus the source\'s overlap, and asks for pageSize records', async () => {
    const clock = createFakeClock(T);
    const { source, calls } = scriptedSource([page([], 'p1')], { overlapMs: 40 });
    const { capture, producer } = build(source, clock, { pageSize: 123, topic: 'crm.contacts.v2', heartbeatTopic: 'hb.crm' });
    await capture.pollOnce();
    expect(calls[0]!.limit).toBe(123);
    expect(producer.values('hb.crm')).toEqual([{ ts_ms: T - 40 }]);
    expect(producer.sent.map((m) => m.key)).toEqual(['{"serverName":"crm"}']);
  });
});

describe('options', () => {
  const { source } = scriptedSource([]);
  const base = { name: 'crm', source, producer: createFakeProducer(), positionStore: createMemoryPositionStore(), log };
  it.each([
    [{ name: 'crm contacts' }, 'poll capture "crm contacts": name must be letters, digits, ".", "_" or "-" (it becomes part of a Kafka topic name), like "crm", but got "crm contacts"'],
    [{ brokers: ['127.0.0.1:9092'] }, 'poll capture "crm": give exactly one of `producer` (a producer you own) and `brokers` (the capture builds its own), but got both'],
    [{ pageSize: 5000 }, 'poll capture "crm": pageSize must be a whole number from 1 to 1000, but got 5000'],
    [{ intervalMs: 0.5 }, 'poll capture "crm": intervalMs must be a whole number from 1 to 3600000, but got 0.5'],
    [{ topic: 'unics/crm' }, 'poll capture "crm": topic must be a Kafka topic name (letters, digits, ".", "_", "-"), but got "unics/crm"'],
  ])('refuses %j with COMMON_ERR_CONFIG_INVALID', (bad, message) => {
    expect(() => createPollCapture({ ...base, ...bad } as PollCaptureOptions)).toThrow(expect.objectContaining({ code: 'COMMON_ERR_CONFIG_INVALID', message }));
  });
});
