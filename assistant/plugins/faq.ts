// Built-in plugin "faq": answers general questions from the knowledge file (faq.yaml) in the message's language.
// One intent per topic (faq.return_policy …); an entry with handover: true also proposes a person after answering.
import type { FaqEntry } from '../faq-knowledge.ts';
import type { IntentPlugin } from '../intent-plugin.ts';
import { confidenceOf } from '../text-features.ts';

export function createFaqPlugin(entries: readonly FaqEntry[]) {
  const byIntent = new Map(entries.map((e) => [`faq.${e.topic}`, e]));
  return {
    name: 'faq',
    description: 'General questions (returns, shipping, payment, opening hours, damaged goods …) answered from faq.yaml.',
    intents: [...byIntent.keys()],
    priority: 40,
    detect(_text, ctx) {
      const out = [];
      for (const [intent, entry] of byIntent) {
        let score = 0;
        for (const p of entry.patterns) if (p.test(ctx.normalized)) score += 1;
        // One strong pattern is enough for a FAQ topic: the patterns are written to be specific.
        if (score > 0) out.push({ intent, confidence: confidenceOf(score + 0.5) });
      }
      return out;
    },
    respond(detection, ctx) {
      const entry = byIntent.get(detection.intent);
      if (entry === undefined) return { messages: [], actions: [] };
      const answer = entry.answer[ctx.language] ?? entry.answer.en;
      return { messages: [answer], actions: entry.handover ? [{ type: 'handover', reason: `faq_${entry.topic}` }] : [] };
    },
  } satisfies IntentPlugin;
}
