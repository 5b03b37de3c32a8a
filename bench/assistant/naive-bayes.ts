// The "small classifier trained at build time" candidate (issue 9): a multinomial naive Bayes over English words and
// word pairs and Chinese character pairs, trained on the labelled dev split only. It lives in bench/ until it pays
// off against the rules on the held-out split; the benchmark measures it alone and as a plugin beside the rules.
import type { IntentPlugin } from '../../assistant/intent-plugin.ts';
import { normalize, orderNumbersIn } from '../../assistant/text-features.ts';

export function tokens(text: string): string[] {
  const t = normalize(text).replace(/\bo\d{7}\b/g, ' ordernumber ');
  const out: string[] = [];
  const words = t.match(/[a-z0-9']+/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    out.push(words[i]!);
    if (i + 1 < words.length) out.push(`${words[i]} ${words[i + 1]}`);
  }
  for (const run of t.match(/\p{Script=Han}+/gu) ?? []) {
    for (let i = 0; i < run.length; i++) {
      out.push(run[i]!);
      if (i + 1 < run.length) out.push(run.slice(i, i + 2));
    }
  }
  return out;
}

export interface NaiveBayes {
  /** Posterior probability per class, highest first. */
  classify(text: string): Array<{ intent: string; p: number }>;
}

export function trainNaiveBayes(examples: ReadonlyArray<{ text: string; intent: string }>, alpha = 0.5): NaiveBayes {
  const classes = [...new Set(examples.map((e) => e.intent))];
  const counts = new Map(classes.map((c) => [c, new Map<string, number>()]));
  const totals = new Map(classes.map((c) => [c, 0]));
  const docs = new Map(classes.map((c) => [c, 0]));
  const vocabulary = new Set<string>();
  for (const e of examples) {
    docs.set(e.intent, (docs.get(e.intent) ?? 0) + 1);
    const m = counts.get(e.intent)!;
    for (const tok of tokens(e.text)) {
      vocabulary.add(tok);
      m.set(tok, (m.get(tok) ?? 0) + 1);
      totals.set(e.intent, (totals.get(e.intent) ?? 0) + 1);
    }
  }
  const v = vocabulary.size;
  return {
    classify(text) {
      const toks = tokens(text).filter((t) => vocabulary.has(t));
      const logs = classes.map((c) => {
        let lp = Math.log((docs.get(c) ?? 0) / examples.length);
        for (const tok of toks) lp += Math.log(((counts.get(c)!.get(tok) ?? 0) + alpha) / ((totals.get(c) ?? 0) + alpha * v));
        return { intent: c, lp };
      });
      const max = Math.max(...logs.map((l) => l.lp));
      const z = logs.reduce((s, l) => s + Math.exp(l.lp - max), 0);
      return logs.map((l) => ({ intent: l.intent, p: Math.exp(l.lp - max) / z })).sort((a, b) => b.p - a.p);
    },
  };
}

/** The classifier as a detect-only plugin voting beside the rules; answers come from the rule plugins' respond. */
export function naiveBayesPlugin(model: NaiveBayes, respondWith: ReadonlyMap<string, IntentPlugin>): IntentPlugin {
  return {
    name: 'naive-bayes',
    description: 'multinomial naive Bayes trained on the dev split (benchmark candidate)',
    intents: [...respondWith.keys()],
    priority: 0,
    detect: (text) => {
      const orderId = orderNumbersIn(text)[0];
      return model
        .classify(text)
        .filter((c) => c.intent !== 'none' && c.p >= 0.3 && respondWith.has(c.intent))
        .map((c) => ({ intent: c.intent, confidence: c.p, ...(orderId ? { slots: { orderId } } : {}) }));
    },
    respond: (detection, ctx) => respondWith.get(detection.intent)!.respond(detection, ctx),
  };
}
