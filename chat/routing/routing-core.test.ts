import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/index.ts';
import { canServe, chooseAgent } from './choose-agent.ts';
import { compareQueued, planAssignments } from './plan-assignments.ts';
import { queuePositions } from './queue-positions.ts';
import type { QueuedConversation, RoutingAgent } from './routing-model.ts';

const agent = (agentId: string, over: Partial<RoutingAgent> = {}): RoutingAgent => ({
  agentId,
  status: 'online',
  skills: ['general'],
  languages: ['en'],
  capacity: 2,
  active: 0,
  idleSinceMs: 0,
  ...over,
});

const conv = (conversationId: string, over: Partial<QueuedConversation> = {}): QueuedConversation => ({
  conversationId,
  customerId: `cust-${conversationId}`,
  skill: null,
  language: null,
  enqueuedAtMs: 0,
  priority: 0,
  ...over,
});

describe('canServe', () => {
  it('needs the agent online, with the skill, the language and a free seat', () => {
    const c = conv('c1', { skill: 'billing', language: 'de' });
    const ok = agent('a', { skills: ['billing'], languages: ['de', 'en'] });
    expect(canServe(ok, c)).toBe(true);
    expect(canServe({ ...ok, status: 'offline' }, c)).toBe(false);
    expect(canServe({ ...ok, skills: ['returns'] }, c)).toBe(false);
    expect(canServe({ ...ok, languages: ['en'] }, c)).toBe(false);
    expect(canServe({ ...ok, active: 2 }, c)).toBe(false);
    // No requirement: any online agent with a free seat.
    expect(canServe(agent('b', { skills: [], languages: [] }), conv('c2'))).toBe(true);
  });
});

describe('chooseAgent', () => {
  it('prefers the agent who last served the customer, even when busier', () => {
    const agents = [agent('a', { active: 0 }), agent('b', { active: 1 })];
    const choice = chooseAgent(agents, conv('c1', { customerId: 'C1' }), new Map([['C1', 'b']]));
    expect(choice).toEqual({ conversationId: 'c1', agentId: 'b', reason: 'previous_agent' });
  });

  it('falls back to the best free agent when the previous one cannot serve', () => {
    const agents = [agent('a'), agent('b', { active: 2 })];
    expect(chooseAgent(agents, conv('c1', { customerId: 'C1' }), new Map([['C1', 'b']]))).toEqual({
      conversationId: 'c1',
      agentId: 'a',
      reason: 'best_free',
    });
    expect(chooseAgent([agent('a'), agent('b', { status: 'offline' })], conv('c1', { customerId: 'C1' }), new Map([['C1', 'b']]))?.agentId).toBe('a');
  });

  it('picks the least loaded (share of capacity), then the longest idle, then the smallest id', () => {
    const clock = createFakeClock(1_000_000);
    const loaded = [agent('a', { active: 1, capacity: 2 }), agent('b', { active: 1, capacity: 4 })];
    expect(chooseAgent(loaded, conv('c'))?.agentId).toBe('b');
    const idle = [agent('a', { idleSinceMs: clock.now() }), agent('b', { idleSinceMs: clock.now() - 60_000 }), agent('c', { idleSinceMs: clock.now() - 1 })];
    expect(chooseAgent(idle, conv('c'))?.agentId).toBe('b');
    expect(chooseAgent([agent('z', { idleSinceMs: 5 }), agent('y', { idleSinceMs: null })], conv('c'))?.agentId).toBe('y');
    expect(chooseAgent([agent('z'), agent('y')], conv('c'))?.agentId).toBe('y');
  });

  it('returns undefined when nobody eligible is free', () => {
    expect(chooseAgent([agent('a', { skills: ['returns'] })], conv('c', { skill: 'billing' }))).toBeUndefined();
    expect(chooseAgent([], conv('c'))).toBeUndefined();
  });
});

describe('planAssignments', () => {
  it('serves the queue in order (priority, then wait) within capacity and spreads the load', () => {
    const clock = createFakeClock(1_000_000);
    const queue = [
      conv('new-late', { enqueuedAtMs: 30 }),
      conv('new-early', { enqueuedAtMs: 10 }),
      conv('released', { enqueuedAtMs: 20, priority: 1 }),
      conv('new-mid', { enqueuedAtMs: 25 }),
    ];
    const agents = [agent('a', { capacity: 1, idleSinceMs: 100 }), agent('b', { capacity: 2, idleSinceMs: 50 })];
    const plan = planAssignments(queue, agents, new Map(), clock.now());
    // released first (priority), to b (both empty, b idle longest); new-early to a (a holds 0/1, b 1/2);
    // new-mid to b (a is full); new-late waits (no seats left).
    expect(plan.map((p) => [p.conversationId, p.agentId])).toEqual([
      ['released', 'b'],
      ['new-early', 'a'],
      ['new-mid', 'b'],
    ]);
    // The input agents are untouched.
    expect(agents.map((a) => a.active)).toEqual([0, 0]);
  });

  it('skips a conversation nobody can serve instead of blocking the ones behind it', () => {
    const queue = [conv('de-billing', { skill: 'billing', language: 'de', enqueuedAtMs: 1 }), conv('any', { enqueuedAtMs: 2 })];
    const plan = planAssignments(queue, [agent('a', { skills: ['general'], languages: ['en'] })], new Map(), 0);
    expect(plan).toEqual([{ conversationId: 'any', agentId: 'a', reason: 'best_free' }]);
  });

  it('never plans more than an agent can hold, however long the queue', () => {
    const queue = Array.from({ length: 50 }, (_, i) => conv(`c${String(i).padStart(2, '0')}`, { enqueuedAtMs: i, customerId: 'same' }));
    const plan = planAssignments(queue, [agent('a', { capacity: 3 }), agent('b', { capacity: 2, active: 1 })], new Map([['same', 'b']]), 0);
    const perAgent = new Map<string, number>();
    for (const p of plan) perAgent.set(p.agentId, (perAgent.get(p.agentId) ?? 0) + 1);
    expect(Object.fromEntries(perAgent)).toEqual({ a: 3, b: 1 });
    expect(plan[0]).toEqual({ conversationId: 'c00', agentId: 'b', reason: 'previous_agent' });
  });
});

describe('queuePositions', () => {
  it('counts the conversations ahead in the same lane (skill and language), in queue order', () => {
    const queue = [
      conv('en-1', { enqueuedAtMs: 1, language: 'en' }),
      conv('de-1', { enqueuedAtMs: 2, language: 'de' }),
      conv('en-2', { enqueuedAtMs: 3, language: 'en' }),
      conv('en-back', { enqueuedAtMs: 4, language: 'en', priority: 1 }),
      conv('any', { enqueuedAtMs: 0 }),
    ];
    expect(Object.fromEntries(queuePositions(queue))).toEqual({ 'en-back': 1, 'en-1': 2, 'en-2': 3, 'de-1': 1, any: 1 });
  });

  it('orders ties by id so every instance computes the same positions', () => {
    expect([conv('b'), conv('a')].sort(compareQueued).map((c) => c.conversationId)).toEqual(['a', 'b']);
  });
});
