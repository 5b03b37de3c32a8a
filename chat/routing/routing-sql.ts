// Small helpers shared by the routing store's files: row mapping (pg returns bigint as a string, PGlite as a number)
// and the retry of a transaction PostgreSQL aborted to break a deadlock.
import type { ChatDatabase, SqlExecutor } from '../db/chat-database.ts';
import type { QueuedConversation, RoutingAgent } from './routing-model.ts';

export interface AgentRow {
  agent_id: string;
  status: 'online' | 'offline';
  skills: string[];
  languages: string[];
  capacity: number;
  active: number;
  idle_since_ms: string | number | null;
}

export interface QueuedRow {
  conversation_id: string;
  customer_id: string;
  skill: string | null;
  language: string | null;
  enqueued_at_ms: string | number;
  priority: number;
}

export const AGENT_COLUMNS = 'agent_id, status, skills, languages, capacity, active, idle_since_ms';
export const QUEUED_COLUMNS = 'conversation_id, customer_id, skill, language, enqueued_at_ms, priority';
/** Queue order (compareQueued in SQL). */
export const QUEUE_ORDER = 'priority desc, enqueued_at_ms, conversation_id';

export const toAgent = (r: AgentRow): RoutingAgent => ({
  agentId: r.agent_id,
  status: r.status,
  skills: r.skills,
  languages: r.languages,
  capacity: Number(r.capacity),
  active: Number(r.active),
  idleSinceMs: r.idle_since_ms === null ? null : Number(r.idle_since_ms),
});

export const toQueued = (r: QueuedRow): QueuedConversation => ({
  conversationId: r.conversation_id,
  customerId: r.customer_id,
  skill: r.skill,
  language: r.language,
  enqueuedAtMs: Number(r.enqueued_at_ms),
  priority: Number(r.priority),
});

// 40P01 deadlock_detected, 40001 serialization_failure: the transaction was rolled back whole; running it again is safe.
const RETRIABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

export async function transactionWithRetry<T>(db: ChatDatabase, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRIABLE_SQLSTATES.has(code)) throw err;
    }
  }
}

/** Moves an agent's conversations back to the front of the queue (priority 1, original wait kept). */
export async function requeueAgentConversations(tx: SqlExecutor, tenant: string, agentId: string): Promise<string[]> {
  const { rows } = await tx.query<{ conversation_id: string }>(
    `update routing_conversations set state = 'queued', agent_id = null, assigned_at_ms = null, priority = 1
      where tenant = $1 and agent_id = $2 and state = 'assigned'
      returning conversation_id`,
    [tenant, agentId],
  );
  return rows.map((r) => r.conversation_id).sort();
}
