// Matching a queue to agents: a pure function. The queue is served in order (priority first, then longest wait);
// a conversation nobody can serve now is skipped, not allowed to block the ones behind it (a "billing, de"
// conversation must not hold up "any, en" ones while no German billing agent is online).
import { chooseAgent } from './choose-agent.ts';
import type { Assignment, LastServed, QueuedConversation, RoutingAgent } from './routing-model.ts';

/** Queue order: priority (higher first), then the longest wait, then id (a total order, the same on every instance). */
export function compareQueued(a: QueuedConversation, b: QueuedConversation): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.enqueuedAtMs !== b.enqueuedAtMs) return a.enqueuedAtMs - b.enqueuedAtMs;
  return a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0;
}

/**
 * Assigns as much of the queue as the agents' free capacity allows. Each assignment counts against the agent's
 * capacity and makes them the most recently busy (nowMs) for the conversations after it, so work spreads out.
 */
export function planAssignments(
  queue: readonly QueuedConversation[],
  agents: readonly RoutingAgent[],
  lastServed: LastServed,
  nowMs: number,
): Assignment[] {
  const working = agents.map((a) => ({ ...a }));
  const plan: Assignment[] = [];
  for (const conversation of [...queue].sort(compareQueued)) {
    const assignment = chooseAgent(working, conversation, lastServed);
    if (assignment === undefined) continue;
    const agent = working.find((a) => a.agentId === assignment.agentId)!;
    agent.active += 1;
    agent.idleSinceMs = nowMs;
    plan.push(assignment);
  }
  return plan;
}
