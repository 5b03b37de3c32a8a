// Pure helpers the built-in detectors share: normalising a message, telling its language, pulling out order numbers,
// and scoring rule hits. Chinese has no spaces, so Chinese cues match as substrings; English cues match on word
// boundaries where the pattern says so (stems such as /\brefund/ also match "refunded").
import type { Language } from './intent-plugin.ts';

/** NFKC (full-width letters and digits to ASCII, "？" to "?"), lower case, whitespace collapsed. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const HAN = /\p{Script=Han}/u;

export function detectLanguage(text: string): Language {
  return HAN.test(text) ? 'zh' : 'en';
}

/** Order numbers as the shop writes them (O0001234); "o 0001234" and "#0001234" are not taken: too loose. */
const ORDER_NO = /\bo\d{7}\b/gi;

export function orderNumbersIn(text: string): string[] {
  return [...new Set((text.normalize('NFKC').match(ORDER_NO) ?? []).map((m) => m.toUpperCase()))];
}

/** A weighted cue: a regular expression (matched against the normalised text) and how much it adds. */
export interface Cue {
  readonly pattern: RegExp;
  readonly weight: number;
}

/** Sum of the weights of matching cues; each cue counts once. */
export function scoreCues(normalized: string, cues: readonly Cue[]): number {
  let score = 0;
  for (const cue of cues) if (cue.pattern.test(normalized)) score += cue.weight;
  return score;
}

/** Whether any pattern matches. */
export function anyOf(normalized: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((p) => p.test(normalized));
}

/** Maps a rule score to a confidence in 0–1 that saturates: 1 point ≈ 0.63, 2 ≈ 0.86, 3 ≈ 0.95. */
export function confidenceOf(score: number): number {
  return score <= 0 ? 0 : Math.round((1 - Math.exp(-score)) * 1000) / 1000;
}
