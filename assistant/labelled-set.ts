// The labelled customer messages (assistant/labelled/*.jsonl) and how a classifier is scored on them (pure apart
// from reading the files). Used by `npm run bench -- assistant` and, on a small slice, by a unit test.
import { readFileSync } from 'node:fs';

export interface LabelledMessage {
  /** May hold {own} (one of the customer's orders) and {other} (another customer's order). */
  readonly text: string;
  /** The expected intent, or "none" when the assistant should say nothing. */
  readonly intent: string;
  /** Clearly negative: the assistant should step aside. */
  readonly negative?: boolean;
}

export type Split = 'dev' | 'holdout';

export function readLabelled(split: Split): LabelledMessage[] {
  const text = readFileSync(new URL(`./labelled/${split}.jsonl`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const m = JSON.parse(line) as LabelledMessage;
      if (typeof m.text !== 'string' || typeof m.intent !== 'string') throw new Error(`labelled/${split}.jsonl line ${i + 1}: needs "text" and "intent"`);
      return m;
    });
}

/** Fills the placeholders. */
export const fillOrders = (text: string, own: string, other: string) => text.replaceAll('{own}', own).replaceAll('{other}', other);

export interface IntentScore {
  readonly intent: string;
  readonly support: number;
  readonly predicted: number;
  readonly truePositives: number;
  readonly precision: number | null;
  readonly recall: number | null;
}

export interface Scorecard {
  readonly total: number;
  readonly accuracy: number;
  readonly perIntent: readonly IntentScore[];
  readonly mistakes: ReadonlyArray<{ text: string; expected: string; predicted: string }>;
}

/** Groups faq.* under "faq" when `groupFaq`, so the table has one FAQ row (topics are checked by the accuracy). */
export function scoreLabels(items: ReadonlyArray<{ text: string; expected: string; predicted: string }>, groupFaq = false): Scorecard {
  const key = (intent: string) => (groupFaq && intent.startsWith('faq.') ? 'faq' : intent);
  const intents = [...new Set(items.flatMap((i) => [key(i.expected), key(i.predicted)]))].sort();
  const perIntent = intents.map((intent) => {
    const support = items.filter((i) => key(i.expected) === intent).length;
    const predicted = items.filter((i) => key(i.predicted) === intent).length;
    const truePositives = items.filter((i) => key(i.expected) === intent && key(i.predicted) === intent).length;
    return { intent, support, predicted, truePositives, precision: predicted === 0 ? null : round(truePositives / predicted), recall: support === 0 ? null : round(truePositives / support) };
  });
  const mistakes = items.filter((i) => i.expected !== i.predicted);
  return { total: items.length, accuracy: items.length === 0 ? 0 : round((items.length - mistakes.length) / items.length), perIntent, mistakes };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
