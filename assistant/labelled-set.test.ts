// A small version of `npm run bench -- assistant`: every fourth labelled message of both splits through the whole
// assistant (fake profile), checking the benchmark's goals so a rule change that breaks them fails here first.
import { describe, expect, it } from 'vitest';
import { createFakeClock, createLogger } from '../common/index.ts';
import { createAssistant, newAssistantSession } from './create-assistant.ts';
import { fillOrders, readLabelled, scoreLabels } from './labelled-set.ts';
import { createIntentRegistry } from './plugin-registry.ts';
import { builtinIntentPlugins } from './plugins/builtin-plugins.ts';
import { fakeProfiles } from './test-support/fake-profile.ts';

const GOAL_INTENTS = ['order_status', 'order_change', 'refund_status', 'refund_request', 'shipment_tracking'];

describe('labelled set (slice)', () => {
  it('has at least 300 messages, Chinese and English, with known intents', () => {
    const all = [...readLabelled('dev'), ...readLabelled('holdout')];
    expect(all.length).toBeGreaterThanOrEqual(300);
    const zh = all.filter((m) => /\p{Script=Han}/u.test(m.text)).length;
    expect(zh / all.length).toBeGreaterThan(0.3);
    expect(zh / all.length).toBeLessThan(0.7);
    const known = /^(order_status|order_change|refund_status|refund_request|shipment_tracking|human_handover|small_talk|none|faq\.[a-z_]+)$/;
    expect(all.filter((m) => !known.test(m.intent))).toEqual([]);
  });

  it('precision >= 0.9 on order, refund and shipment intents, and nothing said below the threshold', async () => {
    const assistant = createAssistant({ plugins: createIntentRegistry(builtinIntentPlugins()).activate(), profiles: fakeProfiles(), clock: createFakeClock(0), log: createLogger({ level: 'silent' }) });
    const slice = [...readLabelled('dev'), ...readLabelled('holdout')].filter((_, i) => i % 4 === 0);
    const rows = [];
    for (const m of slice) {
      const text = fillOrders(m.text, 'O0000003', 'O0000999');
      const out = await assistant.onVisitorMessage({ tenant: 'demo', conversationId: 'c', customerId: 'C000001', text, session: newAssistantSession() });
      const answered = out.turn.outcome === 'answered';
      if (!answered && out.turn.outcome !== 'negative_sentiment') expect(out.messages, text).toEqual([]);
      const predicted = out.turn.outcome === 'negative_sentiment' ? (out.turn.intent ?? 'none') : answered ? (out.turn.intent ?? 'none') : 'none';
      rows.push({ text, expected: m.intent, predicted });
    }
    const card = scoreLabels(rows, true);
    for (const row of card.perIntent.filter((r) => GOAL_INTENTS.includes(r.intent) && r.predicted > 0)) {
      expect(row.precision, `${row.intent}: ${JSON.stringify(card.mistakes)}`).toBeGreaterThanOrEqual(0.9);
    }
    expect(card.accuracy).toBeGreaterThan(0.85);
  });
});
