// chat/routing and chat/agent-tools as one piece for the chat core: the access policy, the extra frame types (their
// schemas for the codec, their handlers for the sessions), the listeners of the core's events (agents' sockets
// opening and closing, conversations opening), the migrations, and the sweep's lifecycle. The app wires it:
//
//   const routing = createChatRouting({ db, fanout, clock, log, instanceId });
//   const chat = await createChat({ ..., policy: routing.policy, handlers: routing.handlers, migrations: routing.migrations, wrapStore: routing.wrapStore });
//   routing.attach(chat.events); routing.start();   // on shutdown: routing.stop() before the database closes
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Emitter, Unsubscribe } from '../../common/typed-events.ts';
import { agentToolsMigrations } from '../agent-tools/agent-tools-migrations.ts';
import { createAgentToolHandlers } from '../agent-tools/agent-tool-handlers.ts';
import { createAgentToolsStore, type AgentToolsStore } from '../agent-tools/agent-tools-store.ts';
import type { ChatDatabase } from '../db/chat-database.ts';
import type { ChatMigration } from '../db/migrate.ts';
import type { ChatFanout } from '../fanout/chat-fanout.ts';
import type { ClientFrame } from '../protocol/client-frames.ts';
import type { ChatAccessPolicy } from '../session/access-policy.ts';
import type { ChatEvents } from '../session/chat-events.ts';
import type { ChatStore } from '../store/chat-store.ts';
import { withRetractionMarks } from '../agent-tools/retraction-marks.ts';
import type { ChatFrameHandler } from '../session/core-frames.ts';
import type { z } from 'zod';
import { routingClientFrames } from './routing-frames.ts';
import { createRoutingHandlers } from './routing-handlers.ts';
import { routingMigrations } from './routing-migrations.ts';
import { createRoutingPolicy } from './routing-policy.ts';
import { createRoutingService, type RoutingService, type RoutingServiceOptions } from './routing-service.ts';

export interface ChatRoutingDeps {
  readonly db: ChatDatabase;
  readonly fanout: Pick<ChatFanout, 'publish'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Unique per process (sessions of a dead instance expire by it). */
  readonly instanceId: string;
  readonly options?: Partial<RoutingServiceOptions>;
  /** Roles that may read and send in any conversation of their tenant. Default ["supervisor"]. */
  readonly supervisorRoles?: readonly string[];
}

export interface ChatRouting {
  readonly service: RoutingService;
  readonly tools: AgentToolsStore;
  readonly policy: ChatAccessPolicy;
  readonly extraFrames: Readonly<Record<string, z.ZodType<ClientFrame>>>;
  /** By frame type; each carries its zod schema (createChat builds the codec from them). */
  readonly handlers: Readonly<Record<string, ChatFrameHandler>>;
  /** Marks retracted messages on the store's reads (createChat's wrapStore). */
  readonly wrapStore: (store: ChatStore) => ChatStore;
  /** Routing's and the agent tools' scripts, to run after the core's. */
  readonly migrations: readonly ChatMigration[];
  /** Listens to the core's events; returns the unsubscribe. */
  attach(events: Pick<Emitter<ChatEvents>, 'on'>): Unsubscribe;
  /** Resolves when the work started by events so far is done (tests, shutdown). */
  idle(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createChatRouting(deps: ChatRoutingDeps): ChatRouting {
  const { db, clock, log } = deps;
  const supervisorRoles = deps.supervisorRoles ?? ['supervisor'];
  const service = createRoutingService(deps);
  const tools = createAgentToolsStore({ db, clock });
  const handlers = Object.fromEntries([...createRoutingHandlers(service, supervisorRoles), ...createAgentToolHandlers({ tools, queries: service.queries, clock })]);
  // Event work runs in order per agent session (a socket that opens and closes at once must end offline) and per
  // conversation; `pending` lets idle() wait for all of it.
  const chains = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();
  const run = (key: string, what: string, work: () => Promise<void>) => {
    const next = (chains.get(key) ?? Promise.resolve()).then(work).catch((err: unknown) => log.warn({ err, key }, `chat routing: ${what} failed`));
    chains.set(key, next);
    pending.add(next);
    void next.finally(() => {
      pending.delete(next);
      if (chains.get(key) === next) chains.delete(key);
    });
  };

  return {
    service,
    tools,
    policy: createRoutingPolicy({ queries: service.queries, supervisorRoles }),
    extraFrames: routingClientFrames() as unknown as Record<string, z.ZodType<ClientFrame>>,
    handlers,
    wrapStore: (store) => withRetractionMarks(store, tools),
    migrations: [...routingMigrations(), ...agentToolsMigrations()],
    attach(events) {
      const offs = [
        events.on('chat.connection_opened', ({ sessionId, tenant, participant }) => {
          if (participant.role === 'agent') run(sessionId, 'agent connect', () => service.agentConnected(tenant, participant.id, sessionId));
        }),
        events.on('chat.connection_closed', ({ sessionId, participant }) => {
          if (participant.role === 'agent') run(sessionId, 'agent disconnect', () => service.agentDisconnected(sessionId));
        }),
        events.on('chat.conversation_opened', ({ conversation }) => {
          run(conversation.id, 'queueing a conversation', () =>
            service.conversationOpened(conversation.tenant, { conversationId: conversation.id, customerId: conversation.customerId }),
          );
        }),
      ];
      return () => offs.forEach((off) => off());
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
      await service.settled();
    },
    start: () => service.start(),
    async stop() {
      service.stop();
      await Promise.all([...pending]);
    },
  };
}
