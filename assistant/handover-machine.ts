// When the assistant steps aside (STYLE.md 9: one state variable and a transition table, pure). The assistant talks
// only in "assisting" and "unsure"; once it has handed over, or an agent is in the conversation, it stays quiet until
// an agent gives the conversation back (resume).
//
//   assisting ──low confidence──▶ unsure ──low confidence again──▶ handed_over
//       │  ▲                        │
//       │  └──────answered──────────┘
//       ├─ asked for a person / clearly negative / a plugin proposed it / failed ─▶ handed_over
//       └─ agent joined (from any state) ─▶ agent_present ─agent left─▶ handed_over ─resume─▶ assisting
import { commonErrors } from '../common/index.ts';

export type HandoverState = 'assisting' | 'unsure' | 'handed_over' | 'agent_present';

export type HandoverReason = 'customer_asked' | 'low_confidence_twice' | 'negative_sentiment' | 'plugin_proposed' | 'profile_unavailable' | 'plugin_failed' | 'agent_joined';

/** What happened, as the assistant classifies a visitor message (or a conversation event). */
export type HandoverEvent =
  | { readonly type: 'answered' }
  | { readonly type: 'low_confidence' }
  | { readonly type: 'asked_for_person' }
  | { readonly type: 'negative_sentiment' }
  | { readonly type: 'plugin_proposed' }
  | { readonly type: 'profile_unavailable' }
  | { readonly type: 'plugin_failed' }
  | { readonly type: 'agent_joined' }
  | { readonly type: 'agent_left' }
  | { readonly type: 'resume' };

export const HANDOVER_TRANSITIONS: { readonly [S in HandoverState]: readonly HandoverState[] } = Object.freeze({
  assisting: ['unsure', 'handed_over', 'agent_present'],
  unsure: ['assisting', 'handed_over', 'agent_present'],
  handed_over: ['agent_present', 'assisting'],
  agent_present: ['handed_over', 'assisting'],
});

/** The target of each event from each state; absent: the event changes nothing there. */
const TARGETS: { readonly [S in HandoverState]: Partial<Record<HandoverEvent['type'], { to: HandoverState; reason?: HandoverReason }>> } = {
  assisting: {
    low_confidence: { to: 'unsure' },
    asked_for_person: { to: 'handed_over', reason: 'customer_asked' },
    negative_sentiment: { to: 'handed_over', reason: 'negative_sentiment' },
    plugin_proposed: { to: 'handed_over', reason: 'plugin_proposed' },
    profile_unavailable: { to: 'handed_over', reason: 'profile_unavailable' },
    plugin_failed: { to: 'handed_over', reason: 'plugin_failed' },
    agent_joined: { to: 'agent_present', reason: 'agent_joined' },
  },
  unsure: {
    answered: { to: 'assisting' },
    low_confidence: { to: 'handed_over', reason: 'low_confidence_twice' },
    asked_for_person: { to: 'handed_over', reason: 'customer_asked' },
    negative_sentiment: { to: 'handed_over', reason: 'negative_sentiment' },
    plugin_proposed: { to: 'handed_over', reason: 'plugin_proposed' },
    profile_unavailable: { to: 'handed_over', reason: 'profile_unavailable' },
    plugin_failed: { to: 'handed_over', reason: 'plugin_failed' },
    agent_joined: { to: 'agent_present', reason: 'agent_joined' },
  },
  handed_over: {
    agent_joined: { to: 'agent_present' },
    resume: { to: 'assisting' },
  },
  agent_present: {
    agent_left: { to: 'handed_over' },
    resume: { to: 'assisting' },
  },
};

export interface HandoverStep {
  readonly state: HandoverState;
  /** Set when this step hands the conversation to a person (or an agent took it): why, for the agent's note. */
  readonly handover?: HandoverReason;
}

/** Whether the assistant may speak in this state. */
export const assistantSpeaks = (state: HandoverState): boolean => state === 'assisting' || state === 'unsure';

/** The next state for an event. Events that mean nothing in a state leave it as it is. */
export function handoverStep(state: HandoverState, event: HandoverEvent): HandoverStep {
  const allowed = HANDOVER_TRANSITIONS[state];
  if (allowed === undefined) {
    throw commonErrors.errors.COMMON_ERR_INVALID_TRANSITION(`assistant handover: unknown state "${String(state)}"; states: ${Object.keys(HANDOVER_TRANSITIONS).join(', ')}`);
  }
  const target = TARGETS[state][event.type];
  if (target === undefined) return { state };
  if (!allowed.includes(target.to)) {
    // The two tables disagree: a bug here, named with both states.
    throw commonErrors.errors.COMMON_ERR_INVALID_TRANSITION(`assistant handover: cannot go from "${state}" to "${target.to}" on ${event.type}`, { details: { from: state, to: target.to } });
  }
  return target.reason === undefined ? { state: target.to } : { state: target.to, handover: target.reason };
}
