// The atomic half of routing, in SQL that runs the same on PostgreSQL and PGlite. Two rules make claims safe with
// any number of agents and instances:
//  - a conversation changes hands only under its row lock and only from the state the caller saw (`queued` to
//    accept, `assigned to me` to transfer or close), so two claimers can never both get it;
//  - an agent's `active` count changes only under the agent row's lock and only while `active < capacity` (and the
//    agent is online), so nobody exceeds their capacity.
// Locks are taken conversations first, then agents in id order; dispatch never waits (SKIP LOCKED on both), so
// concurrent dispatchers work on disjoint conversations and agents instead of queueing behind each other.
import type { Clock } from '../../common/index.ts';
import type { ChatDatabase, SqlExecutor } from '../db/chat-database.ts';
import { planAssignments } from './plan-assignments.ts';
import { AGENT_COLUMNS, QUEUE_ORDER, QUEUED_COLUMNS, toAgent, toQueued, transactionWithRetry, type AgentRow, type QueuedRow } from './routing-sql.ts';

/** Why a routing action was refused (the service maps these to CHAT_ERR_* codes). */
export type RoutingRefusal =
  | 'conversation_not_found'
  | 'conversation_closed'
  | 'not_queued'
  | 'not_assigned_to_agent'
  | 'agent_offline'
  | 'agent_at_capacity'
  | 'agent_not_eligible'
  | 'same_agent';

export interface Claimed {
  readonly ok: true;
  readonly conversationId: string;
  readonly customerId: string;
  readonly agentId: string;
}
export interface Refused {
  readonly ok: false;
  readonly reason: RoutingRefusal;
  /** The conversation's current agent when the refusal is about it (not_queued). */
  readonly agentId?: string;
}
export type ClaimOutcome = Claimed | Refused;

export interface Requeued {
  readonly ok: true;
  readonly conversationId: string;
  readonly customerId: string;
  /** The agent it left. */
  readonly agentId: string;
}

export interface Closed {
  readonly ok: true;
  readonly conversationId: string;
  readonly customerId: string;
  /** The agent it was assigned to, if any. */
  readonly agentId: string | null;
  /** False when it was closed already (closing twice is a no-op). */
  readonly changed: boolean;
}

export interface ConversationNeeds {
  readonly conversationId: string;
  readonly customerId: string;
  readonly skill?: string | null;
  readonly language?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const refuse = (reason: RoutingRefusal, agentId?: string): Refused => (agentId === undefined ? { ok: false, reason } : { ok: false, reason, agentId });

interface ConversationRow {
  conversation_id: string;
  customer_id: string;
  state: 'queued' | 'assigned' | 'closed';
  agent_id: string | null;
  skill: string | null;
  language: string | null;
}

async function lockConversation(tx: SqlExecutor, tenant: string, conversationId: string): Promise<ConversationRow | undefined> {
  if (!UUID.test(conversationId)) return undefined;
  const { rows } = await tx.query<ConversationRow>(
    'select conversation_id, customer_id, state, agent_id, skill, language from routing_conversations where tenant = $1 and conversation_id = $2 for update',
    [tenant, conversationId],
  );
  return rows[0];
}

/** Takes a seat of the agent if they are online, have room and can serve the needs; otherwise says why not. */
async function takeSeat(tx: SqlExecutor, tenant: string, agentId: string, needs: { skill: string | null; language: string | null }, nowMs: number): Promise<RoutingRefusal | null> {
  const { rowCount } = await tx.query(
    `update routing_agents set active = active + 1, idle_since_ms = $3, updated_at_ms = $3
      where tenant = $1 and agent_id = $2 and status = 'online' and active < capacity
        and ($4::text is null or $4 = any(skills)) and ($5::text is null or $5 = any(languages))`,
    [tenant, agentId, nowMs, needs.skill, needs.language],
  );
  if (rowCount === 1) return null;
  const { rows } = await tx.query<AgentRow>(`select ${AGENT_COLUMNS} from routing_agents where tenant = $1 and agent_id = $2`, [tenant, agentId]);
  const agent = rows[0];
  if (agent === undefined || agent.status !== 'online') return 'agent_offline';
  if (Number(agent.active) >= Number(agent.capacity)) return 'agent_at_capacity';
  return 'agent_not_eligible';
}

async function freeSeat(tx: SqlExecutor, tenant: string, agentId: string, nowMs: number): Promise<void> {
  await tx.query('update routing_agents set active = active - 1, updated_at_ms = $3 where tenant = $1 and agent_id = $2 and active > 0', [tenant, agentId, nowMs]);
}

async function assign(tx: SqlExecutor, tenant: string, conversationId: string, customerId: string, agentId: string, nowMs: number): Promise<void> {
  await tx.query(
    `update routing_conversations set state = 'assigned', agent_id = $3, assigned_at_ms = $4, priority = 0 where tenant = $1 and conversation_id = $2`,
    [tenant, conversationId, agentId, nowMs],
  );
  await tx.query(
    `insert into routing_last_agent (tenant, customer_id, agent_id, served_at_ms) values ($1, $2, $3, $4)
     on conflict (tenant, customer_id) do update set agent_id = excluded.agent_id, served_at_ms = excluded.served_at_ms`,
    [tenant, customerId, agentId, nowMs],
  );
}

export interface RoutingClaims {
  /** Puts a conversation in the queue (a no-op when routing already knows it). Returns whether it was added. */
  enqueue(tenant: string, needs: ConversationNeeds): Promise<boolean>;
  /**
   * Queues open conversations routing does not know (their opening event was lost, or they predate routing), with
   * their creation time as their wait. Returns the tenants that got some.
   */
  adoptUnrouted(limit?: number): Promise<string[]>;
  /** An agent takes one queued conversation. */
  accept(tenant: string, agentId: string, conversationId: string): Promise<ClaimOutcome>;
  /** Assigns queued conversations (head first) to the best free agents; returns what it assigned. */
  dispatch(tenant: string, limit?: number): Promise<Claimed[]>;
  /** The assigned agent hands the conversation to another online agent with room. */
  transferToAgent(tenant: string, fromAgentId: string, conversationId: string, toAgentId: string): Promise<ClaimOutcome>;
  /** The assigned agent puts the conversation back at the front of the queue, now needing `skill`. */
  transferToSkill(tenant: string, fromAgentId: string, conversationId: string, skill: string): Promise<Requeued | Refused>;
  /** Ends routing for the conversation and frees its agent's seat. Authorisation is the caller's. */
  close(tenant: string, conversationId: string): Promise<Closed | Refused>;
}

export function createRoutingClaims(deps: { db: ChatDatabase; clock: Pick<Clock, 'now'> }): RoutingClaims {
  const { db, clock } = deps;
  return {
    async enqueue(tenant, needs) {
      const { rowCount } = await db.query(
        `insert into routing_conversations (conversation_id, tenant, customer_id, state, skill, language, enqueued_at_ms)
         values ($1, $2, $3, 'queued', $4, $5, $6) on conflict (conversation_id) do nothing`,
        [needs.conversationId, tenant, needs.customerId, needs.skill ?? null, needs.language ?? null, clock.now()],
      );
      return rowCount === 1;
    },

    async adoptUnrouted(limit = 1000) {
      const { rows } = await db.query<{ tenant: string }>(
        `insert into routing_conversations (conversation_id, tenant, customer_id, state, enqueued_at_ms)
         select c.id, c.tenant, c.customer_id, 'queued', (extract(epoch from c.created_at) * 1000)::bigint from conversations c
          where c.state <> 'closed' and not exists (select 1 from routing_conversations r where r.conversation_id = c.id)
          order by c.created_at limit $1
         on conflict (conversation_id) do nothing
         returning tenant`,
        [limit],
      );
      return [...new Set(rows.map((r) => r.tenant))];
    },

    accept: (tenant, agentId, conversationId) =>
      transactionWithRetry(db, async (tx): Promise<ClaimOutcome> => {
        const conv = await lockConversation(tx, tenant, conversationId);
        if (conv === undefined) return refuse('conversation_not_found');
        if (conv.state === 'closed') return refuse('conversation_closed');
        if (conv.state !== 'queued') return refuse('not_queued', conv.agent_id ?? undefined);
        const now = clock.now();
        const refusal = await takeSeat(tx, tenant, agentId, conv, now);
        if (refusal !== null) return refuse(refusal);
        await assign(tx, tenant, conv.conversation_id, conv.customer_id, agentId, now);
        return { ok: true, conversationId: conv.conversation_id, customerId: conv.customer_id, agentId };
      }),

    dispatch: (tenant, limit = 100) =>
      transactionWithRetry(db, async (tx) => {
        const queue = (
          await tx.query<QueuedRow>(
            `select ${QUEUED_COLUMNS} from routing_conversations where tenant = $1 and state = 'queued' order by ${QUEUE_ORDER} limit $2 for update skip locked`,
            [tenant, limit],
          )
        ).rows.map(toQueued);
        if (queue.length === 0) return [];
        const agents = (
          await tx.query<AgentRow>(
            `select ${AGENT_COLUMNS} from routing_agents where tenant = $1 and status = 'online' and active < capacity order by agent_id for update skip locked`,
            [tenant],
          )
        ).rows.map(toAgent);
        if (agents.length === 0) return [];
        const customers = [...new Set(queue.map((c) => c.customerId))];
        const last = await tx.query<{ customer_id: string; agent_id: string }>(
          'select customer_id, agent_id from routing_last_agent where tenant = $1 and customer_id = any($2)',
          [tenant, customers],
        );
        const now = clock.now();
        const plan = planAssignments(queue, agents, new Map(last.rows.map((r) => [r.customer_id, r.agent_id])), now);
        const byId = new Map(queue.map((c) => [c.conversationId, c]));
        const claimed: Claimed[] = [];
        for (const p of plan) {
          const conv = byId.get(p.conversationId)!;
          // The agent rows are locked by this transaction; the conditions hold anyway, and a failed one skips.
          if ((await takeSeat(tx, tenant, p.agentId, conv, now)) !== null) continue;
          await assign(tx, tenant, conv.conversationId, conv.customerId, p.agentId, now);
          claimed.push({ ok: true, conversationId: conv.conversationId, customerId: conv.customerId, agentId: p.agentId });
        }
        return claimed;
      }),

    transferToAgent: (tenant, fromAgentId, conversationId, toAgentId) =>
      transactionWithRetry(db, async (tx): Promise<ClaimOutcome> => {
        const conv = await lockConversation(tx, tenant, conversationId);
        if (conv === undefined) return refuse('conversation_not_found');
        if (conv.state === 'closed') return refuse('conversation_closed');
        if (conv.state !== 'assigned' || conv.agent_id !== fromAgentId) return refuse('not_assigned_to_agent');
        if (toAgentId === fromAgentId) return refuse('same_agent');
        // Both agent rows in id order: two transfers in opposite directions cannot deadlock.
        await tx.query('select agent_id from routing_agents where tenant = $1 and agent_id = any($2) order by agent_id for update', [tenant, [fromAgentId, toAgentId]]);
        const now = clock.now();
        // An explicit transfer is the agent's judgement: the target needs room, not the conversation's skill.
        const refusal = await takeSeat(tx, tenant, toAgentId, { skill: null, language: null }, now);
        if (refusal !== null) return refuse(refusal);
        await freeSeat(tx, tenant, fromAgentId, now);
        await assign(tx, tenant, conv.conversation_id, conv.customer_id, toAgentId, now);
        return { ok: true, conversationId: conv.conversation_id, customerId: conv.customer_id, agentId: toAgentId };
      }),

    transferToSkill: (tenant, fromAgentId, conversationId, skill) =>
      transactionWithRetry(db, async (tx): Promise<Requeued | Refused> => {
        const conv = await lockConversation(tx, tenant, conversationId);
        if (conv === undefined) return refuse('conversation_not_found');
        if (conv.state === 'closed') return refuse('conversation_closed');
        if (conv.state !== 'assigned' || conv.agent_id !== fromAgentId) return refuse('not_assigned_to_agent');
        await tx.query(
          `update routing_conversations set state = 'queued', agent_id = null, assigned_at_ms = null, skill = $3, priority = 1
            where tenant = $1 and conversation_id = $2`,
          [tenant, conversationId, skill],
        );
        await freeSeat(tx, tenant, fromAgentId, clock.now());
        return { ok: true, conversationId: conv.conversation_id, customerId: conv.customer_id, agentId: fromAgentId };
      }),

    close: (tenant, conversationId) =>
      transactionWithRetry(db, async (tx): Promise<Closed | Refused> => {
        const conv = await lockConversation(tx, tenant, conversationId);
        if (conv === undefined) return refuse('conversation_not_found');
        const base = { ok: true as const, conversationId: conv.conversation_id, customerId: conv.customer_id, agentId: conv.agent_id };
        if (conv.state === 'closed') return { ...base, changed: false };
        const now = clock.now();
        await tx.query(
          `update routing_conversations set state = 'closed', agent_id = null, closed_at_ms = $3 where tenant = $1 and conversation_id = $2`,
          [tenant, conversationId, now],
        );
        if (conv.agent_id !== null) await freeSeat(tx, tenant, conv.agent_id, now);
        return { ...base, changed: true };
      }),
  };
}
