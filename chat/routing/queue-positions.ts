// What each waiting visitor is told: their place in the queue. A conversation competes with those that need the
// same skill and language (its lane), so the position counts only the conversations ahead of it in that lane:
// a visitor waiting for a German billing agent is not told they are 40th because 39 English chats arrived first.
import { compareQueued } from './plan-assignments.ts';
import type { QueuedConversation } from './routing-model.ts';

const laneOf = (c: QueuedConversation) => `${c.skill ?? '*'}\u0000${c.language ?? '*'}`;

/** conversationId → 1-based position in its lane. */
export function queuePositions(queue: readonly QueuedConversation[]): Map<string, number> {
  const ahead = new Map<string, number>();
  const positions = new Map<string, number>();
  for (const c of [...queue].sort(compareQueued)) {
    const lane = laneOf(c);
    const n = (ahead.get(lane) ?? 0) + 1;
    ahead.set(lane, n);
    positions.set(c.conversationId, n);
  }
  return positions;
}
