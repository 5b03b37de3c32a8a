// The Node side of the Kafka floor: one record produced with kafkajs (acks 1), then awaited by a kafkajs consumer
// (minBytes 1), one at a time, like Kafka's EndToEndLatency tool does in Java. What kafkajs itself adds on this broker.
import { Kafka, logLevel } from 'kafkajs';
import { percentile, round } from '../lib/stats.ts';

export interface PingResult {
  readonly records: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

const now = () => performance.now();

export async function runKafkajsPing(o: { brokers: readonly string[]; topic: string; records: number; recordBytes: number; maxWaitTimeInMs?: number }): Promise<PingResult> {
  const kafka = new Kafka({ clientId: 'unics-bench-ping', brokers: [...o.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: o.topic, numPartitions: 1, replicationFactor: 1 }] });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `${o.topic}-ping`, maxWaitTimeInMs: o.maxWaitTimeInMs ?? 50, minBytes: 1 });
  await producer.connect();
  await consumer.connect();
  let waiting: ((at: number) => void) | undefined;
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
  await consumer.run({ eachMessage: async () => waiting?.(now()) });
  await joined;
  const value = Buffer.alloc(o.recordBytes, 'x');
  const latencies: number[] = [];
  try {
    for (let i = 0; i < o.records; i++) {
      const arrived = new Promise<number>((resolve) => (waiting = resolve));
      const t0 = now();
      await producer.send({ topic: o.topic, acks: 1, messages: [{ value }] });
      const at = await Promise.race([arrived, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`ping ${i} not consumed within 10 s`)), 10_000).unref())]);
      latencies.push(at - t0);
    }
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [o.topic] }).catch(() => undefined);
    await admin.disconnect();
  }
  const measured = latencies.slice(Math.min(500, Math.floor(latencies.length / 10))); // JIT and connection warm-up
  return { records: measured.length, p50Ms: round(percentile(measured, 50), 2), p99Ms: round(percentile(measured, 99), 2), p999Ms: round(percentile(measured, 99.9), 2) };
}
