// The chat's part of buildApp: its database (PostgreSQL when services.databaseUrl, else PGlite in process), its
// fan-out (Redis pub/sub when services.redisUrl, else in process), createChat, and /chat on the gateway. Imported only
// when the chat is enabled. openChatDatabase starts early (PGlite takes seconds to start) and runs beside the demo.
import { createHmac, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Clock, Lifecycle, Logger } from '../common/index.ts';
import { createChat, type Chat } from '../chat/create-chat.ts';
import { createChatAuthenticator, type AgentTokenVerifier } from '../chat/auth/chat-authenticator.ts';
import { createVisitorTokens, type VisitorTokens } from '../chat/auth/visitor-token.ts';
import type { ChatDatabase } from '../chat/db/chat-database.ts';
import type { ViewChangeNotice } from '../materialized-views/view-changefeed.ts';
import { conversationTopic, createLocalFanout } from '../chat/fanout/chat-fanout.ts';
import { createChatRouting } from '../chat/routing/create-chat-routing.ts';
import { createRedisFanout } from '../chat/fanout/redis-fanout.ts';
import { visitorTokenRoutes } from '../chat/transport/visitor-token-route.ts';
import type { Gateway, GatewayRoutes } from '../gateway/index.ts';
import type { AuthSettings } from './auth-settings.ts';
import type { Config } from './config.ts';

export async function openChatDatabase(config: Config, log: Logger): Promise<ChatDatabase> {
  const { schema, poolSize, dataDir } = config.chat;
  if (config.services.databaseUrl !== undefined) {
    const { createPgChatDatabase } = await import('../chat/db/pg-chat-database.ts');
    return createPgChatDatabase({ url: config.services.databaseUrl, schema, poolSize, onIdleError: (err) => log.warn({ err: { message: err.message } }, 'chat: an idle database connection failed; the pool replaces it') });
  }
  const { createPgliteChatDatabase } = await import('../chat/db/pglite-chat-database.ts');
  return createPgliteChatDatabase({ schema, ...(dataDir !== undefined ? { dataDir } : {}) });
}

/** The visitor-token secret: configured, or derived from the HS256 auth secret (so it differs from it). */
export function visitorTokens(config: Config, auth: AuthSettings, clock: Clock): VisitorTokens | undefined {
  const secret = config.chat.visitorTokenSecret ?? (auth.hs256Secret === undefined ? undefined : createHmac('sha256', auth.hs256Secret).update('unics chat visitor tokens').digest('base64url'));
  return secret === undefined ? undefined : createVisitorTokens({ secret, clock });
}

export function chatRoutes(config: Config, tokens: VisitorTokens | undefined): GatewayRoutes[] {
  if (tokens === undefined || !(config.chat.visitorTokenRoute ?? config.demo.embedded)) return [];
  return [visitorTokenRoutes({ tokens, tenant: config.chat.visitorTenant, lifetimeSeconds: Math.round(config.chat.visitorTokenLifetime / 1000) })];
}

export interface StartChatDeps {
  readonly db: ChatDatabase;
  readonly gateway: Gateway;
  readonly agents: AgentTokenVerifier;
  readonly visitors: VisitorTokens | undefined;
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: Registry;
  readonly lifecycle: Lifecycle;
  /** The views' changes in process (the embedded demo); absent, the chat listens to the Redis changefeed. */
  readonly viewChanges?: (listener: (notice: ViewChangeNotice) => void) => () => void;
}

export async function startChat(config: Config, deps: StartChatDeps): Promise<Chat> {
  const { log, lifecycle } = deps;
  const c = config.chat;
  lifecycle.add('chat database', () => deps.db.close());
  if (deps.visitors === undefined) log.warn('chat: visitor tokens are refused: set chat.visitorTokenSecret (with auth.jwksUrl there is no secret to derive one from)');
  let fanout = createLocalFanout();
  if (config.services.redisUrl !== undefined) {
    const publisher = new Redis(config.services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    lifecycle.add('chat redis publisher', async () => {
      await publisher.quit().catch(() => publisher.disconnect());
    });
    fanout = createRedisFanout({ publisher, subscriber: new Redis(config.services.redisUrl), prefix: c.redisPrefix, log: log.child({ module: 'chat' }) });
  }
  // Routing and agent tools (chat/routing, chat/agent-tools): the access policy, extra frames and migrations.
  const r = c.routing;
  const routing = createChatRouting({
    db: deps.db,
    fanout,
    clock: deps.clock,
    log: log.child({ module: 'chat-routing' }),
    instanceId: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    supervisorRoles: r.supervisorRoles,
    options: { autoAssign: r.autoAssign, sessionTtlMs: r.sessionTtl, sweepIntervalMs: r.sweepInterval, defaultProfile: { skills: [], languages: [], capacity: r.defaultCapacity } },
  });
  const chat = await createChat({
    db: deps.db,
    fanout,
    policy: routing.policy,
    handlers: routing.handlers,
    migrations: routing.migrations,
    wrapStore: routing.wrapStore,
    authenticate: createChatAuthenticator({ agents: deps.agents, ...(deps.visitors ? { visitors: deps.visitors } : {}), agentRoles: c.agentRoles, tenants: config.auth.tenants }),
    log,
    clock: deps.clock,
    metrics: deps.metrics,
    limits: {
      maxPayloadBytes: c.limits.maxPayload,
      maxFrameBytes: c.limits.maxFrame,
      maxTextChars: c.limits.maxTextChars,
      rateLimit: c.limits.rateLimit,
      maxBufferedBytes: c.limits.maxBuffered,
      heartbeatIntervalMs: c.limits.heartbeatInterval,
      resumePageSize: c.limits.resumePageSize,
    },
  });
  // Closed before the database and the gateway: sockets get 1001, then the store closes.
  lifecycle.add('chat', () => chat.close(), { timeoutMs: 10_000 });
  // Stopped before the sockets close: a shutting-down instance does not release its agents' conversations (their
  // clients reconnect to another instance; sessions left behind expire after routing's sessionTtlMs).
  const detach = routing.attach(chat.events);
  routing.start();
  lifecycle.add('chat routing', async () => {
    detach();
    await routing.stop();
  });
  await startBusinessEvents(config, chat, deps);
  deps.gateway.addUpgradeHandler('/chat', (req, socket, head) => chat.server.handleUpgrade(req, socket, head));
  return chat;
}

/**
 * Business events ("order paid") into conversations: with the views on Redis, every instance listens to the views'
 * changefeed; the event is stored once (its id is the view version, kind and subject) and delivered by the instance
 * that stored it. The embedded demo's in-process views hand their changes over directly (deps.viewChanges).
 */
async function startBusinessEvents(config: Config, chat: Chat, deps: StartChatDeps): Promise<void> {
  const { redisUrl, kafkaBrokers } = config.services;
  const viewsOn = config.views.enabled ?? (kafkaBrokers !== undefined && redisUrl !== undefined);
  if (deps.viewChanges === undefined && (!viewsOn || redisUrl === undefined)) return;
  const log = deps.log.child({ module: 'chat-events' });
  const { createBusinessEvents, openConversationsOf } = await import('../chat/agent-tools/business-events.ts');
  const events = createBusinessEvents({
    store: chat.store,
    openConversations: openConversationsOf(deps.db),
    onStored: (_tenant, entry) => chat.fanout.publish(conversationTopic(entry.conversationId), { kind: 'entry', entry }),
    onError: (err, notice) => log.warn({ err, customerId: notice.customerId, version: notice.version }, 'chat: a business event could not be stored; the next change goes on'),
  });
  if (deps.viewChanges !== undefined) {
    const off = deps.viewChanges((notice) => events.enqueue(notice));
    deps.lifecycle.add('chat business events', async () => {
      off();
      await events.idle();
    });
    return;
  }
  if (redisUrl === undefined) return;
  const [{ subscribeViewChanges }, { customer360 }] = await Promise.all([import('../materialized-views/view-changefeed.ts'), import('../materialized-views/customer-360.ts')]);
  // A subscribed Redis connection can do nothing else: its own.
  const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
  deps.lifecycle.add('chat business events redis', async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
  });
  const unsubscribe = await subscribeViewChanges(subscriber, customer360, (notice) => events.enqueue(notice));
  deps.lifecycle.add('chat business events', async () => {
    await unsubscribe();
    await events.idle();
  });
}
