// Fills the throughput benchmark's topics with generated Debezium change events (change-generator.ts) for the shop
// tables: `<prefix>.shop.{orders,order_items,payments}`, 4 partitions each like the stack's connector creates them,
// keyed and partitioned as Debezium's producer would (kafkajs' default partitioner is Java's murmur2). Batched
// produce with several requests in flight, and a progress bar on stderr.
import { Kafka, logLevel, type TopicMessages } from 'kafkajs';
import { createChangeGenerator, type ShopTable } from './change-generator.ts';

export interface PrefillResult {
  readonly topics: readonly string[];
  readonly changes: number;
  readonly byTable: Readonly<Record<ShopTable, number>>;
  readonly bytes: number;
  readonly elapsedMs: number;
}

export function progressBar(done: number, total: number, rate: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor((done / total) * 100)).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${Math.round(rate).toLocaleString('en-US')} changes/s`;
}

export async function prefillTopics(o: {
  brokers: readonly string[];
  topicPrefix: string;
  changes: number;
  partitions?: number;
  batchMessages?: number;
  inFlight?: number;
  write?: (line: string, final: boolean) => void;
}): Promise<PrefillResult> {
  const gen = createChangeGenerator({ topicPrefix: o.topicPrefix, database: o.topicPrefix, seed: 20261123 });
  const topics = Object.values(gen.topics);
  const kafka = new Kafka({ clientId: 'unics-bench-cdc-prefill', brokers: [...o.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: o.partitions ?? 4, replicationFactor: 1 })) });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const write = o.write ?? ((line, final) => process.stderr.write(process.stderr.isTTY ? `\r${line}${final ? '\n' : ''}` : `${line}\n`));
  const batchMessages = o.batchMessages ?? 5_000;
  const byTable: Record<ShopTable, number> = { orders: 0, order_items: 0, payments: 0 };
  const inFlight = new Set<Promise<unknown>>();
  const t0 = performance.now();
  let produced = 0;
  let acked = 0;
  let bytes = 0;
  let lastReport = 0;
  let carry: ReturnType<typeof gen.next> = [];
  try {
    while (produced < o.changes) {
      const perTopic = new Map<string, TopicMessages['messages']>();
      let n = 0;
      while (n < batchMessages && produced + n < o.changes) {
        if (carry.length === 0) carry = gen.next();
        const e = carry.shift()!;
        (perTopic.get(e.topic) ?? perTopic.set(e.topic, []).get(e.topic)!).push({ key: e.key, value: e.value, headers: e.headers as Record<string, string> });
        byTable[e.table]++;
        bytes += e.key.length + e.value.length;
        n++;
      }
      produced += n;
      const send = producer
        .sendBatch({ acks: 1, topicMessages: [...perTopic].map(([topic, messages]) => ({ topic, messages })) })
        .then(() => {
          acked += n;
          const now = performance.now();
          if (now - lastReport > 250 || acked === o.changes) {
            lastReport = now;
            write(progressBar(acked, o.changes, acked / ((now - t0) / 1000)), acked === o.changes);
          }
        });
      inFlight.add(send);
      void send.finally(() => inFlight.delete(send)).catch(() => undefined);
      if (inFlight.size >= (o.inFlight ?? 4)) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return { topics, changes: produced, byTable, bytes, elapsedMs: Math.round(performance.now() - t0) };
}
