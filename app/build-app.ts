// buildApp(): wires the process together without listening (STYLE.md 7), so tests build it without a port.
// In start order (closed in reverse by the lifecycle): the embedded demo's simulators (demo.embedded), the Redis
// cache store (services.redisUrl), tracing, the connectors, the materialized views (config.views), then the schema
// module and the gateway.
import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createLifecycle, systemClock, type Clock, type Lifecycle, type Logger } from '../common/index.ts';
import { builtinConnectorKinds, createConnectorEmitter, createConnectorRegistry, createRedisCacheStore, loadConnectors, registerConnectorMetrics, type CacheStore } from '../connectors/index.ts';
import { traceConnectorCalls } from '../connectors/connector-tracing.ts';
import { createGateway, createTokenVerifier, type Gateway } from '../gateway/index.ts';
import { createApolloTracingPlugin } from '../gateway/tracing/apollo-tracing-plugin.ts';
import type { Tracing } from '../gateway/tracing/create-tracing.ts';
import type { ViewChangeNotice } from '../materialized-views/view-changefeed.ts';
import type { ViewDefinition } from '../materialized-views/view-definition.ts';
import { createMemoryChangeFeed, createSchemaModule, defaultSourceMap, type MemoryChangeFeed, type SourceMap } from '../schema/index.ts';
import { authSettings, DEV_SECRET_WARNING, type AuthSettings } from './auth-settings.ts';
import type { Config } from './config.ts';
import { createConnectorReadiness } from './connector-readiness.ts';
import type { EmbeddedDemo } from './embedded-demo.ts';
import type { StartedViews } from './start-views.ts';
import type { Chat } from '../chat/create-chat.ts';

export interface App {
  readonly config: Config;
  readonly gateway: Gateway;
  /** The HTTP server (Fastify's); not listening until listen(). */
  readonly server: Server;
  readonly lifecycle: Lifecycle;
  readonly metrics: Registry;
  readonly auth: AuthSettings;
  readonly changeFeed: MemoryChangeFeed;
  /** The materialized views and their pipeline, when views are enabled (config.views). */
  readonly views: StartedViews | undefined;
  /** The in-process simulators, when demo.embedded. */
  readonly demo: EmbeddedDemo | undefined;
  /** The WebSocket chat (ws /chat), when enabled (config.chat). */
  readonly chat: Chat | undefined;
  /** Listens on config.server (port 0: a free port) and returns the base URL. */
  listen(): Promise<string>;
  /** Stops accepting traffic and closes every resource in reverse start order. */
  close(): Promise<void>;
}

export interface AppDeps {
  readonly log: Logger;
  readonly clock?: Clock;
  /** OpenTelemetry tracing (gateway/tracing); spans per operation and per connector call when enabled. */
  readonly tracing?: Tracing;
  /** Progress lines while the embedded demo starts (seeding the shop takes a few seconds). */
  readonly progress?: (message: string) => void;
  /** The materialized view's definition; default customer360 (tests point it at tables of their own). */
  readonly viewDefinition?: ViewDefinition;
  /**
   * Views the caller started, used instead of config.views (the gateway benchmark's ceiling: the same server with
   * every view already in process memory, bench/gateway/unics-memory-views.ts).
   */
  readonly views?: StartedViews;
}

function sourceMapOf(config: Config): SourceMap {
  const overrides = Object.fromEntries(Object.entries(config.gateway.sources).filter(([, v]) => v !== undefined));
  return { ...defaultSourceMap, ...overrides } as SourceMap;
}

export async function buildApp(config: Config, deps: AppDeps): Promise<App> {
  const { log } = deps;
  const clock = deps.clock ?? systemClock;
  const lifecycle = createLifecycle({ log, clock });
  // The chat's database starts first and beside the rest (PGlite takes seconds); startChat below takes it over.
  const chatModule = config.chat.enabled ?? (config.demo.embedded || config.services.databaseUrl !== undefined) ? import('./start-chat.ts') : undefined;
  const chatDb = chatModule?.then((m) => m.openChatDatabase(config, log));
  chatDb?.catch(() => {}); // awaited below; a failure is reported there
  let chatDbOwned = false; // true once the lifecycle closes it
  try {
    let demo: EmbeddedDemo | undefined;
    if (config.demo.embedded) {
      // Imported only here, so a process that runs its own config loads neither the simulators nor PGlite (34 modules).
      const { startEmbeddedDemo } = await import('./embedded-demo.ts');
      demo = await startEmbeddedDemo({ customers: config.demo.customers, ...(deps.progress ? { progress: deps.progress } : {}) });
      const systems = demo.systems;
      lifecycle.add('legacy simulators', () => systems.close());
    }

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: 'unics_' });
    const events = createConnectorEmitter();
    registerConnectorMetrics(events, metrics);

    let redisCacheStore: CacheStore | undefined;
    if (config.services.redisUrl !== undefined) {
      // Imported only when configured, like the views below: a process without Redis does not load ioredis.
      const { Redis } = await import('ioredis');
      const redis = new Redis(config.services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      lifecycle.add('redis', async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
      redisCacheStore = createRedisCacheStore(redis, { prefix: 'unics:conn:' });
    }

    const tracing = deps.tracing?.enabled ? deps.tracing : undefined;
    if (tracing) lifecycle.add('tracing', () => tracing.shutdown());

    // A config file's own connectors win; the embedded demo brings the example's, pointed at its simulators.
    const definitions = config.connectors.length > 0 ? config.connectors : (demo?.connectors ?? []);
    const loaded = await loadConnectors(definitions, { registry: createConnectorRegistry(builtinConnectorKinds), log: log.child({ module: 'connectors' }), clock, events, ...(redisCacheStore ? { redisCacheStore } : {}) });
    lifecycle.add('connectors', () => loaded.close());
    if (tracing) traceConnectorCalls(events, tracing.tracer, { connectorKind: (name) => loaded.connectors.get(name)?.kind });

    // Imported only when configured: a live-only gateway loads neither kafkajs nor the views (≈200 modules).
    if (config.capture.length > 0 && (config.services.kafkaBrokers === undefined || config.services.redisUrl === undefined)) {
      // Like the views, capture runs only with the real services; without them the gateway reads live.
      log.warn({ captures: config.capture.map((c) => c.name) }, 'capture: not started: it needs services.kafkaBrokers (where changes go) and services.redisUrl (where positions are kept); set KAFKA_BROKERS and REDIS_URL to run it');
    } else if (config.capture.length > 0) {
      const { startCaptures } = await import('./start-captures.ts');
      await startCaptures(config, { log, clock, lifecycle });
    }
    const changeFeed = createMemoryChangeFeed();
    // The embedded views' changes, for the chat's business events (with Redis, the chat listens to the changefeed).
    const viewChangeListeners = new Set<(notice: ViewChangeNotice) => void>();
    let embeddedViews = false;
    let views: StartedViews | undefined = deps.views;
    if (views === undefined && (config.views.enabled ?? (config.services.kafkaBrokers !== undefined && config.services.redisUrl !== undefined))) {
      const { startViews } = await import('./start-views.ts');
      views = await startViews(config, { log, clock, metrics, changeFeed, lifecycle, ...(deps.viewDefinition ? { definition: deps.viewDefinition } : {}) });
    }
    if (views === undefined && demo !== undefined && config.views.enabled !== false) {
      // The embedded demo's views: in-process change log and memory store, fed by the simulators' changes.
      const { startEmbeddedViews } = await import('./start-embedded-views.ts');
      embeddedViews = true;
      views = await startEmbeddedViews(config, demo, {
        log,
        clock,
        metrics,
        changeFeed,
        lifecycle,
        onChanges: (changes) => {
          for (const listener of viewChangeListeners) for (const change of changes) listener(change);
        },
        ...(deps.viewDefinition ? { definition: deps.viewDefinition } : {}),
      });
    }
    const schema = createSchemaModule({
      connectors: loaded.connectors,
      sources: sourceMapOf(config),
      changeFeed,
      clock,
      log: log.child({ module: 'schema' }),
      ...(views ? { views: views.views, freshnessBudgetMs: Math.round(config.views.freshnessBudget) } : {}),
    });

    const auth = authSettings(config.auth);
    if (auth.developmentSecret) log.warn(DEV_SECRET_WARNING);
    const limits = config.gateway.limits;
    const verifier = createTokenVerifier({ ...auth.verifier, clock });
    const chatStart = chatModule === undefined ? undefined : await chatModule;
    const visitors = chatStart?.visitorTokens(config, auth, clock);
    const gateway = await createGateway({
      schema,
      auth: verifier,
      ...(chatStart ? { routes: chatStart.chatRoutes(config, visitors) } : {}),
      limits: {
        bodyLimitBytes: limits.bodyLimit,
        maxTokens: limits.maxTokens,
        maxDepth: limits.maxDepth,
        maxAliases: limits.maxAliases,
        maxCost: limits.maxCost,
        defaultListSize: limits.defaultListSize,
        maxOperations: limits.maxOperations,
        maxVariablesBytes: limits.maxVariablesSize,
        requestTimeoutMs: limits.requestTimeout,
        wsMaxPayloadBytes: limits.wsMaxPayload,
        apqMaxEntries: limits.apqMaxEntries,
        apqMaxBytes: limits.apqMaxSize,
      },
      log,
      metrics,
      readiness: createConnectorReadiness({ connectors: loaded.connectors, lifecycle, clock, timeoutMs: config.gateway.readiness.timeout, cacheTtlMs: config.gateway.readiness.cacheTtl }),
      explain: config.gateway.explain,
      introspection: config.gateway.introspection,
      clock,
      ...(tracing ? { plugins: [createApolloTracingPlugin(tracing.tracer)] } : {}),
    });
    // Closed first: stop accepting, close WebSockets with 1001, finish in-flight requests.
    lifecycle.add('gateway', () => gateway.close(), { timeoutMs: 15_000 });
    let chat: Chat | undefined;
    if (chatStart !== undefined && chatDb !== undefined) {
      const db = await chatDb;
      chatDbOwned = true;
      chat = await chatStart.startChat(config, {
        db,
        gateway,
        agents: verifier,
        visitors,
        log,
        clock,
        metrics,
        lifecycle,
        ...(embeddedViews
          ? {
              viewChanges: (listener: (notice: ViewChangeNotice) => void) => {
                viewChangeListeners.add(listener);
                return () => void viewChangeListeners.delete(listener);
              },
            }
          : {}),
      });
    }

    return {
      config,
      gateway,
      server: gateway.fastify.server,
      lifecycle,
      metrics,
      auth,
      changeFeed,
      views,
      demo,
      chat,
      async listen() {
        const address = await gateway.fastify.listen({ port: config.server.port, host: config.server.host });
        return address.replace('//localhost', `//${config.server.host}`);
      },
      async close() {
        const report = await lifecycle.close();
        for (const f of report.failures) log.error({ err: f.error, resource: f.name }, 'resource failed to close');
      },
    };
  } catch (err) {
    await lifecycle.close();
    // A chat database opened but not yet handed to the lifecycle is closed here.
    if (chatDb !== undefined && !chatDbOwned) await chatDb.then((db) => db.close()).catch(() => {});
    throw err;
  }
}
