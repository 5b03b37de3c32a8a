// What chat.bench.ts asks of a load process (load-client.ts) over its IPC channel, what it answers, and the pure
// helpers both sides share: the message text that carries the sender's clock, the open-loop schedule, summaries.
import { percentile, round } from '../lib/stats.ts';

export interface ConnectCommand {
  readonly cmd: 'connect';
  /** Where the visitors connect (http://127.0.0.1:port) … */
  readonly visitorUrl: string;
  /** … and where the agents connect (another process in the 4-process run: delivery crosses instances). */
  readonly agentUrl: string;
  /** Conversations of this load process: one visitor and one agent socket each. */
  readonly conversations: number;
  /** Makes customer and agent ids unique per run and load process. */
  readonly idPrefix: string;
  readonly tenant: string;
  readonly visitorSecret: string;
  readonly agentSecret: string;
  /** Conversations being set up at once. */
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export interface LatencyCommand {
  readonly cmd: 'latency';
  readonly phase: string;
  /** Messages a second from this load process, open loop (sent on schedule whatever the answers). */
  readonly rate: number;
  readonly durationMs: number;
  readonly drainMs: number;
}

export interface ThroughputCommand {
  readonly cmd: 'throughput';
  readonly phase: string;
  /** Conversations with one message in flight each (closed loop: the next goes when the other side got it). */
  readonly concurrency: number;
  /** Least time between two sends of one conversation: keeps each socket under the chat's 20 frames/s limit. */
  readonly minIntervalMs: number;
  readonly rampMs: number;
  readonly windowMs: number;
  readonly drainMs: number;
}

export type LoadCommand = ConnectCommand | LatencyCommand | ThroughputCommand | { readonly cmd: 'close' };

export interface ConnectResult {
  readonly ready: number;
  readonly failed: number;
  readonly firstFailures: readonly string[];
  readonly ms: number;
}

export interface PhaseResult {
  readonly sent: number;
  /** Messages that reached the other participant. */
  readonly delivered: number;
  /** Messages that came back to their sender (the server's confirmation). */
  readonly echoes: number;
  /** Delivered inside the measuring window (throughput) or at all (latency). */
  readonly counted: number;
  readonly windowMs: number;
  /** Send → receipt at the other participant, ms, of the counted messages. */
  readonly latenciesMs: Float64Array;
  readonly errors: Readonly<Record<string, number>>;
  readonly closes: Readonly<Record<string, number>>;
}

export type LoadReply = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string };

/** Milliseconds on the machine's clock, sub-millisecond, comparable between processes of one machine. */
export const clockMs = (): number => performance.timeOrigin + performance.now();

const PAD = 'x'.repeat(64);

/** A message text: phase, index and the send time, padded to a chat-like ~100 characters. */
export const stampText = (phase: string, index: number, sentAtMs: number): string => `${phase}|${index}|${sentAtMs.toFixed(3)}|${PAD}`;

/** The phase, index and send time of a text made by stampText; undefined for any other text. */
export function readStamp(text: unknown): { readonly phase: string; readonly index: number; readonly sentAtMs: number } | undefined {
  if (typeof text !== 'string') return undefined;
  const [phase, index, sentAt] = text.split('|', 3);
  if (phase === undefined || index === undefined || sentAt === undefined) return undefined;
  const i = Number(index);
  const t = Number(sentAt);
  return Number.isInteger(i) && Number.isFinite(t) ? { phase, index: i, sentAtMs: t } : undefined;
}

/** Open loop: how many messages are due `elapsedMs` after the start at `rate` a second, never more than total. */
export const dueBy = (elapsedMs: number, rate: number, total: number): number => Math.min(total, Math.floor((elapsedMs * rate) / 1000));

/** Which conversation sends the k-th message of a phase, and from which side: visits go round, sides alternate. */
export function senderOf(k: number, conversations: number): { readonly conv: number; readonly side: 'visitor' | 'agent' } {
  return { conv: k % conversations, side: Math.floor(k / conversations) % 2 === 0 ? 'visitor' : 'agent' };
}

export interface PhaseSummary {
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly closes: Readonly<Record<string, number>>;
}

const addCounts = (into: Record<string, number>, from: Readonly<Record<string, number>>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/** One figure for the load processes of a phase: their counts added, percentiles over all their samples. */
export function summarizePhase(parts: readonly PhaseResult[]): PhaseSummary {
  const samples: number[] = [];
  const errors: Record<string, number> = {};
  const closes: Record<string, number> = {};
  let sent = 0;
  let delivered = 0;
  let counted = 0;
  let windowMs = 0;
  for (const p of parts) {
    for (const v of p.latenciesMs) samples.push(v);
    sent += p.sent;
    delivered += p.delivered;
    counted += p.counted;
    windowMs = Math.max(windowMs, p.windowMs);
    addCounts(errors, p.errors);
    addCounts(closes, p.closes);
  }
  return {
    sent,
    delivered,
    lost: sent - delivered,
    perSecond: windowMs > 0 ? round((counted * 1000) / windowMs, 0) : 0,
    p50Ms: round(percentile(samples, 50), 2),
    p99Ms: round(percentile(samples, 99), 2),
    maxMs: round(samples.length ? samples.reduce((m, v) => (v > m ? v : m), -Infinity) : Number.NaN, 2),
    errors,
    closes,
  };
}
