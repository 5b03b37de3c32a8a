// A reference contender for the pipeline hooks (pipeline-hooks.ts), not UniCS's views: cdc/createCdcConsumer with
// its defaults, and per applied batch one pipelined Redis HSET per change (`<keyPrefix><table>:<key>` -> the row).
// It shows what the plumbing alone costs (consume, decode, commit, one Redis write per change) next to the bare
// consumer, keeps the hooks exercised on every run, and is a template for bench/cdc/view-pipeline-contender.ts.
// "Visible" here means written to Redis, not read back through GraphQL.
import { Redis } from 'ioredis';
import { createCdcConsumer } from '../../cdc/create-cdc-consumer.ts';
import { createLogger } from '../../common/logger.ts';
import type { FreshnessPipeline, FreshnessPipelineFactory, PipelineInput, ThroughputPipeline, ThroughputPipelineFactory, VisibleOrder } from './pipeline-hooks.ts';

function createReferencePipeline(input: PipelineInput): FreshnessPipeline & ThroughputPipeline {
  const redis = new Redis(input.redisUrl, { lazyConnect: true });
  const visible = new Set<(o: VisibleOrder) => void>();
  const applied = new Set<(n: number) => void>();
  const consumer = createCdcConsumer({
    brokers: input.brokers,
    groupId: input.groupId,
    topics: [input.topics.orders, input.topics.orderItems, input.topics.payments],
    log: createLogger({ level: 'silent' }),
    async apply(batch) {
      const writes = redis.pipeline();
      const orders: Array<{ orderId: string; updatedAt: string }> = [];
      for (const { event } of batch.events) {
        if (event.kind !== 'change' || !event.after) continue;
        const row = event.after;
        writes.hset(`${input.keyPrefix}${event.table}:${JSON.stringify(event.key)}`, 'row', JSON.stringify(row));
        if (event.table === 'orders') orders.push({ orderId: String(row.id), updatedAt: String(row.updated_at) });
      }
      await writes.exec();
      const visibleAt = performance.timeOrigin + performance.now();
      for (const o of orders) for (const listener of visible) listener({ ...o, visibleAt });
      for (const listener of applied) listener(batch.events.length);
    },
  });
  return {
    async start() {
      await redis.connect();
      await consumer.start();
    },
    onVisible(listener) {
      visible.add(listener);
      return () => void visible.delete(listener);
    },
    onApplied(listener) {
      applied.add(listener);
      return () => void applied.delete(listener);
    },
    async stop() {
      await consumer.stop();
      redis.disconnect();
    },
  };
}

export const createReferenceFreshnessPipeline: FreshnessPipelineFactory = async (input) => createReferencePipeline(input);
export const createReferenceThroughputPipeline: ThroughputPipelineFactory = async (input) => createReferencePipeline(input);
