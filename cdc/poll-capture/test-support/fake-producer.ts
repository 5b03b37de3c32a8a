// A producer for pure unit tests of the capture (integration tests use the real Kafka): keeps what was sent, in
// order, and can refuse sends like an unreachable broker.
import type { CaptureProducer } from '../capture-producer.ts';
import type { KafkaMessage } from '../change-envelope.ts';

export interface SentMessage extends KafkaMessage {
  readonly topic: string;
}

export type FakeProducer = CaptureProducer & {
  readonly sent: SentMessage[];
  /** The next n sends fail. */
  failNext(n: number): void;
  /** Sent values on a topic, parsed. */
  values(topic: string): Array<Record<string, unknown>>;
};

export function createFakeProducer(): FakeProducer {
  const sent: SentMessage[] = [];
  let failing = 0;
  return {
    sent,
    failNext(n) {
      failing = n;
    },
    values: (topic) => sent.filter((m) => m.topic === topic).map((m) => JSON.parse(m.value) as Record<string, unknown>),
    async send({ topic, messages }) {
      if (failing > 0) {
        failing--;
        throw new Error('There is no leader for this topic-partition as we are in the middle of a leadership election');
      }
      for (const m of messages) sent.push({ topic, key: m.key, value: m.value });
      return [];
    },
  };
}
