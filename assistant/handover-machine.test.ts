import { describe, expect, it } from 'vitest';
import { assistantSpeaks, HANDOVER_TRANSITIONS, handoverStep, type HandoverEvent, type HandoverState } from './handover-machine.ts';

const run = (events: HandoverEvent['type'][], from: HandoverState = 'assisting') => {
  let state = from;
  const handovers: string[] = [];
  for (const type of events) {
    const step = handoverStep(state, { type } as HandoverEvent);
    state = step.state;
    if (step.handover) handovers.push(step.handover);
  }
  return { state, handovers };
};

describe('handover state machine', () => {
  it('one low-confidence message makes it unsure; a second hands over', () => {
    expect(run(['low_confidence'])).toEqual({ state: 'unsure', handovers: [] });
    expect(run(['low_confidence', 'low_confidence'])).toEqual({ state: 'handed_over', handovers: ['low_confidence_twice'] });
    expect(run(['low_confidence', 'answered', 'low_confidence'])).toEqual({ state: 'unsure', handovers: [] });
  });

  it('asking for a person, clear negativity, a plugin proposal, an unreadable profile or a failing plugin hand over at once', () => {
    expect(run(['asked_for_person']).handovers).toEqual(['customer_asked']);
    expect(run(['negative_sentiment']).handovers).toEqual(['negative_sentiment']);
    expect(run(['plugin_proposed']).handovers).toEqual(['plugin_proposed']);
    expect(run(['low_confidence', 'profile_unavailable']).handovers).toEqual(['profile_unavailable']);
    expect(run(['plugin_failed']).handovers).toEqual(['plugin_failed']);
  });

  it('an agent joining from any speaking state silences it; leaving keeps it quiet; resume gives it back', () => {
    expect(run(['agent_joined'])).toEqual({ state: 'agent_present', handovers: ['agent_joined'] });
    expect(run(['asked_for_person', 'agent_joined'])).toEqual({ state: 'agent_present', handovers: ['customer_asked'] });
    expect(run(['agent_joined', 'agent_left']).state).toBe('handed_over');
    expect(run(['agent_joined', 'resume']).state).toBe('assisting');
  });

  it('messages after the handover change nothing and it does not speak', () => {
    for (const state of ['handed_over', 'agent_present'] as const) {
      expect(run(['low_confidence', 'asked_for_person', 'negative_sentiment', 'answered'], state)).toEqual({ state, handovers: [] });
      expect(assistantSpeaks(state)).toBe(false);
    }
    expect(assistantSpeaks('assisting') && assistantSpeaks('unsure')).toBe(true);
  });

  it('every state is in the table, and an unknown state fails naming the states', () => {
    expect(Object.keys(HANDOVER_TRANSITIONS).sort()).toEqual(['agent_present', 'assisting', 'handed_over', 'unsure']);
    expect(() => handoverStep('asleep' as HandoverState, { type: 'answered' })).toThrow('assistant handover: unknown state "asleep"; states: assisting, unsure, handed_over, agent_present');
  });
});
