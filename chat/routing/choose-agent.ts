// Which agent gets a conversation: a pure function of the agents and the conversation (STYLE.md 8).
// Eligible: online, has the required skill, speaks the required language, has free capacity. Preferred: the agent
// who last served this customer (continuity), then the least loaded, then the longest idle, then the agent id (so
// the choice is deterministic and two instances planning from the same state agree).
import type { Assignment, LastServed, QueuedConversation, RoutingAgent } from './routing-model.ts';

/** Whether agent may take conversation now. */
export function canServe(agent: RoutingAgent, conversation: Pick<QueuedConversation, 'skill' | 'language'>): boolean {
  if (agent.status !== 'online' || agent.active >= agent.capacity) return false;
  if (conversation.skill !== null && !agent.skills.includes(conversation.skill)) return false;
  if (conversation.language !== null && !agent.languages.includes(conversation.language)) return false;
  return true;
}

/** Orders agents best first among equals: least loaded (as a share of capacity), longest idle, then id. */
export function compareAgents(a: RoutingAgent, b: RoutingAgent): number {
  const loadA = a.active / a.capacity;
  const loadB = b.active / b.capacity;
  if (loadA !== loadB) return loadA - loadB;
  const idleA = a.idleSinceMs ?? Number.NEGATIVE_INFINITY;
  const idleB = b.idleSinceMs ?? Number.NEGATIVE_INFINITY;
  if (idleA !== idleB) return idleA < idleB ? -1 : 1;
  return a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;
}

/** The agent for conversation, or undefined when nobody eligible is free. */
export function chooseAgent(
  agents: readonly RoutingAgent[],
  conversation: QueuedConversation,
  lastServed: LastServed = new Map(),
): Assignment | undefined {
  const previous = lastServed.get(conversation.customerId);
  let best: RoutingAgent | undefined;
  for (const agent of agents) {
    if (!canServe(agent, conversation)) continue;
    if (agent.agentId === previous) return { conversationId: conversation.conversationId, agentId: agent.agentId, reason: 'previous_agent' };
    if (best === undefined || compareAgents(agent, best) < 0) best = agent;
  }
  return best === undefined ? undefined : { conversationId: conversation.conversationId, agentId: best.agentId, reason: 'best_free' };
}
