// Wires the materialized views into the app: the Redis view store the resolvers read, the changefeed subscription
// that feeds this instance's GraphQL subscriptions (whichever instance applied the change), and, when views.consume,
// the pipeline's consumer with its sinks (Redis pub/sub and the compacted customer-360 topic) and metrics.
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { Registry } from 'prom-client';
import { commonErrors, type Clock, type Lifecycle, type Logger } from '../common/index.ts';
import {
  createCustomerViews,
  createKafkaViewTopicSink,
  createRedisChangePublisher,
  createRedisViewStore,
  createViewPipeline,
  customer360,
  ensureViewTopic,
  registerViewMetrics,
  subscribeViewChanges,
  type ViewChangeSink,
  type ViewDefinition,
  type ViewPipeline,
} from '../materialized-views/index.ts';
import type { ChangeFeed, CustomerViews } from '../schema/schema-module.ts';
import type { Config } from './config.ts';

export interface StartedViews {
  readonly views: CustomerViews;
  readonly pipeline: ViewPipeline | undefined;
}

/** "/^unics\.shop\./" → a RegExp; anything else is a topic name. */
export function topicPattern(topic: string): string | RegExp {
  const m = /^\/(.+)\/([a-z]*)$/.exec(topic);
  return m ? new RegExp(m[1]!, m[2]) : topic;
}

export function viewsEnabled(config: Config): boolean {
  return config.views.enabled ?? (config.services.kafkaBrokers !== undefined && config.services.redisUrl !== undefined);
}

export async function startViews(
  config: Config,
  deps: { log: Logger; clock: Clock; metrics: Registry; changeFeed: ChangeFeed; lifecycle: Lifecycle; definition?: ViewDefinition },
): Promise<StartedViews | undefined> {
  if (!viewsEnabled(config)) return undefined;
  const { redisUrl, kafkaBrokers } = config.services;
  if (redisUrl === undefined || (config.views.consume && kafkaBrokers === undefined)) {
    throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(
      'views.enabled is true, but the views need services.redisUrl (and services.kafkaBrokers to run the pipeline); set them (REDIS_URL, KAFKA_BROKERS) or set views.enabled: false',
    );
  }
  const { log, clock, metrics, changeFeed, lifecycle } = deps;
  const vlog = log.child({ module: 'views' });
  const cfg = config.views;
  const definition = deps.definition ?? customer360;

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  lifecycle.add('views redis', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  const store = createRedisViewStore({ redis, definition });
  // Reads get their own connection with a short command timeout: a hanging Redis must not hold a request until its
  // deadline when the live path could answer (the pipeline's writes may take longer and keep theirs).
  const reader = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 500 });
  lifecycle.add('views reader redis', async () => {
    await reader.quit().catch(() => reader.disconnect());
  });
  const readStore = createRedisViewStore({ redis: reader, definition });

  // A subscribed Redis connection can do nothing else: its own connection.
  const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
  lifecycle.add('views changefeed subscriber', async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
  });
  let malformed = 0;
  const unsubscribe = await subscribeViewChanges(
    subscriber,
    definition,
    (notice) => {
      for (const reason of notice.reasons) {
        changeFeed.publish({ tenant: notice.tenant, customerId: notice.customerId, source: reason.source, at: new Date(notice.appliedAtMs).toISOString(), reason: reason.text });
      }
    },
    () => {
      if (malformed++ % 1000 === 0) vlog.warn({ malformed }, 'views: dropped malformed changefeed messages on Redis');
    },
  );
  lifecycle.add('views changefeed subscription', () => unsubscribe());

  let pipeline: ViewPipeline | undefined;
  if (cfg.consume && kafkaBrokers !== undefined) {
    const sinks: ViewChangeSink[] = [createRedisChangePublisher(redis, definition)];
    if (cfg.changefeedTopic !== false) {
      const kafka = new Kafka({ clientId: 'unics-views-changefeed', brokers: [...kafkaBrokers], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureViewTopic(admin, cfg.changefeedTopic);
      } finally {
        await admin.disconnect();
      }
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      lifecycle.add('views changefeed producer', () => producer.disconnect());
      sinks.push(createKafkaViewTopicSink(producer, store, cfg.changefeedTopic));
    }
    pipeline = createViewPipeline({
      definition,
      store,
      tenant: cfg.tenant,
      brokers: kafkaBrokers,
      groupId: cfg.groupId,
      topics: cfg.topics.map(topicPattern),
      heartbeats: cfg.heartbeats,
      sinks,
      log: vlog,
      now: () => clock.now(),
    });
    const unregister = registerViewMetrics(pipeline, metrics);
    const started = pipeline;
    await started.start();
    vlog.info({ topics: cfg.topics, groupId: cfg.groupId, tenant: cfg.tenant }, 'views: pipeline consuming');
    // Closed before the store's connection (reverse order): finishes the batch in hand and commits.
    lifecycle.add('view pipeline', async () => {
      unregister();
      await started.stop();
    });
  }
  return { views: createCustomerViews(readStore, clock), pipeline };
}
