// How several plugins' detections of one message become one decision (pure). Each detection's confidence is
// multiplied by its plugin's weight; plugins that agree on an intent reinforce each other (noisy-OR:
// 1 - Π(1 - w·c)), so two weak agreeing signals beat one. The best intent wins if it reaches the threshold and
// leads the runner-up (another intent) by at least the margin; otherwise nothing is said. The plugin that answers
// is the one that contributed most to the winning intent, the higher priority on a tie.
import type { ActivePlugin } from './plugin-registry.ts';
import type { Detection } from './intent-plugin.ts';

export interface Candidate {
  readonly intent: string;
  /** Combined, 0–1. */
  readonly score: number;
  /** The plugin that answers if this intent wins, and its own detection. */
  readonly plugin: ActivePlugin;
  readonly detection: Detection;
}

export type Decision =
  | { readonly kind: 'answer'; readonly winner: Candidate; readonly candidates: readonly Candidate[] }
  | { readonly kind: 'none'; readonly why: 'nothing_detected' | 'below_threshold' | 'ambiguous'; readonly best: Candidate | undefined; readonly candidates: readonly Candidate[] };

export interface CombineOptions {
  /** Minimum combined score to answer, 0–1. */
  readonly threshold: number;
  /** Minimum lead over the best other intent. */
  readonly margin: number;
}

export function combineDetections(votes: ReadonlyArray<{ plugin: ActivePlugin; detections: readonly Detection[] }>, options: CombineOptions): Decision {
  const byIntent = new Map<string, { miss: number; top: { plugin: ActivePlugin; detection: Detection; weighted: number } }>();
  for (const { plugin, detections } of votes) {
    for (const detection of detections) {
      const weighted = Math.min(1, Math.max(0, detection.confidence)) * plugin.weight;
      if (weighted <= 0) continue;
      const seen = byIntent.get(detection.intent);
      if (seen === undefined) {
        byIntent.set(detection.intent, { miss: 1 - weighted, top: { plugin, detection, weighted } });
        continue;
      }
      seen.miss *= 1 - weighted;
      // Votes arrive in priority order, so an equal contribution keeps the higher-priority plugin.
      if (weighted > seen.top.weighted) seen.top = { plugin, detection, weighted };
    }
  }
  const candidates: Candidate[] = [...byIntent].map(([intent, v]) => ({ intent, score: round(1 - v.miss), plugin: v.top.plugin, detection: v.top.detection }));
  candidates.sort((a, b) => b.score - a.score || b.plugin.priority - a.plugin.priority);
  const [best, second] = candidates;
  if (best === undefined) return { kind: 'none', why: 'nothing_detected', best, candidates };
  if (best.score < options.threshold) return { kind: 'none', why: 'below_threshold', best, candidates };
  if (second !== undefined && best.score - second.score < options.margin) return { kind: 'none', why: 'ambiguous', best, candidates };
  return { kind: 'answer', winner: best, candidates };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
