// The assistant end to end over a fixed profile (unit tier: no gateway): answers from the customer's own orders
// only, carries the profile's freshness, proposes instead of acting, and steps aside by the handover rules.
import { describe, expect, it } from 'vitest';
import { createFakeClock, createLogger } from '../common/index.ts';
import { createAssistant, newAssistantSession, type AssistantSession } from './create-assistant.ts';
import { assistErr } from './error-catalogue.ts';
import { createIntentRegistry } from './plugin-registry.ts';
import { builtinIntentPlugins } from './plugins/builtin-plugins.ts';
import { fakeProfile, fakeProfiles } from './test-support/fake-profile.ts';

const plugins = createIntentRegistry(builtinIntentPlugins()).activate();
const make = (profiles = fakeProfiles()) => ({ profiles, assistant: createAssistant({ plugins, profiles, clock: createFakeClock(Date.parse('2026-12-07T12:03:10Z')), log: createLogger({ level: 'silent' }) }) });
const ask = (assistant: ReturnType<typeof make>['assistant'], text: string, session: AssistantSession = newAssistantSession()) =>
  assistant.onVisitorMessage({ tenant: 'demo', conversationId: 'conv-1', customerId: 'C000001', text, session });

describe('answers from the profile', () => {
  it('an order number of the customer: its status, amount, carrier and the freshness of the shop part', async () => {
    const { assistant } = make();
    const out = await ask(assistant, 'where is my order O0000003?');
    expect(out.turn).toMatchObject({ intent: 'order_status', plugin: 'order-status', outcome: 'answered' });
    expect(out.messages).toEqual(['Your order O0000003 (129.00 EUR) is shipped. Carrier DHL, tracking number JD014600006281 (as of 12:03:07).']);
    expect(out.actions).toEqual([]);
    expect(out.session.state).toBe('assisting');
  });

  it("another customer's order number gets no data at all", async () => {
    const { assistant } = make();
    for (const text of ['where is order O0000999?', 'tracking number for O0000999', 'has the refund for O0000999 gone through?', '帮我查一下订单 O0000999']) {
      const out = await ask(assistant, text);
      const said = out.messages.join(' ');
      expect(said, text).toContain('O0000999');
      // Nothing of any order is disclosed: no status, amount, carrier or tracking number, not even the customer's own.
      expect(said, text).not.toMatch(/EUR|DHL|UPS|JD0146|1Z999|shipped|delivered|refunded|已发货|已送达/i);
    }
  });

  it('without a number: the most recent order; Chinese gets a Chinese answer', async () => {
    const { assistant } = make();
    const out = await ask(assistant, '我的订单到哪了');
    expect(out.messages[0]).toBe('您最近的一笔订单：您的订单 O0000003（129.00 EUR）状态：已发货。 承运商 DHL，运单号 JD014600006281。（数据截至 12:03:07）');
  });

  it('shipment tracking answers from the live warehouse part, with its own time', async () => {
    const { assistant } = make();
    const out = await ask(assistant, 'When will my package arrive?');
    expect(out.turn.intent).toBe('shipment_tracking');
    expect(out.messages[0]).toBe('The parcel for order O0000003 is on its way with DHL, tracking number JD014600006281, shipped 2026-12-06 (as of 12:03:08).');
  });

  it('refund status: the latest refunded order, from its payment', async () => {
    const { assistant } = make();
    const out = await ask(assistant, 'Has my refund gone through?');
    expect(out.messages[0]).toContain('The 25.00 EUR for order O0000002 has been refunded to your paypal');
    expect(out.messages[0]).toContain('(as of 12:03:07)');
  });

  it('a refund request is only proposed to the agent, and the conversation is handed over', async () => {
    const { assistant } = make();
    const out = await ask(assistant, 'I want a refund for order O0000003');
    expect(out.actions).toEqual([
      { type: 'suggest_to_agent', suggestion: 'refund', orderId: 'O0000003', note: 'customer asks for a refund of O0000003 (129.00 EUR, SHIPPED)' },
      { type: 'handover', reason: 'refund_needs_agent' },
    ]);
    expect(out.handover?.reason).toBe('plugin_proposed');
    expect(out.session.state).toBe('handed_over');
  });

  it('loads the profile only when an order plugin answers', async () => {
    const { assistant, profiles } = make();
    await ask(assistant, 'What payment methods do you accept?');
    expect(profiles.loads).toBe(0);
    await ask(assistant, 'has my order O0000001 shipped?');
    expect(profiles.loads).toBe(1);
  });
});

describe('handover rules', () => {
  it('asking for a person hands over at once, with the reason for the agent', async () => {
    const { assistant } = make();
    const out = await ask(assistant, '转人工');
    expect(out.messages).toEqual(['好的，正在为您转接人工客服，请稍候。']);
    expect(out.actions).toEqual([{ type: 'handover', reason: 'customer_asked' }]);
    expect(out.handover).toMatchObject({ reason: 'customer_asked', turns: [{ text: '转人工', intent: 'human_handover', outcome: 'answered' }] });
  });

  it('low confidence twice in a row: silent the first time, steps aside the second', async () => {
    const { assistant } = make();
    const first = await ask(assistant, 'what sauce goes with lobster');
    expect(first.messages).toEqual([]);
    expect(first.session.state).toBe('unsure');
    const second = await ask(assistant, 'hmm', first.session);
    expect(second.messages).toEqual(["I'll pass you to a colleague who can help better — one moment please."]);
    expect(second.handover?.reason).toBe('low_confidence_twice');
    expect(second.handover?.turns.map((t) => t.outcome)).toEqual(['nothing_detected', 'nothing_detected']);
  });

  it('an answered message in between resets the count', async () => {
    const { assistant } = make();
    const a = await ask(assistant, 'asdf');
    const b = await ask(assistant, 'what are your opening hours?', a.session);
    const c = await ask(assistant, 'qwerty', b.session);
    expect([a.session.state, b.session.state, c.session.state]).toEqual(['unsure', 'assisting', 'unsure']);
    expect(c.handover).toBeUndefined();
  });

  it('a clearly negative message is handed over instead of answered, even with a known intent', async () => {
    const { assistant, profiles } = make();
    const out = await ask(assistant, 'This is the worst service ever, where is my order???');
    expect(out.handover?.reason).toBe('negative_sentiment');
    expect(out.turn).toMatchObject({ intent: 'order_status', outcome: 'negative_sentiment' });
    expect(out.messages).toEqual(["I'll pass you to a colleague who can help better — one moment please."]);
    expect(profiles.loads).toBe(0);
  });

  it('an agent joining silences the assistant; it speaks again only when given the conversation back', async () => {
    const { assistant } = make();
    const joined = assistant.onConversationEvent(newAssistantSession(), { type: 'agent_joined' });
    expect(joined.handover?.reason).toBe('agent_joined');
    const quiet = await ask(assistant, 'where is my order O0000003?', joined.session);
    expect(quiet.messages).toEqual([]);
    expect(quiet.turn.outcome).toBe('quiet');
    const back = assistant.onConversationEvent(quiet.session, { type: 'resume' });
    expect((await ask(assistant, 'where is my order O0000003?', back.session)).messages).toHaveLength(1);
  });

  it('an unreadable profile: no guess, a handover with the reason', async () => {
    const { assistant } = make({ loads: 0, load: async () => Promise.reject(assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE('gateway down')) });
    const out = await ask(assistant, 'where is my order O0000003?');
    expect(out.handover?.reason).toBe('profile_unavailable');
    expect(out.messages.join(' ')).not.toContain('O0000003');
  });
});

describe('bad input', () => {
  it('a message over the limit is refused with ASSIST_ERR_MESSAGE_TOO_LARGE', async () => {
    const { assistant } = make();
    await expect(ask(assistant, 'x'.repeat(2001))).rejects.toMatchObject({ code: 'ASSIST_ERR_MESSAGE_TOO_LARGE' });
  });

  it('a plugin whose detect throws is skipped; the others still answer', async () => {
    const broken = { name: 'broken', description: 'throws', intents: ['broken'], priority: 99, detect: () => { throw new Error('boom'); }, respond: () => ({ messages: [], actions: [] }) };
    const registry = createIntentRegistry([broken, ...builtinIntentPlugins()]);
    const assistant = createAssistant({ plugins: registry.activate(), profiles: fakeProfiles(), clock: createFakeClock(Date.parse('2026-12-07T12:03:10Z')), log: createLogger({ level: 'silent' }) });
    expect((await ask(assistant, 'where is my order O0000003?')).turn.intent).toBe('order_status');
  });
});

it('the fake profile is the one the tests assume', () => {
  expect(fakeProfile.orders?.map((o) => o.id)).toEqual(['O0000003', 'O0000002', 'O0000001']);
});

describe('budget', () => {
  it('a plugin that never answers is cut off at respondTimeoutMs and the conversation handed over', async () => {
    const stuck = { name: 'stuck', description: 'never answers', intents: ['stuck'], priority: 99, detect: () => [{ intent: 'stuck', confidence: 0.99 }], respond: () => new Promise<never>(() => {}) };
    const assistant = createAssistant({ plugins: createIntentRegistry([stuck]).activate(), profiles: fakeProfiles(), clock: createFakeClock(0), log: createLogger({ level: 'silent' }), respondTimeoutMs: 50 });
    const out = await ask(assistant, 'anything');
    expect(out.turn.outcome).toBe('failed');
    expect(out.handover?.reason).toBe('plugin_failed');
  });
});

it('a profile read that outlasts the budget hands over as profile_unavailable', async () => {
  const slow = { loads: 0, load: () => new Promise<never>(() => {}) };
  const assistant = createAssistant({ plugins, profiles: slow, clock: createFakeClock(0), log: createLogger({ level: 'silent' }), respondTimeoutMs: 50 });
  const out = await ask(assistant, 'where is my order O0000003?');
  expect(out.handover?.reason).toBe('profile_unavailable');
  expect(out.messages).toEqual(["I'll pass you to a colleague who can help better — one moment please."]);
});
