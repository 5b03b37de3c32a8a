// A bare kafkajs consumer that notes, for every Debezium change event, when it was handed to eachBatch (its own
// clock) next to the event's own timestamps: source.ts_us (the source commit), ts_us (when Debezium built the
// event) and the Kafka record timestamp (the producer's send, or the broker's append on a LogAppendTime topic).
// Heartbeats are noted too. The join with the writer's commits happens in latency-report.ts.
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface Arrival {
  readonly txId: number;
  readonly op: string;
  readonly receivedAt: number;
  readonly sourceTsUs: number;
  readonly eventTsUs: number;
  readonly kafkaTsMs: number;
  readonly partition: number;
}

export interface HeartbeatArrival {
  readonly tsMs: number;
  readonly receivedAt: number;
}

export interface LatencyConsumerOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly heartbeatTopic?: string;
  readonly groupId: string;
  /** kafkajs fetch settings under test. */
  readonly maxWaitTimeInMs?: number;
  readonly minBytes?: number;
}

export interface LatencyConsumer {
  readonly arrivals: Arrival[];
  readonly heartbeats: HeartbeatArrival[];
  stop(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

export async function startLatencyConsumer(o: LatencyConsumerOptions): Promise<LatencyConsumer> {
  const kafka = new Kafka({ clientId: 'unics-bench-cdc-latency', brokers: [...o.brokers], logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({
    groupId: o.groupId,
    maxWaitTimeInMs: o.maxWaitTimeInMs ?? 50,
    minBytes: o.minBytes ?? 1,
    sessionTimeout: 30_000,
  });
  const arrivals: Arrival[] = [];
  const heartbeats: HeartbeatArrival[] = [];
  await consumer.connect();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topics: [...o.topics, ...(o.heartbeatTopic ? [o.heartbeatTopic] : [])], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      const receivedAt = now();
      for (const m of batch.messages) {
        if (!m.value) continue; // tombstones
        const v = JSON.parse(m.value.toString('utf8')) as { ts_ms?: number; ts_us?: number; op?: string; source?: { txId?: number; ts_us?: number } };
        if (batch.topic === o.heartbeatTopic) {
          if (typeof v.ts_ms === 'number') heartbeats.push({ tsMs: v.ts_ms, receivedAt });
          continue;
        }
        if (typeof v.source?.txId !== 'number') continue;
        arrivals.push({
          txId: v.source.txId,
          op: v.op ?? '?',
          receivedAt,
          sourceTsUs: v.source.ts_us ?? 0,
          eventTsUs: v.ts_us ?? 0,
          kafkaTsMs: Number(m.timestamp),
          partition: batch.partition,
        });
      }
    },
  });
  await joined;
  return {
    arrivals,
    heartbeats,
    async stop() {
      await consumer.disconnect();
    },
  };
}
