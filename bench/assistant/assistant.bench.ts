// npm run bench -- assistant
//
// How well the service assistant understands customers, on the labelled set (assistant/labelled/): 326 messages
// written for this project, Chinese and English. The rules were written first, tuned on the dev split only; the
// holdout split was written before the first run and is not tuned on, so its figures are the ones to quote.
//
// Contenders, classification only (the intent the assistant would answer, or none):
//   - rules: the built-in plugins as shipped (threshold 0.6, margin 0.1)
//   - keyword baseline: first matching keyword list, no threshold (what a simple FAQ bot does)
//   - naive Bayes: a small classifier trained on the dev split (the "trained at build time" candidate), alone
//   - rules + naive Bayes: the classifier as one more plugin beside the rules (weight 0.5)
// End to end (rules only): each message as a new conversation of a demo customer, answered from the real profile
// read through the unified schema over the legacy simulators in this process: handover and no-answer rates, that
// nothing is said below the threshold, that no other customer's order data appears, and the time per message.
import { createAssistant, newAssistantSession } from '../../assistant/create-assistant.ts';
import type { IntentPlugin } from '../../assistant/intent-plugin.ts';
import { fillOrders, readLabelled, scoreLabels, type LabelledMessage, type Scorecard, type Split } from '../../assistant/labelled-set.ts';
import { createIntentRegistry } from '../../assistant/plugin-registry.ts';
import { builtinIntentPlugins } from '../../assistant/plugins/builtin-plugins.ts';
import { createInProcessExecutor, createProfileLoader } from '../../assistant/profile-loader.ts';
import { createLogger, systemClock } from '../../common/index.ts';
import { createMemoryChangeFeed, createSchemaModule, defaultSourceMap } from '../../schema/index.ts';
import { startDemoSources } from '../../schema/fixtures/demo-sources.ts';
import { markdownTable, percentile, round } from '../lib/stats.ts';
import { versions, writeRawResults } from '../lib/results.ts';
import { updateResultsSection } from '../lib/results-md.ts';
import { keywordBaseline } from './keyword-baseline.ts';
import { naiveBayesPlugin, trainNaiveBayes } from './naive-bayes.ts';

const GOAL_INTENTS = ['order_status', 'order_change', 'refund_status', 'refund_request', 'shipment_tracking'];
const SPLITS: Split[] = ['holdout', 'dev'];
const log = createLogger({ level: 'silent' });
const noProfiles = { load: async () => Promise.reject(new Error('classification only')) };

type Classifier = (text: string) => string;

function classifiers(dev: readonly LabelledMessage[]): Record<string, Classifier> {
  const builtins = builtinIntentPlugins();
  const rules = createAssistant({ plugins: createIntentRegistry(builtins).activate(), profiles: noProfiles, clock: systemClock, log });
  const fill = (m: LabelledMessage) => fillOrders(m.text, 'O0000017', 'O0000999');
  const model = trainNaiveBayes(dev.map((m) => ({ text: fill(m), intent: m.intent })));
  const respondWith = new Map<string, IntentPlugin>();
  for (const p of builtins) for (const i of p.intents) respondWith.set(i, p);
  const registry = createIntentRegistry([...builtins, naiveBayesPlugin(model, respondWith)]);
  const combined = createAssistant({ plugins: registry.activate({ 'naive-bayes': { weight: 0.5 } }), profiles: noProfiles, clock: systemClock, log });
  const answerOf = (d: ReturnType<typeof rules.classify>) => (d.kind === 'answer' ? d.winner.intent : 'none');
  return {
    rules: (t) => answerOf(rules.classify(t)),
    'keyword baseline': keywordBaseline,
    'naive Bayes (trained on dev)': (t) => {
      const [best] = model.classify(t);
      return best !== undefined && best.p >= 0.6 ? best.intent : 'none';
    },
    'rules + naive Bayes': (t) => answerOf(combined.classify(t)),
  };
}

interface EndToEnd {
  readonly split: Split;
  readonly messages: number;
  readonly answered: number;
  readonly handedOver: number;
  readonly silent: number;
  readonly saidBelowThreshold: number;
  readonly negative: number;
  readonly negativeHandedOver: number;
  readonly otherOrderQuestions: number;
  readonly otherOrderLeaks: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers that read the customer's profile (order, refund, shipment intents). */
  readonly profileAnswers: number;
  readonly profileP50Ms: number;
  readonly profileP99Ms: number;
}

async function endToEnd(sets: Record<Split, LabelledMessage[]>): Promise<EndToEnd[]> {
  const demo = await startDemoSources({ customers: 200 });
  try {
    const schema = createSchemaModule({ connectors: demo.loaded.connectors, sources: defaultSourceMap, changeFeed: createMemoryChangeFeed(), clock: systemClock, log });
    const assistant = createAssistant({ plugins: createIntentRegistry(builtinIntentPlugins()).activate(), profiles: createProfileLoader({ execute: createInProcessExecutor(schema) }), clock: systemClock, log, respondTimeoutMs: 5000 });
    const { contacts, orders, shipments } = demo.systems.data;
    const customers = contacts.map((c) => ({ c, own: orders.filter((o) => o.customerNo === c.customerNo).sort((a, b) => b.createdAt.localeCompare(a.createdAt)) })).filter((x) => x.own.length > 0).slice(0, 20);
    // Warm-up: the first reads open connections and fetch the WSDL and the CRM token.
    await assistant.onVisitorMessage({ tenant: 'demo', conversationId: 'warm', customerId: customers[0]!.c.id, text: 'where is my order?', session: newAssistantSession() });
    const results: EndToEnd[] = [];
    for (const split of SPLITS) {
      let answered = 0, handedOver = 0, silent = 0, saidBelow = 0, negative = 0, negativeHandedOver = 0, otherQs = 0, leaks = 0;
      const times: number[] = [];
      const profileTimes: number[] = [];
      for (const [i, m] of sets[split].entries()) {
        const who = customers[i % customers.length]!;
        const other = customers[(i + 1) % customers.length]!.own[0]!;
        const text = fillOrders(m.text, who.own[0]!.id, other.id);
        const started = performance.now();
        const out = await assistant.onVisitorMessage({ tenant: 'demo', conversationId: `bench-${split}-${i}`, customerId: who.c.id, text, session: newAssistantSession() });
        const ms = performance.now() - started;
        times.push(ms);
        if (out.turn.outcome === 'answered' && GOAL_INTENTS.includes(out.turn.intent ?? '')) profileTimes.push(ms);
        if (out.turn.outcome === 'answered') answered += 1;
        if (out.handover) handedOver += 1;
        if (out.messages.length === 0) silent += 1;
        if (['below_threshold', 'ambiguous', 'nothing_detected'].includes(out.turn.outcome) && out.messages.length > 0) saidBelow += 1;
        if (m.negative) {
          negative += 1;
          if (out.handover) negativeHandedOver += 1;
        }
        if (m.text.includes('{other}')) {
          otherQs += 1;
          const said = out.messages.join(' ');
          const tracking = shipments.find((s) => s.orderId === other.id)?.trackingNo;
          if (said.includes((other.totalCents / 100).toFixed(2)) || (tracking !== undefined && said.includes(tracking)) || said.includes(`Your order ${other.id}`) || said.includes(`您的订单 ${other.id}`)) leaks += 1;
        }
      }
      results.push({ split, messages: sets[split].length, answered, handedOver, silent, saidBelowThreshold: saidBelow, negative, negativeHandedOver, otherOrderQuestions: otherQs, otherOrderLeaks: leaks, p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), profileAnswers: profileTimes.length, profileP50Ms: round(percentile(profileTimes, 50)), profileP99Ms: round(percentile(profileTimes, 99)) });
    }
    return results;
  } finally {
    await demo.close();
  }
}

const pct = (x: number | null) => (x === null ? '–' : x.toFixed(2));

export async function main(): Promise<void> {
  const sets = { dev: readLabelled('dev'), holdout: readLabelled('holdout') } as Record<Split, LabelledMessage[]>;
  const contenders = classifiers(sets.dev);
  const cards: Record<string, Record<Split, Scorecard>> = {};
  for (const [name, classify] of Object.entries(contenders)) {
    const bySplit = {} as Record<Split, Scorecard>;
    for (const split of SPLITS) {
      bySplit[split] = scoreLabels(sets[split].map((m) => {
        const text = fillOrders(m.text, 'O0000017', 'O0000999');
        return { text, expected: m.intent, predicted: classify(text) };
      }), true);
    }
    cards[name] = bySplit;
    process.stderr.write(`${name}: holdout accuracy ${bySplit.holdout.accuracy}, dev ${bySplit.dev.accuracy}\n`);
  }
  const e2e = await endToEnd(sets);
  const raw = { date: new Date().toISOString(), versions: versions(), messages: { dev: sets.dev.length, holdout: sets.holdout.length }, cards, endToEnd: e2e };
  const file = writeRawResults('assistant', raw);

  const rules = cards.rules!;
  const intents = rules.holdout.perIntent.map((r) => r.intent);
  const perIntent = intents.map((intent) => {
    const h = rules.holdout.perIntent.find((r) => r.intent === intent)!;
    const d = rules.dev.perIntent.find((r) => r.intent === intent);
    return { intent, 'holdout n': h.support, 'holdout precision': pct(h.precision), 'holdout recall': pct(h.recall), 'dev precision': pct(d?.precision ?? null), 'dev recall': pct(d?.recall ?? null) };
  });
  const goal = (card: Scorecard) => {
    const rows = card.perIntent.filter((r) => GOAL_INTENTS.includes(r.intent));
    return Math.min(...rows.map((r) => r.precision ?? 1));
  };
  const compare = Object.entries(cards).map(([name, c]) => ({
    contender: name,
    'holdout accuracy': c.holdout.accuracy.toFixed(3),
    'holdout min precision (order/refund/shipment)': goal(c.holdout).toFixed(2),
    'holdout none recall': pct(c.holdout.perIntent.find((r) => r.intent === 'none')?.recall ?? null),
    'dev accuracy': c.dev.accuracy.toFixed(3),
  }));
  const e2eRows = e2e.map((r) => ({
    split: r.split,
    messages: r.messages,
    answered: `${r.answered} (${round((100 * r.answered) / r.messages, 1)} %)`,
    'handed over': `${r.handedOver} (${round((100 * r.handedOver) / r.messages, 1)} %)`,
    'nothing said (below threshold)': `${r.silent} (${round((100 * r.silent) / r.messages, 1)} %)`,
    'said anything below threshold': r.saidBelowThreshold,
    'clearly negative handed over': `${r.negativeHandedOver} / ${r.negative}`,
    "other customers' orders: data leaked": `${r.otherOrderLeaks} / ${r.otherOrderQuestions}`,
    'ms per message p50 / p99': `${r.p50Ms} / ${r.p99Ms}`,
    'ms per answer from the profile p50 / p99 (n)': `${r.profileP50Ms} / ${r.profileP99Ms} (${r.profileAnswers})`,
  }));
  const hold = rules.holdout;
  const minGoal = goal(hold);
  const body = `Command: \`npm run bench -- assistant\` · ${raw.date.slice(0, 10)} · UniCS ${raw.versions.unics} · Node ${raw.versions.node} · labelled set: assistant/labelled/ (dev ${sets.dev.length}, holdout ${sets.holdout.length} messages, about half Chinese) · raw: \`${file.replace(/^.*\/bench\//, 'bench/')}\`

How the rules were written: the detectors (assistant/plugins/, assistant/faq.yaml) were written first from the intent definitions, then both splits were written; the rules were tuned on the dev split only. The holdout split was not looked at while tuning and has not been changed since its first run, so the holdout columns are the figures to quote; dev figures are optimistic by construction. FAQ topics are one row ("faq"); a FAQ message answered with the wrong topic counts as a mistake in the accuracy.

Rules (the built-in plugins), precision and recall per intent:

${markdownTable(perIntent)}

Contenders on the same messages (classification only; "min precision" is the lowest precision among order_status, order_change, refund_status, refund_request and shipment_tracking):

${markdownTable(compare)}

End to end (rules only; each message a new conversation of one of 20 demo customers, answered from the profile read through the unified schema over the simulators in this process; {own} is the customer's latest order, {other} another customer's):

${markdownTable(e2eRows)}

Times are measured in this process around onVisitorMessage (one pass, no concurrency); answers from the profile include the GraphQL read over the simulators (no added upstream latency). Rules + naive Bayes gains ${Math.round((cards['rules + naive Bayes']!.holdout.accuracy - hold.accuracy) * sets.holdout.length)} holdout message(s) over the rules alone: ${Math.abs(cards['rules + naive Bayes']!.holdout.accuracy - hold.accuracy) * sets.holdout.length < 3 ? 'not a measurable payoff, so the classifier is not shipped (bench/assistant/naive-bayes.ts keeps it measurable)' : 'worth a look'}.

Goals (issue 9): precision ≥ 0.9 on order/refund/shipment intents on the holdout: ${minGoal.toFixed(2)} — ${minGoal >= 0.9 ? 'met' : 'NOT met'}; no answer at all below the threshold: ${e2e.every((r) => r.saidBelowThreshold === 0) ? 'met (0 messages)' : 'NOT met'}.`;
  updateResultsSection('assistant', 'Assistant: intent detection and handover on the labelled set', body);
  process.stdout.write(`${body}\n`);
}
