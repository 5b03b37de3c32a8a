// Agent presence: an agent is online while they say so and hold at least one socket on some instance. Going
// offline — explicitly (a `presence` frame), because their last socket closed, or because the instance holding
// their sockets died and its sessions expired — releases their assigned conversations to the front of the queue
// (keeping their original wait), in the same transaction that marks them offline.
import type { Clock } from '../../common/index.ts';
import type { ChatDatabase } from '../db/chat-database.ts';
import type { AgentStatus } from './routing-model.ts';
import { requeueAgentConversations, transactionWithRetry } from './routing-sql.ts';

export interface AgentProfile {
  readonly skills: readonly string[];
  readonly languages: readonly string[];
  readonly capacity: number;
}

export interface AgentSession {
  readonly tenant: string;
  readonly agentId: string;
  /** Unique per socket (and so per instance). */
  readonly sessionId: string;
}

/** An agent who went offline, and the conversations that went back to the queue. */
export interface Released {
  readonly tenant: string;
  readonly agentId: string;
  readonly conversationIds: readonly string[];
}

export interface RoutingPresence {
  /**
   * A socket of the agent opened: records the session and puts the agent online. `profile` applies to an agent
   * routing has not seen before; a known agent keeps theirs (changed with setStatus).
   */
  connect(session: AgentSession, profile: AgentProfile): Promise<void>;
  /** Explicit status change; offline releases the agent's conversations (returned), online needs a live session. */
  setStatus(tenant: string, agentId: string, status: AgentStatus, profile?: Partial<AgentProfile>): Promise<Released | null>;
  /** A socket closed: the session goes; the agent's last one takes them offline (and releases). */
  disconnect(sessionId: string): Promise<Released | null>;
  /** This instance's sockets are alive: refreshes their sessions. */
  touch(sessionIds: readonly string[]): Promise<void>;
  /** Sessions not refreshed for ttlMs are dropped (their instance died); agents left without one go offline. */
  expireSessions(ttlMs: number): Promise<Released[]>;
}

export function createRoutingPresence(deps: { db: ChatDatabase; clock: Pick<Clock, 'now'>; instanceId: string }): RoutingPresence {
  const { db, clock, instanceId } = deps;

  // Marks the agent offline when `onlyIfNoSessions` holds, then requeues their conversations. The agent row is
  // locked by the update, so no assignment to them can commit between the two statements (every assignment takes
  // the agent row), and after commit they are offline.
  const goOffline = (tenant: string, agentId: string, onlyIfNoSessions: boolean) =>
    transactionWithRetry(db, async (tx): Promise<Released | null> => {
      const now = clock.now();
      const { rowCount } = await tx.query(
        `update routing_agents set status = 'offline', active = 0, updated_at_ms = $3
          where tenant = $1 and agent_id = $2 and status = 'online'
            and (not $4 or not exists (select 1 from routing_sessions s where s.tenant = $1 and s.agent_id = $2))`,
        [tenant, agentId, now, onlyIfNoSessions],
      );
      if (rowCount === 0) return null;
      return { tenant, agentId, conversationIds: await requeueAgentConversations(tx, tenant, agentId) };
    });

  return {
    async connect(session, profile) {
      const now = clock.now();
      await transactionWithRetry(db, async (tx) => {
        await tx.query(
          `insert into routing_sessions (session_id, tenant, agent_id, instance_id, seen_at_ms) values ($1, $2, $3, $4, $5)
           on conflict (session_id) do update set seen_at_ms = excluded.seen_at_ms`,
          [session.sessionId, session.tenant, session.agentId, instanceId, now],
        );
        await tx.query(
          `insert into routing_agents (tenant, agent_id, status, skills, languages, capacity, idle_since_ms, updated_at_ms)
           values ($1, $2, 'online', $3, $4, $5, $6, $6)
           on conflict (tenant, agent_id) do update set
             updated_at_ms = excluded.updated_at_ms,
             idle_since_ms = case when routing_agents.status = 'offline' then excluded.idle_since_ms else routing_agents.idle_since_ms end,
             status = 'online'`,
          [session.tenant, session.agentId, [...profile.skills], [...profile.languages], profile.capacity, now],
        );
      });
    },

    async setStatus(tenant, agentId, status, profile = {}) {
      if (status === 'offline') return goOffline(tenant, agentId, false);
      const now = clock.now();
      await db.query(
        `update routing_agents set status = 'online', updated_at_ms = $3,
           idle_since_ms = case when status = 'offline' then $3 else idle_since_ms end,
           skills = coalesce($4, skills), languages = coalesce($5, languages), capacity = coalesce($6, capacity)
          where tenant = $1 and agent_id = $2
            and exists (select 1 from routing_sessions s where s.tenant = $1 and s.agent_id = $2)`,
        [tenant, agentId, now, profile.skills ? [...profile.skills] : null, profile.languages ? [...profile.languages] : null, profile.capacity ?? null],
      );
      return null;
    },

    async disconnect(sessionId) {
      const { rows } = await db.query<{ tenant: string; agent_id: string }>('delete from routing_sessions where session_id = $1 returning tenant, agent_id', [sessionId]);
      const gone = rows[0];
      return gone === undefined ? null : goOffline(gone.tenant, gone.agent_id, true);
    },

    async touch(sessionIds) {
      if (sessionIds.length === 0) return;
      await db.query('update routing_sessions set seen_at_ms = $2 where session_id = any($1)', [[...sessionIds], clock.now()]);
    },

    async expireSessions(ttlMs) {
      const { rows } = await db.query<{ tenant: string; agent_id: string }>(
        'delete from routing_sessions where seen_at_ms < $1 returning tenant, agent_id',
        [clock.now() - ttlMs],
      );
      const agents = new Map(rows.map((r) => [`${r.tenant}\u0000${r.agent_id}`, r]));
      const released: Released[] = [];
      for (const a of agents.values()) {
        const r = await goOffline(a.tenant, a.agent_id, true);
        if (r !== null) released.push(r);
      }
      return released;
    },
  };
}
