// The capture's side of Kafka: the small producer interface it needs (a kafkajs Producer fits it; unit tests pass a
// fake), the idempotent kafkajs producer it builds when given brokers, and sends split so that no request nears the
// broker's message size limit. Every send waits for all in-sync replicas (acks -1) before the position may move.
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../../common/logger.ts';
import { cdcErr } from '../error-catalogue.ts';
import type { KafkaMessage } from './change-envelope.ts';

/** What the capture needs of a producer. A connected kafkajs Producer satisfies it. */
export interface CaptureProducer {
  send(record: { topic: string; messages: KafkaMessage[]; acks?: number }): Promise<unknown>;
}

export interface OwnedProducer extends CaptureProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * An idempotent kafkajs producer (no duplicates from its own retries, order kept per partition) with the
 * Java-compatible partitioner, so a record's key lands on the partition Kafka Connect would choose.
 */
export function createOwnedProducer(brokers: readonly string[], clientId: string, log: Logger): OwnedProducer {
  const kafka = new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log: entry }) => {
      if (level <= logLevel.WARN) log.warn({ kafkajs: entry.message, namespace: entry.namespace }, 'kafkajs');
    },
  });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  return producer;
}

/** Most bytes of keys and values in one send; brokers refuse batches over message.max.bytes (default ~1 MiB). */
export const MAX_SEND_BYTES = 512 * 1024;

/** Sends in order, in chunks under MAX_SEND_BYTES; maps any failure to CDC_ERR_CAPTURE_UNAVAILABLE. */
export async function sendAll(producer: CaptureProducer, topic: string, messages: readonly KafkaMessage[], capture: string): Promise<void> {
  let chunk: KafkaMessage[] = [];
  let bytes = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const batch = chunk;
    chunk = [];
    bytes = 0;
    try {
      await producer.send({ topic, messages: batch, acks: -1 });
    } catch (err) {
      throw cdcErr.CDC_ERR_CAPTURE_UNAVAILABLE(`poll capture "${capture}": Kafka did not acknowledge ${batch.length} message(s) to ${topic} (${(err as Error).message}); the position stays put and they are produced again`, {
        cause: err,
        details: { capture, topic },
      });
    }
  };
  for (const m of messages) {
    const size = Buffer.byteLength(m.key) + Buffer.byteLength(m.value);
    if (bytes + size > MAX_SEND_BYTES) await flush();
    chunk.push(m);
    bytes += size;
  }
  await flush();
}
