// The embedded demo's materialized views (DESIGN.md, "embedded default"): no Kafka, no Redis, no Debezium. The
// Shop's PGlite records its row changes (examples/legacy/shop/shop-change-capture.ts) and the CRM and Helpdesk are
// polled by the same poll captures production runs; all of them write Debezium-format envelopes into an in-process
// change log, which the same view pipeline reads into the in-process memory view store. Changes reach this
// process's GraphQL subscriptions directly. Nothing is kept across restarts: the views are rebuilt at start from a
// snapshot of the Shop and the captures' initial loads.
import type { Registry } from 'prom-client';
import { createInProcessChangeLog } from '../cdc/in-process-change-log.ts';
import { createMemoryPositionStore, createPollCapture, type ChangeSource, type PollCapture } from '../cdc/index.ts';
import type { Clock, Lifecycle, Logger } from '../common/index.ts';
import { installShopChangeCapture, type CapturedMessage } from '../examples/legacy/shop/shop-change-capture.ts';
import { createCustomerViews, createMemoryViewStore, createViewPipeline, customer360, registerViewMetrics, type ViewChange, type ViewChangeSink, type ViewDefinition } from '../materialized-views/index.ts';
import type { ChangeFeed } from '../schema/schema-module.ts';
import type { Config } from './config.ts';
import type { EmbeddedDemo } from './embedded-demo.ts';
import { captureSource } from './start-captures.ts';
import type { StartedViews } from './start-views.ts';

/** How often the Shop's outbox is read; a change waits about half of it on average. */
const SHOP_CAPTURE_INTERVAL_MS = 20;
/** The polled systems, as unics.example.yaml's `capture` section names them. */
const DEMO_CAPTURES = [
  { name: 'crm', kind: 'crm', connector: 'crm', interval: 100 },
  { name: 'helpdesk', kind: 'helpdesk', connector: 'helpdesk', interval: 100 },
] as const satisfies ReadonlyArray<Config['capture'][number]>;

export async function startEmbeddedViews(
  config: Config,
  demo: EmbeddedDemo,
  deps: {
    log: Logger;
    clock: Clock;
    metrics: Registry;
    changeFeed: ChangeFeed;
    lifecycle: Lifecycle;
    definition?: ViewDefinition;
    /** Every applied change, as the Redis changefeed would carry it (the chat's business events listen). */
    onChanges?: (changes: readonly ViewChange[]) => void;
  },
): Promise<StartedViews> {
  const { log, clock, metrics, changeFeed, lifecycle } = deps;
  const vlog = log.child({ module: 'views' });
  const definition = deps.definition ?? customer360;
  const changeLog = createInProcessChangeLog();
  const store = createMemoryViewStore(definition);

  const feed: ViewChangeSink = {
    name: 'in-process',
    async publish(changes) {
      deps.onChanges?.(changes);
      for (const change of changes) {
        for (const reason of change.reasons) {
          changeFeed.publish({ tenant: change.tenant, customerId: change.customerId, source: reason.source, at: new Date(change.appliedAtMs).toISOString(), reason: reason.text });
        }
      }
    },
  };
  const pipeline = createViewPipeline({
    definition,
    store,
    tenant: config.views.tenant,
    brokers: [],
    changeLog,
    groupId: config.views.groupId,
    topics: [/^unics\.shop\./, 'unics.crm.contacts', 'unics.helpdesk.tickets'],
    heartbeats: { '__debezium-heartbeat.unics': 'shop', '__debezium-heartbeat.crm': 'crm', '__debezium-heartbeat.helpdesk': 'helpdesk' },
    sinks: [feed],
    log: vlog,
    now: () => clock.now(),
  });
  const unregister = registerViewMetrics(pipeline, metrics);
  await pipeline.start();
  lifecycle.add('view pipeline', async () => {
    unregister();
    await pipeline.stop();
  });

  // The sources start in the background, so the gateway listens at once: until a source's first changes and
  // heartbeat are in, its fields are read live (no watermark, no freshness), as with a view that is missing.
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  const captures: PollCapture[] = [];
  const sources: ChangeSource[] = [];
  const starting = (async () => {
    // The Shop: a snapshot of every row, then its outbox every SHOP_CAPTURE_INTERVAL_MS, a heartbeat when empty.
    const shop = await installShopChangeCapture(demo.systems.shop.db);
    const send = async (messages: readonly CapturedMessage[]) => {
      for (const [topic, list] of Map.groupBy(messages, (m) => m.topic)) await changeLog.send({ topic, messages: list });
    };
    await send(await shop.snapshot(clock.now()));
    const pollShop = async () => {
      try {
        for (;;) {
          const batch = await shop.next(clock.now());
          if (batch.length === 0) break;
          await send(batch);
        }
        await send([shop.heartbeat(clock.now())]);
      } catch (err) {
        vlog.warn({ err }, "views: reading the demo shop's changes failed; retrying");
      }
      if (!stopped) timer = setTimeout(() => (polling = pollShop()), SHOP_CAPTURE_INTERVAL_MS).unref();
    };
    polling = pollShop();

    for (const c of DEMO_CAPTURES) {
      if (stopped) return;
      const source = captureSource({ connectors: demo.connectors }, c, clock);
      sources.push(source);
      const capture = createPollCapture({
        name: c.name,
        source,
        producer: changeLog,
        positionStore: createMemoryPositionStore(),
        intervalMs: c.interval,
        log: log.child({ module: 'capture', capture: c.name }),
        clock,
      });
      captures.push(capture);
      await capture.start();
    }
  })().catch((err: unknown) => vlog.error({ err }, 'views: the embedded demo\'s change capture did not start; every read is live'));
  // Registered after the pipeline: closed before it (reverse order), so the pipeline gets the last changes.
  lifecycle.add('demo change capture', async () => {
    stopped = true;
    await starting;
    clearTimeout(timer);
    await polling;
    await Promise.allSettled(captures.map((c) => c.stop()));
    await Promise.allSettled(sources.map((s) => s.close()));
  }, { timeoutMs: 5_000 });
  vlog.info({ tenant: config.views.tenant }, 'views: embedded demo views on (in-process change log, memory store)');
  return { views: createCustomerViews(store, clock), pipeline };
}
