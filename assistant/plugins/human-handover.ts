// Built-in plugin "human-handover": the customer asks for a person. The highest priority: it hands over at once,
// whatever else the message also asks.
import type { IntentPlugin } from '../intent-plugin.ts';
import { scoreCues, type Cue } from '../text-features.ts';

const CUES: readonly Cue[] = [
  { pattern: /\b(talk|speak|chat|connect me|put me through|transfer me|get me|let me talk|let me speak)\b.{0,25}\b(person|human|agent|someone|somebody|representative|rep|operator|staff|manager|supervisor|real person|live agent|people|colleague)\b/, weight: 3 },
  { pattern: /\b(real|live|human|actual) (person|human|agent|being|support)\b|\bhuman please\b|\bagent please\b|\bcustomer service (agent|rep|representative|person)\b/, weight: 3 },
  { pattern: /\b(are you a (bot|robot|machine)|stop (the bot|this bot)|not a bot|no more bots?|i don't want (a|the|this) (bot|robot|machine))\b/, weight: 2 },
  { pattern: /^(agent|human|operator|representative|person)[.!?]*$/, weight: 3 },
  { pattern: /(转人工|人工客服|人工服务|接人工|找人工|要人工|真人|客服人员|真人客服|找你们(经理|主管|领导)|找个人|和人(说|聊)|不要机器人|别用机器人|你是机器人吗)/, weight: 3 },
  { pattern: /^人工[。!?]*$/, weight: 3 },
];

export const humanHandoverPlugin = {
  name: 'human-handover',
  description: 'The customer asks for a person: hand over to the routing queue at once.',
  intents: ['human_handover'],
  priority: 100,
  detect(_text, ctx) {
    const score = scoreCues(ctx.normalized, CUES);
    return score >= 2 ? [{ intent: 'human_handover', confidence: score >= 3 ? 0.97 : 0.85 }] : [];
  },
  respond(_detection, ctx) {
    return {
      messages: [ctx.language === 'zh' ? '好的，正在为您转接人工客服，请稍候。' : "Sure — I'm connecting you with a colleague now, please hold on."],
      actions: [{ type: 'handover', reason: 'customer_asked' }],
    };
  },
} satisfies IntentPlugin;
