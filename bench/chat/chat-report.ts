// The chat benchmark's report: medians of rounds per contender, UniCS's ratios to the floor against issue 6's goals,
// the 4-process run, as a Markdown section for bench/RESULTS.md. Pure.
import { markdownTable, median, round } from '../lib/stats.ts';
import type { ContenderName } from './chat-processes.ts';
import type { RoundResult, RoundSettings } from './chat-round.ts';
import type { MultiResult } from './multi-process.ts';

export const GOALS = Object.freeze({ memoryRatio: 1.5, p99Ratio: 2, messagesPerSecond: 10_000, multiConnections: 60_000 });

export interface ContenderMedians {
  readonly rounds: number;
  readonly perConnectionKb: number;
  readonly heapPerConnectionKb: number;
  readonly idleRssMb: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly throughputPerSecond: number;
  readonly throughputP99Ms: number;
  /** Server process CPU per message in the closed loop, ms. */
  readonly cpuMsPerMessage: number;
  /** Messages not delivered, errors and unexpected closes over all rounds (a round with errors is reported, not dropped). */
  readonly lost: number;
  readonly errors: number;
}

const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);

export function mediansOf(rounds: readonly RoundResult[]): ContenderMedians | undefined {
  if (rounds.length === 0) return undefined;
  const m = (pick: (r: RoundResult) => number) => round(median(rounds.map(pick)), 2);
  return {
    rounds: rounds.length,
    perConnectionKb: m((r) => r.perConnectionKb),
    heapPerConnectionKb: m((r) => r.heapPerConnectionKb),
    idleRssMb: m((r) => r.idleRssMb),
    latencyP50Ms: m((r) => r.latency.p50Ms),
    latencyP99Ms: m((r) => r.latency.p99Ms),
    throughputPerSecond: m((r) => r.throughput.perSecond),
    throughputP99Ms: m((r) => r.throughput.p99Ms),
    cpuMsPerMessage: m((r) => r.cpuMsPerMessage.throughput),
    lost: rounds.reduce((n, r) => n + r.latency.lost + r.throughput.lost, 0),
    errors: rounds.reduce((n, r) => n + sum(r.latency.errors) + sum(r.throughput.errors), 0),
  };
}

export interface GoalCheck {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? round(a / b, 2) : Number.NaN);

export function goalChecks(floor: ContenderMedians | undefined, unics: ContenderMedians | undefined, multi: MultiResult | undefined): GoalCheck[] {
  const checks: GoalCheck[] = [];
  if (floor && unics) {
    const mem = ratio(unics.perConnectionKb, floor.perConnectionKb);
    const p99 = ratio(unics.latencyP99Ms, floor.latencyP99Ms);
    checks.push({ goal: `idle memory per connection ≤ ${GOALS.memoryRatio}× bare ws`, measured: `${mem}× (${unics.perConnectionKb} vs ${floor.perConnectionKb} KB)`, met: mem <= GOALS.memoryRatio });
    checks.push({ goal: `p99 delivery latency ≤ ${GOALS.p99Ratio}× bare ws`, measured: `${p99}× (${unics.latencyP99Ms} vs ${floor.latencyP99Ms} ms)`, met: p99 <= GOALS.p99Ratio });
  }
  if (unics) {
    checks.push({
      goal: `≥ ${GOALS.messagesPerSecond.toLocaleString('en')} messages/s persisted and delivered per process`,
      measured:
        `${unics.throughputPerSecond.toLocaleString('en')}/s, ${unics.lost} lost, ${unics.errors} errors; the server process spent ${unics.cpuMsPerMessage} ms CPU per message ` +
        `(≈ ${Math.round(1000 / unics.cpuMsPerMessage).toLocaleString('en')}/s per core of its own, PostgreSQL and Redis not counted)`,
      met: unics.throughputPerSecond >= GOALS.messagesPerSecond && unics.lost === 0,
    });
  }
  if (multi) {
    checks.push({
      goal: `${GOALS.multiConnections.toLocaleString('en')} connections across 4 processes`,
      measured: `${multi.connections.toLocaleString('en')} across ${multi.processes} (${multi.sessionsPerProcess.join(' + ')}), ${multi.latency.lost + multi.throughput.lost} lost`,
      met: multi.processes === 4 && multi.connections >= GOALS.multiConnections && multi.latency.lost + multi.throughput.lost === 0,
    });
  }
  return checks;
}

const counts = (r: Readonly<Record<string, number>>) => (Object.keys(r).length ? Object.entries(r).map(([k, v]) => `${k}×${v}`).join(' ') : '0');
const work = (w: Readonly<Record<string, number>>) => Object.entries(w).map(([k, v]) => `${k} ${v}`).join(', ');

export function roundsTable(rounds: readonly RoundResult[]): string {
  return markdownTable(
    rounds.map((r) => ({
      contender: r.contender,
      round: r.round,
      sockets: r.connections,
      'connect s': r.connectSeconds,
      'RSS before / idle MB': `${r.baseRssMb} / ${r.idleRssMb}`,
      'KB per socket (RSS; heap)': `${r.perConnectionKb}; ${r.heapPerConnectionKb}`,
      'latency p50 / p99 / max ms': `${r.latency.p50Ms} / ${r.latency.p99Ms} / ${r.latency.maxMs}`,
      'latency lost': r.latency.lost,
      'msgs/s (closed loop)': r.throughput.perSecond,
      'its p50 / p99 ms': `${r.throughput.p50Ms} / ${r.throughput.p99Ms}`,
      'server CPU ms/msg (latency; closed loop)': `${r.cpuMsPerMessage.latency}; ${r.cpuMsPerMessage.throughput}`,
      'lost': r.throughput.lost,
      'persisted / sent': r.persisted === undefined ? '–' : `${r.persisted} / ${r.latency.sent + r.throughput.sent}`,
      'errors, closes': `${counts({ ...r.latency.errors, ...r.throughput.errors })}, ${counts({ ...r.latency.closes, ...r.throughput.closes })}`,
      'work per message': work(r.work),
    })),
  );
}

export function mediansTable(m: Partial<Record<ContenderName, ContenderMedians>>): string {
  const rows = (['floor', 'unics'] as const).flatMap((name) => {
    const c = m[name];
    if (!c) return [];
    return [{
      contender: name === 'floor' ? 'bare ws (floor)' : 'UniCS chat',
      rounds: c.rounds,
      'KB per idle socket': c.perConnectionKb,
      'heap KB per socket': c.heapPerConnectionKb,
      'idle RSS MB': c.idleRssMb,
      'latency p50 ms': c.latencyP50Ms,
      'latency p99 ms': c.latencyP99Ms,
      'msgs/s delivered': c.throughputPerSecond,
      'closed-loop p99 ms': c.throughputP99Ms,
      'server CPU ms/msg': c.cpuMsPerMessage,
      'lost, errors': `${c.lost}, ${c.errors}`,
    }];
  });
  const f = m.floor;
  const u = m.unics;
  if (f && u) {
    rows.push({
      contender: 'UniCS ÷ floor',
      rounds: Number.NaN,
      'KB per idle socket': ratio(u.perConnectionKb, f.perConnectionKb),
      'heap KB per socket': ratio(u.heapPerConnectionKb, f.heapPerConnectionKb),
      'idle RSS MB': ratio(u.idleRssMb, f.idleRssMb),
      'latency p50 ms': ratio(u.latencyP50Ms, f.latencyP50Ms),
      'latency p99 ms': ratio(u.latencyP99Ms, f.latencyP99Ms),
      'msgs/s delivered': ratio(u.throughputPerSecond, f.throughputPerSecond),
      'closed-loop p99 ms': ratio(u.throughputP99Ms, f.throughputP99Ms),
      'server CPU ms/msg': ratio(u.cpuMsPerMessage, f.cpuMsPerMessage),
      'lost, errors': '',
    });
  }
  return markdownTable(rows.map((r) => ({ ...r, rounds: Number.isNaN(r.rounds) ? '' : r.rounds })));
}

export function multiTable(x: MultiResult): string {
  return markdownTable([
    {
      processes: x.processes,
      sockets: x.connections,
      'per process (own count)': x.sessionsPerProcess.join(' / '),
      'connect s': x.connectSeconds,
      'RSS MB per process': x.rssMbPerProcess.join(' / '),
      'latency p50 / p99 ms': `${x.latency.p50Ms} / ${x.latency.p99Ms}`,
      'latency lost': x.latency.lost,
      'msgs/s (all processes)': x.throughput.perSecond,
      'its p99 ms': x.throughput.p99Ms,
      'servers CPU ms/msg (latency; closed loop)': `${x.cpuMsPerMessage.latency}; ${x.cpuMsPerMessage.throughput}`,
      lost: x.throughput.lost,
      'persisted / sent': x.persisted === undefined ? '–' : `${x.persisted} / ${x.latency.sent + x.throughput.sent}`,
      'errors, closes': `${counts({ ...x.latency.errors, ...x.throughput.errors })}, ${counts({ ...x.latency.closes, ...x.throughput.closes })}`,
    },
  ]);
}

export interface ReportInput {
  readonly command: string;
  readonly date: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly machine: string;
  readonly settings: RoundSettings;
  readonly setup: string;
  readonly rounds: readonly RoundResult[];
  readonly multi: MultiResult | undefined;
  readonly changed: string;
}

export function chatSection(input: ReportInput): string {
  const by = (name: ContenderName) => mediansOf(input.rounds.filter((r) => r.contender === name));
  const medians = { floor: by('floor'), unics: by('unics') };
  const checks = goalChecks(medians.floor, medians.unics, input.multi);
  const s = input.settings;
  return [
    `Command: \`${input.command}\` — ${input.date}.`,
    `Versions: ${Object.entries(input.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `Machine: ${input.machine}.`,
    '',
    input.setup,
    '',
    `Per round: ${s.connections.toLocaleString('en')} sockets per server process (${(s.connections / 2).toLocaleString('en')} conversations of a visitor and an agent) from ${s.loadProcesses} load processes; ` +
      `latency at a fixed ${s.rate.toLocaleString('en')} messages/s for ${s.phaseMs / 1000} s (open loop, sides alternating); throughput closed loop over ${s.throughputConcurrency.toLocaleString('en')} conversations ` +
      `(one message in flight each, at most one send per ${s.minIntervalMs} ms per conversation so no socket reaches the 20 frames/s limit), counted over ${s.phaseMs / 1000} s after a ${s.rampMs / 1000} s ramp.`,
    '',
    '### Medians of rounds',
    '',
    mediansTable(medians),
    '',
    '### Goals (issue 6)',
    '',
    markdownTable(checks.map((c) => ({ goal: c.goal, measured: c.measured, met: c.met === undefined ? '–' : c.met ? 'yes' : '**no**' }))),
    '',
    '### Rounds',
    '',
    roundsTable(input.rounds),
    ...(input.multi ? ['', `### ${input.multi.processes} UniCS processes, ${input.multi.connections.toLocaleString('en')} sockets`, '', multiTable(input.multi)] : []),
    '',
    `What changed: ${input.changed}`,
  ].join('\n');
}
