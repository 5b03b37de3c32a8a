// A small sentiment lexicon, Chinese and English (pure). It only needs to tell "clearly negative" — anger, insults,
// threats to complain or leave — from the rest; mild words ("late", "wrong") stay below the line on purpose, since a
// customer saying their parcel is late still wants the tracking answer. Strong cues count 2, mild ones 1; "not" or
// "不" right before a mild cue cancels it ("not bad"), and a few positive cues pull the score back up.
import { scoreCues, type Cue } from './text-features.ts';

const STRONG: readonly Cue[] = [
  { pattern: /\b(terrible|horrible|awful|disgusting|pathetic|useless|ridiculous|unacceptable|outrageous|furious|scam|scammers?|fraud|liars?|idiots?|stupid|incompetent|worst)\b/, weight: 2 },
  { pattern: /\b(fuck\w*|shit\w*|damn|crap|wtf|bullshit)\b/, weight: 2 },
  { pattern: /\b(sue you|lawyer|report you|chargeback|never (buy|order|shop)\w* (from|here|with)|cancel my account)\b/, weight: 2 },
  { pattern: /\b(fed up|sick of|had enough|so angry|very angry|really angry|pissed)\b/, weight: 2 },
  { pattern: /(垃圾|骗子|骗钱|坑人|无语|恶心|太差|差劲|气死|愤怒|滚|傻|他妈|妈的|什么破|破玩意|投诉你们|投诉到|曝光|再也不(买|来)|忍无可忍|太过分|退钱!|骗人)/, weight: 2 },
];

const MILD: readonly Cue[] = [
  { pattern: /\b(angry|annoyed|upset|disappointed|frustrat\w*|unhappy|bad service|poor service|waste of)\b/, weight: 1 },
  { pattern: /!!+|\?!|!\?/, weight: 1 },
  { pattern: /(生气|失望|不满|烦死|太慢了|太失望|差评|糟糕|郁闷|着急死)/, weight: 1 },
];

const NEGATED_MILD = /\b(not|never|isn't|wasn't|no)\s+(angry|annoyed|upset|disappointed|frustrated|unhappy)\b|不(生气|失望)/;

const POSITIVE: readonly Cue[] = [
  { pattern: /\b(thanks?|thank you|great|perfect|awesome|love|appreciate)\b/, weight: 1 },
  { pattern: /(谢谢|感谢|太好了|很好|满意|辛苦了)/, weight: 1 },
];

/** Negative is below zero; -2 or lower is "clearly negative". Works on normalised text (text-features normalize). */
export function sentimentScore(normalized: string): number {
  const mild = NEGATED_MILD.test(normalized) ? 0 : scoreCues(normalized, MILD);
  return -(scoreCues(normalized, STRONG) + mild) + scoreCues(normalized, POSITIVE);
}

/** The default line at or below which the assistant steps aside. */
export const CLEARLY_NEGATIVE = -2;
