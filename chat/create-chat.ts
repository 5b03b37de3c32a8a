// createChat: the chat core assembled from its parts — migrations, store, frame codec, sessions, the /chat server,
// metrics — over a ChatDatabase and a ChatFanout the caller starts (app/start-chat.ts). Building does not listen:
// the caller routes the gateway's /chat upgrades to `server.handleUpgrade`.
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import { createEmitter, type Emitter } from '../common/typed-events.ts';
import type { ChatAuthenticator } from './auth/chat-authenticator.ts';
import { registerChatMetrics } from './chat-metrics.ts';
import type { ChatDatabase } from './db/chat-database.ts';
import { runChatMigrations, type ChatMigration, type MigrationReport } from './db/migrate.ts';
import type { ChatFanout } from './fanout/chat-fanout.ts';
import type { ClientFrame } from './protocol/client-frames.ts';
import { createFrameCodec, DEFAULT_MAX_FRAME_BYTES, type FrameCodec } from './protocol/frame-codec.ts';
import { defaultAccessPolicy, type ChatAccessPolicy } from './session/access-policy.ts';
import type { ChatEvents } from './session/chat-events.ts';
import { createChatSessions, type ChatSessions } from './session/chat-sessions.ts';
import type { ChatFrameHandler } from './session/core-frames.ts';
import type { RateLimit } from './session/rate-limit.ts';
import { chatCoreMigrations } from './store/chat-migrations.ts';
import type { ChatStore } from './store/chat-store.ts';
import { createSqlChatStore } from './store/sql-chat-store.ts';
import { createChatServer, type ChatServer } from './transport/chat-server.ts';

export interface ChatLimits {
  /** Largest WebSocket message read at all (larger: close 1009). Default 64 KiB. */
  readonly maxPayloadBytes: number;
  /** Largest frame decoded (larger: CHAT_ERR_FRAME_TOO_LARGE, connection stays). Default 16 KiB. */
  readonly maxFrameBytes: number;
  readonly maxTextChars: number;
  readonly rateLimit: RateLimit;
  readonly maxBufferedBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly resumePageSize: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = Object.freeze({
  maxPayloadBytes: 64 * 1024,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxTextChars: 4000,
  rateLimit: Object.freeze({ perSecond: 20, burst: 40 }),
  maxBufferedBytes: 1024 * 1024,
  heartbeatIntervalMs: 30_000,
  resumePageSize: 200,
});

export interface ChatOptions {
  readonly db: ChatDatabase;
  readonly fanout: ChatFanout;
  readonly authenticate: ChatAuthenticator;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Where the chat's metrics go (unics_chat_connections …). */
  readonly metrics?: Registry;
  readonly limits?: Partial<ChatLimits>;
  /** Who may read and send where (chat/routing's); default: visitors their own conversations, agents their tenant's. */
  readonly policy?: ChatAccessPolicy;
  /** More frame types (chat/routing's agent tools), by type. */
  readonly handlers?: Readonly<Record<string, ChatFrameHandler>>;
  /** More migrations, run after the core's (chat/routing's). */
  readonly migrations?: readonly ChatMigration[];
  /** Wraps the store the sessions use (chat/agent-tools marks retracted messages on reads). */
  readonly wrapStore?: (store: ChatStore) => ChatStore;
}

export interface Chat {
  readonly store: ChatStore;
  readonly events: Emitter<ChatEvents>;
  readonly fanout: ChatFanout;
  readonly sessions: ChatSessions;
  readonly server: ChatServer;
  readonly codec: FrameCodec;
  readonly migrations: MigrationReport;
  /** Closes every socket (1001) and the fan-out; the database stays open (its owner closes it). */
  close(): Promise<void>;
}

export async function createChat(options: ChatOptions): Promise<Chat> {
  const limits: ChatLimits = { ...DEFAULT_CHAT_LIMITS, ...options.limits };
  const log = options.log.child({ module: 'chat' });
  const clock = options.clock ?? systemClock;
  const migrations = await runChatMigrations(options.db, [...chatCoreMigrations(), ...(options.migrations ?? [])]);
  if (migrations.applied.length > 0) log.info({ applied: migrations.applied, schema: options.db.schema }, 'chat: migrations applied');
  const sqlStore = createSqlChatStore(options.db);
  const store = options.wrapStore ? options.wrapStore(sqlStore) : sqlStore;
  const events = createEmitter<ChatEvents>({ onListenerError: (err, event) => log.error({ err, event }, 'chat: an event listener failed') });
  const handlers = new Map(Object.entries(options.handlers ?? {}));
  const extraFrames = Object.fromEntries([...handlers].map(([type, h]) => [type, h.schema])) as Record<string, ChatFrameHandler<ClientFrame>['schema']>;
  const codec = createFrameCodec({ maxFrameBytes: limits.maxFrameBytes, maxTextChars: limits.maxTextChars, extraFrames });
  const sessions = createChatSessions({
    store,
    fanout: options.fanout,
    policy: options.policy ?? defaultAccessPolicy,
    events,
    codec,
    clock,
    log,
    limits: { rateLimit: limits.rateLimit, maxBufferedBytes: limits.maxBufferedBytes, resumePageSize: limits.resumePageSize },
    handlers,
  });
  const offResync = options.fanout.onResync(() => sessions.resyncAll());
  const offMetrics = options.metrics ? registerChatMetrics(events, options.metrics) : () => {};
  const server = createChatServer({ authenticate: options.authenticate, sessions, events, log, maxPayloadBytes: limits.maxPayloadBytes, heartbeatIntervalMs: limits.heartbeatIntervalMs });
  return {
    store,
    events,
    fanout: options.fanout,
    sessions,
    server,
    codec,
    migrations,
    async close() {
      await server.close();
      offResync();
      offMetrics();
      await options.fanout.close();
    },
  };
}
