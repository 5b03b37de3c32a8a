// Read-only routing queries: the queue with each visitor's position, one conversation's routing state, and an
// agent's conversations. No locks; callers use them to tell people where things stand.
import type { ChatDatabase } from '../db/chat-database.ts';
import { queuePositions } from './queue-positions.ts';
import type { QueuedConversation, RoutingAgent } from './routing-model.ts';
import { AGENT_COLUMNS, QUEUE_ORDER, QUEUED_COLUMNS, toAgent, toQueued, type AgentRow, type QueuedRow } from './routing-sql.ts';

export interface RoutingState {
  readonly conversationId: string;
  readonly customerId: string;
  readonly state: 'queued' | 'assigned' | 'closed';
  readonly agentId: string | null;
  readonly skill: string | null;
  readonly language: string | null;
}

export interface QueueEntry extends QueuedConversation {
  /** 1-based place among the conversations waiting for the same skill and language. */
  readonly position: number;
}

export interface RoutingQueries {
  /** The tenant's queue in order, with positions. */
  queue(tenant: string): Promise<QueueEntry[]>;
  conversation(tenant: string, conversationId: string): Promise<RoutingState | undefined>;
  /** The open (queued or assigned) conversations of a customer. */
  openConversationsOf(tenant: string, customerId: string): Promise<RoutingState[]>;
  /** Ids of the conversations assigned to an agent. */
  assignedTo(tenant: string, agentId: string): Promise<string[]>;
  agent(tenant: string, agentId: string): Promise<RoutingAgent | undefined>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATE_COLUMNS = 'conversation_id, customer_id, state, agent_id, skill, language';
interface StateRow {
  conversation_id: string;
  customer_id: string;
  state: RoutingState['state'];
  agent_id: string | null;
  skill: string | null;
  language: string | null;
}
const toState = (r: StateRow): RoutingState => ({
  conversationId: r.conversation_id,
  customerId: r.customer_id,
  state: r.state,
  agentId: r.agent_id,
  skill: r.skill,
  language: r.language,
});

export function createRoutingQueries(deps: { db: ChatDatabase }): RoutingQueries {
  const { db } = deps;
  return {
    async queue(tenant) {
      const { rows } = await db.query<QueuedRow>(`select ${QUEUED_COLUMNS} from routing_conversations where tenant = $1 and state = 'queued' order by ${QUEUE_ORDER}`, [tenant]);
      const queue = rows.map(toQueued);
      const positions = queuePositions(queue);
      return queue.map((c) => ({ ...c, position: positions.get(c.conversationId)! }));
    },
    async conversation(tenant, conversationId) {
      if (!UUID.test(conversationId)) return undefined;
      const { rows } = await db.query<StateRow>(`select ${STATE_COLUMNS} from routing_conversations where tenant = $1 and conversation_id = $2`, [tenant, conversationId]);
      return rows[0] === undefined ? undefined : toState(rows[0]);
    },
    async openConversationsOf(tenant, customerId) {
      const { rows } = await db.query<StateRow>(
        `select ${STATE_COLUMNS} from routing_conversations where tenant = $1 and customer_id = $2 and state <> 'closed' order by conversation_id`,
        [tenant, customerId],
      );
      return rows.map(toState);
    },
    async assignedTo(tenant, agentId) {
      const { rows } = await db.query<{ conversation_id: string }>(
        `select conversation_id from routing_conversations where tenant = $1 and agent_id = $2 and state = 'assigned' order by conversation_id`,
        [tenant, agentId],
      );
      return rows.map((r) => r.conversation_id);
    },
    async agent(tenant, agentId) {
      const { rows } = await db.query<AgentRow>(`select ${AGENT_COLUMNS} from routing_agents where tenant = $1 and agent_id = $2`, [tenant, agentId]);
      return rows[0] === undefined ? undefined : toAgent(rows[0]);
    },
  };
}
