// Routing as a service for the chat sessions: runs the store's atomic claims and tells people what changed, over
// the chat's fan-out (so an instance can serve sockets held by another):
//  - the agent concerned, on their participant topic: assigned, unassigned, waiting (the queue, to online agents);
//  - the visitor, on theirs: queue {position}, assigned;
//  - everyone joined to the conversation, on its topic: closed.
// Each instance also runs a sweep: refreshes its agents' sessions, expires those of dead instances (releasing their
// agents), queues open conversations routing missed, and dispatches whatever waits.
import type { Clock, TimerHandle } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { ChatDatabase } from '../db/chat-database.ts';
import { conversationTopic, participantTopic, type ChatFanout } from '../fanout/chat-fanout.ts';
import type { Participant } from '../store/chat-store.ts';
import { createRoutingClaims, type Claimed, type ConversationNeeds } from './routing-claims.ts';
import type { RoutingServerFrame, WaitingEntry } from './routing-frames.ts';
import { createRoutingPresence, type AgentProfile, type Released } from './routing-presence.ts';
import { createRoutingQueries } from './routing-queries.ts';

export interface RoutingServiceOptions {
  /** Assign waiting conversations to the best free agent (true), or only when an agent accepts one (false). */
  readonly autoAssign: boolean;
  /** A session not refreshed for this long belongs to a dead instance. */
  readonly sessionTtlMs: number;
  readonly sweepIntervalMs: number;
  /** Coalesces queue notifications (positions, waiting lists) per tenant. */
  readonly notifyDelayMs: number;
  /** What an agent handles until they say otherwise with a presence frame. */
  readonly defaultProfile: AgentProfile;
  /** Most waiting conversations listed in a waiting frame. */
  readonly waitingListLimit: number;
  /** Most waiting visitors told their position after a change (the rest hear it as they move up). */
  readonly positionsLimit: number;
}

export const DEFAULT_ROUTING_OPTIONS: RoutingServiceOptions = Object.freeze({
  autoAssign: true,
  sessionTtlMs: 60_000,
  sweepIntervalMs: 10_000,
  notifyDelayMs: 50,
  defaultProfile: Object.freeze({ skills: [], languages: [], capacity: 3 }),
  waitingListLimit: 50,
  positionsLimit: 1000,
});

export interface RoutingServiceDeps {
  readonly db: ChatDatabase;
  readonly fanout: Pick<ChatFanout, 'publish'>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly instanceId: string;
  readonly options?: Partial<RoutingServiceOptions>;
}

export type RoutingService = ReturnType<typeof createRoutingService>;

const agent = (id: string): Participant => ({ role: 'agent', id });
const visitor = (id: string): Participant => ({ role: 'visitor', id });

export function createRoutingService(deps: RoutingServiceDeps) {
  const { db, fanout, clock, log, instanceId } = deps;
  const options: RoutingServiceOptions = { ...DEFAULT_ROUTING_OPTIONS, ...deps.options };
  const claims = createRoutingClaims({ db, clock });
  const presence = createRoutingPresence({ db, clock, instanceId });
  const queries = createRoutingQueries({ db });
  /** Agent sessions on this instance: sessionId → tenant (refreshed by the sweep). */
  const localSessions = new Map<string, string>();
  const tenants = new Set<string>();
  const notifyTimers = new Map<string, TimerHandle>();
  const notifying = new Set<Promise<void>>();
  let sweepTimer: TimerHandle | undefined;
  let stopped = false;

  const toParticipant = (tenant: string, p: Participant, frame: RoutingServerFrame) => fanout.publish(participantTopic(tenant, p), { kind: 'frame', frame });
  const toConversation = (conversationId: string, frame: RoutingServerFrame) => fanout.publish(conversationTopic(conversationId), { kind: 'frame', frame });

  function announceAssigned(tenant: string, c: Claimed): void {
    const frame: RoutingServerFrame = { type: 'assigned', conversationId: c.conversationId, customerId: c.customerId, agentId: c.agentId };
    toParticipant(tenant, agent(c.agentId), frame);
    toParticipant(tenant, visitor(c.customerId), frame);
  }

  async function waitingList(tenant: string): Promise<WaitingEntry[]> {
    const queue = await queries.queue(tenant);
    return queue.slice(0, options.waitingListLimit).map((e) => ({
      conversationId: e.conversationId,
      customerId: e.customerId,
      skill: e.skill,
      language: e.language,
      position: e.position,
      since: new Date(e.enqueuedAtMs).toISOString(),
    }));
  }

  /** Tells waiting visitors their new positions and online agents the queue. */
  async function notifyQueue(tenant: string): Promise<void> {
    // Every waiting visitor hears their position after each (coalesced) change, even an unchanged one: instances
    // do not share what they told whom, and a visitor released back to the queue must hear it again.
    const queue = await queries.queue(tenant);
    for (const e of queue.slice(0, options.positionsLimit)) {
      toParticipant(tenant, visitor(e.customerId), { type: 'queue', conversationId: e.conversationId, position: e.position });
    }
    const { rows } = await db.query<{ agent_id: string }>(`select agent_id from routing_agents where tenant = $1 and status = 'online'`, [tenant]);
    if (rows.length === 0) return;
    const entries = await waitingList(tenant);
    for (const r of rows) toParticipant(tenant, agent(r.agent_id), { type: 'waiting', entries });
  }

  function scheduleNotify(tenant: string): void {
    if (stopped || notifyTimers.has(tenant)) return;
    notifyTimers.set(
      tenant,
      clock.setTimeout(() => {
        notifyTimers.delete(tenant);
        const p = notifyQueue(tenant).catch((err: unknown) => log.warn({ err, tenant }, 'chat routing: queue notification failed'));
        notifying.add(p);
        void p.finally(() => notifying.delete(p));
      }, options.notifyDelayMs),
    );
  }

  /** Assigns what can be assigned now, announces it, and schedules the queue notifications. */
  async function dispatch(tenant: string): Promise<Claimed[]> {
    tenants.add(tenant);
    const assigned = options.autoAssign ? await claims.dispatch(tenant) : [];
    for (const c of assigned) announceAssigned(tenant, c);
    scheduleNotify(tenant);
    return assigned;
  }

  async function afterRelease(released: Released | null): Promise<void> {
    if (released === null) return;
    for (const id of released.conversationIds) toParticipant(released.tenant, agent(released.agentId), { type: 'unassigned', conversationId: id, reason: 'offline' });
    await dispatch(released.tenant);
  }

  async function sweep(): Promise<void> {
    await presence.touch([...localSessions.keys()]);
    for (const released of await presence.expireSessions(options.sessionTtlMs)) await afterRelease(released);
    for (const tenant of await claims.adoptUnrouted()) tenants.add(tenant);
    for (const tenant of tenants) await dispatch(tenant);
  }

  return {
    claims,
    presence,
    queries,
    options,
    dispatch,
    waitingList,
    notifyQueue,
    sweep,

    /** A visitor's conversation was created: it waits for an agent. */
    async conversationOpened(tenant: string, needs: ConversationNeeds): Promise<void> {
      await claims.enqueue(tenant, needs);
      await dispatch(tenant);
    },

    async agentConnected(tenant: string, agentId: string, sessionId: string): Promise<void> {
      localSessions.set(sessionId, tenant);
      await presence.connect({ tenant, agentId, sessionId }, options.defaultProfile);
      // Tell the agent what they hold (a reconnect after a blip keeps them) and what waits.
      for (const conversationId of await queries.assignedTo(tenant, agentId)) {
        const state = await queries.conversation(tenant, conversationId);
        if (state !== undefined) toParticipant(tenant, agent(agentId), { type: 'assigned', conversationId, customerId: state.customerId, agentId });
      }
      toParticipant(tenant, agent(agentId), { type: 'waiting', entries: await waitingList(tenant) });
      await dispatch(tenant);
    },

    async agentDisconnected(sessionId: string): Promise<void> {
      localSessions.delete(sessionId);
      await afterRelease(await presence.disconnect(sessionId));
    },

    /** Explicit presence; offline releases the agent's conversations. Returns the released ids. */
    async setPresence(tenant: string, agentId: string, status: 'online' | 'offline', profile: Partial<AgentProfile>): Promise<readonly string[]> {
      const released = await presence.setStatus(tenant, agentId, status, profile);
      await afterRelease(released);
      if (status === 'online') await dispatch(tenant);
      return released?.conversationIds ?? [];
    },

    announceAssigned,

    /** Resolves when the queue notifications already started have been published. */
    async settled(): Promise<void> {
      while (notifying.size > 0) await Promise.all([...notifying]);
    },

    /** After a transfer to an agent: the old agent lets go, the new one and the visitor learn who serves now. */
    announceTransfer(tenant: string, fromAgentId: string, c: Claimed): void {
      toParticipant(tenant, agent(fromAgentId), { type: 'unassigned', conversationId: c.conversationId, reason: 'transferred' });
      announceAssigned(tenant, c);
    },

    announceUnassigned(tenant: string, agentId: string, conversationId: string, reason: 'transferred' | 'offline' | 'closed'): void {
      toParticipant(tenant, agent(agentId), { type: 'unassigned', conversationId, reason });
    },

    announceClosed(tenant: string, conversationId: string, by: Participant, agentId: string | null): void {
      toConversation(conversationId, { type: 'closed', conversationId, by });
      if (agentId !== null) toParticipant(tenant, agent(agentId), { type: 'unassigned', conversationId, reason: 'closed' });
    },

    start(): void {
      const tick = () => {
        sweepTimer = undefined;
        if (stopped) return;
        sweep()
          .catch((err: unknown) => log.warn({ err }, 'chat routing: sweep failed; retrying at the next one'))
          .finally(() => {
            if (!stopped) sweepTimer = clock.setTimeout(tick, options.sweepIntervalMs);
          });
      };
      sweepTimer = clock.setTimeout(tick, options.sweepIntervalMs);
    },

    stop(): void {
      stopped = true;
      if (sweepTimer !== undefined) clock.clearTimeout(sweepTimer);
      for (const t of notifyTimers.values()) clock.clearTimeout(t);
      notifyTimers.clear();
    },
  };
}
