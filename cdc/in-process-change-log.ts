// The embedded demo's event log (DESIGN.md: "in-process change log with the same interface"): topics of messages in
// this process, written through the capture producers' interface and read by consumers with createCdcConsumer's
// contract — decoded batches in order per topic, `apply` retried until it succeeds (never skipped), poison and
// rejected messages moved to `<groupId>.dlq`, a group's offset moved only after its batch applied, and the same
// events for metrics. One partition per topic: the demo's volume needs no more. Nothing survives the process; the
// demo rebuilds its views from a snapshot at start.
import { isUnicsError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { createEmitter } from '../common/typed-events.ts';
import type { AppliedBatch, ApplyResult, CdcConsumer, CdcConsumerEvents } from './create-cdc-consumer.ts';
import { decodeChangeEvent, type DecodedEvent } from './decode-change-event.ts';

export interface LogMessage {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface InProcessConsumerOptions {
  readonly groupId: string;
  /** Topic names, or regular expressions; topics created later that match are read too. */
  readonly topics: ReadonlyArray<string | RegExp>;
  readonly apply: (batch: AppliedBatch) => Promise<ApplyResult | void>;
  readonly log: Logger;
  /** Most messages handed to `apply` at once. Default 500. */
  readonly maxBatchMessages?: number;
  /** Wait between attempts when `apply` fails. Default 500 ms. */
  readonly retryDelayMs?: number;
  readonly now?: () => number;
}

export interface InProcessChangeLog {
  /** Appends to a topic (created on first use). Fits the poll capture's producer interface. */
  send(record: { topic: string; messages: readonly LogMessage[] }): Promise<void>;
  consumer(opts: InProcessConsumerOptions): CdcConsumer;
  /** Messages held and the next offset, per topic (consumed messages are dropped once every group passed them). */
  topics(): Record<string, { held: number; endOffset: number }>;
}

interface Topic {
  /** Offset of messages[0]. */
  base: number;
  messages: LogMessage[];
}

export function createInProcessChangeLog(opts: { retainUnread?: number } = {}): InProcessChangeLog {
  const retainUnread = opts.retainUnread ?? 100_000;
  const topics = new Map<string, Topic>();
  /** groupId → topic → next offset to read. */
  const groups = new Map<string, Map<string, number>>();
  const wakers = new Set<() => void>();

  const topicOf = (name: string): Topic => {
    let t = topics.get(name);
    if (!t) topics.set(name, (t = { base: 0, messages: [] }));
    return t;
  };

  /** Drops what every group subscribed to a topic has read; a topic nobody reads keeps its newest `retainUnread`. */
  function trim(name: string): void {
    const t = topicOf(name);
    const readers = [...groups.values()].map((g) => g.get(name)).filter((o): o is number => o !== undefined);
    const keepFrom = readers.length > 0 ? Math.min(...readers) : t.base + t.messages.length - retainUnread;
    const drop = Math.min(t.messages.length, keepFrom - t.base);
    if (drop > 0) {
      t.messages.splice(0, drop);
      t.base += drop;
    }
  }

  const log: InProcessChangeLog = {
    async send({ topic, messages }) {
      topicOf(topic).messages.push(...messages);
      trim(topic);
      for (const wake of wakers) wake();
    },

    consumer(copts) {
      const events = createEmitter<CdcConsumerEvents>();
      const now = copts.now ?? Date.now;
      const maxBatch = copts.maxBatchMessages ?? 500;
      const dlq = `${copts.groupId}.dlq`;
      const matches = (name: string) => name !== dlq && copts.topics.some((t) => (typeof t === 'string' ? t === name : t.test(name)));
      let running = false;
      let loop: Promise<void> | undefined;
      let wake: (() => void) | undefined;
      let sleeping: (() => void) | undefined;

      const offsets = (): Map<string, number> => {
        let g = groups.get(copts.groupId);
        if (!g) groups.set(copts.groupId, (g = new Map()));
        return g;
      };

      async function deadLetter(topic: string, offset: string, m: LogMessage | undefined, reason: string): Promise<void> {
        const headers = { 'unics-dlq-reason': reason, 'unics-dlq-topic': topic, 'unics-dlq-partition': '0', 'unics-dlq-offset': offset, 'unics-dlq-at': new Date(now()).toISOString() };
        await log.send({ topic: dlq, messages: [{ key: m?.key ?? null, value: m?.value ?? null, headers }] });
        events.emit('cdc.dead_letter', { topic, partition: 0, offset, reason });
      }

      /** Applies the next slice of one topic; false when it had nothing new. */
      async function step(name: string): Promise<boolean> {
        const t = topicOf(name);
        const g = offsets();
        const from = Math.max(g.get(name) ?? t.base, t.base);
        const end = t.base + t.messages.length;
        if (from >= end) return false;
        const slice = t.messages.slice(from - t.base, Math.min(end, from + maxBatch) - t.base);
        const decoded: Array<{ offset: string; event: DecodedEvent }> = [];
        for (const [i, m] of slice.entries()) {
          const offset = String(from + i);
          try {
            decoded.push({ offset, event: decodeChangeEvent({ topic: name, partition: 0, offset, key: m.key, value: m.value }) });
          } catch (err) {
            if (!isUnicsError(err) || err.code !== 'CDC_ERR_POISON') throw err;
            await deadLetter(name, offset, m, err.message);
          }
        }
        const t0 = now();
        const lagMessages = end - (from + slice.length);
        for (let attempt = 1; ; attempt++) {
          try {
            const result = decoded.length > 0 ? await copts.apply({ topic: name, partition: 0, events: decoded, lagMessages }) : undefined;
            for (const { offset, reason } of result?.rejected ?? []) await deadLetter(name, offset, slice[Number(offset) - from], reason);
            break;
          } catch (error) {
            events.emit('cdc.apply_failed', { topic: name, partition: 0, error, attempt });
            if (!running) return false; // not applied: the offset stays, a later consumer of the group retries it
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, copts.retryDelayMs ?? 500);
              sleeping = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
        }
        const ops: Record<string, number> = {};
        const applied = now();
        for (const { event } of decoded) {
          const op = event.kind === 'change' ? event.op : event.kind;
          ops[op] = (ops[op] ?? 0) + 1;
          if (event.kind === 'change' && event.sourceTsMs !== null) events.emit('cdc.lag', { topic: name, lagMs: Math.max(0, applied - event.sourceTsMs) });
        }
        events.emit('cdc.applied', { topic: name, partition: 0, count: decoded.length, ops, durationMs: applied - t0 });
        g.set(name, from + slice.length);
        trim(name);
        return true;
      }

      async function run(): Promise<void> {
        while (running) {
          let progressed = false;
          for (const name of [...topics.keys()].filter(matches)) {
            if (!running) return;
            try {
              progressed = (await step(name)) || progressed;
            } catch (err) {
              copts.log.error({ err, topic: name }, 'in-process change log: a batch could not be decoded or dead-lettered');
            }
          }
          if (!progressed && running) await new Promise<void>((resolve) => (wake = resolve));
        }
      }

      return {
        events,
        async start() {
          if (running) return;
          running = true;
          const g = offsets();
          for (const name of copts.topics) if (typeof name === 'string' && !g.has(name)) g.set(name, topicOf(name).base);
          const waker = () => {
            const w = wake;
            wake = undefined;
            w?.();
          };
          wakers.add(waker);
          loop = run().finally(() => wakers.delete(waker));
        },
        async stop() {
          running = false;
          wake?.();
          sleeping?.();
          await loop;
        },
      };
    },

    topics() {
      return Object.fromEntries([...topics].map(([name, t]) => [name, { held: t.messages.length, endOffset: t.base + t.messages.length }]));
    },
  };
  return log;
}
