// The routing model: what the pure routing core (choose-agent, plan-assignments, queue-positions) reasons about.
// The SQL store reads these shapes from its tables; the core never does I/O and takes time as plain numbers.

export type AgentStatus = 'online' | 'offline';

/** An agent as routing sees them: presence, what they can handle, and how busy they are. */
export interface RoutingAgent {
  readonly agentId: string;
  readonly status: AgentStatus;
  /** Lower-case skill names ("billing", "returns"); a conversation needing a skill goes only to agents having it. */
  readonly skills: readonly string[];
  /** Lower-case language tags ("en", "de"). */
  readonly languages: readonly string[];
  /** How many conversations the agent may hold at once. */
  readonly capacity: number;
  /** How many conversations the agent holds now. */
  readonly active: number;
  /**
   * When the agent last got a conversation or came online (ms since the epoch); the smallest is the longest idle.
   * null: never (counts as the longest idle of all).
   */
  readonly idleSinceMs: number | null;
}

/** A conversation waiting for an agent. */
export interface QueuedConversation {
  readonly conversationId: string;
  readonly customerId: string;
  /** Required skill, or null for any agent. */
  readonly skill: string | null;
  /** Required language, or null for any agent. */
  readonly language: string | null;
  /** When the conversation first started waiting (kept when it comes back to the queue), ms since the epoch. */
  readonly enqueuedAtMs: number;
  /**
   * Conversations that come back to the queue (their agent went offline, or were transferred to a skill) have
   * priority 1 and go to the front; new ones have 0.
   */
  readonly priority: number;
}

/** The agent who last served each customer: customerId → agentId. */
export type LastServed = ReadonlyMap<string, string>;

export interface Assignment {
  readonly conversationId: string;
  readonly agentId: string;
  /** Why this agent: the customer's previous agent, or the best free one. */
  readonly reason: 'previous_agent' | 'best_free';
}
