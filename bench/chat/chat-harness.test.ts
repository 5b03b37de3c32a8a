// The chat benchmark's harness, tiny: its pure parts, and one round of each contender (the floor, and UniCS over
// PGlite with the in-process fan-out) at 16 sockets from a load process, so `npm run bench -- chat` keeps working.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { goalChecks, mediansOf, chatSection } from './chat-report.ts';
import { runRound, split, type RoundResult, type RoundSettings, type RunContext } from './chat-round.ts';
import { parseOptions } from './chat.bench.ts';
import { startFlags } from './chat-processes.ts';
import { dueBy, readStamp, senderOf, stampText, summarizePhase, type PhaseResult } from './load-protocol.ts';
import { BENCH_TENANT } from './bench-tenant.ts';

const phase = (p: Partial<PhaseResult>): PhaseResult => ({ sent: 0, delivered: 0, echoes: 0, counted: 0, windowMs: 1000, latenciesMs: new Float64Array(), errors: {}, closes: {}, ...p });

describe('chat bench pure parts', () => {
  it('stamps message texts and reads them back; other texts are not stamps', () => {
    const text = stampText('L1', 42, 1_700_000_000_123.456);
    expect(readStamp(text)).toEqual({ phase: 'L1', index: 42, sentAtMs: 1_700_000_000_123.456 });
    expect(text.length).toBeGreaterThan(80);
    expect(readStamp('hello')).toBeUndefined();
    expect(readStamp(7)).toBeUndefined();
  });

  it('schedules the open loop and alternates senders', () => {
    expect(dueBy(0, 1000, 50)).toBe(0);
    expect(dueBy(10.5, 1000, 50)).toBe(10);
    expect(dueBy(1000, 1000, 50)).toBe(50);
    expect([0, 1, 2, 3, 4, 5].map((k) => senderOf(k, 3))).toEqual([
      { conv: 0, side: 'visitor' },
      { conv: 1, side: 'visitor' },
      { conv: 2, side: 'visitor' },
      { conv: 0, side: 'agent' },
      { conv: 1, side: 'agent' },
      { conv: 2, side: 'agent' },
    ]);
    expect(split(7, 3)).toEqual([3, 2, 2]);
  });

  it('adds load processes up and takes percentiles over all their samples', () => {
    const s = summarizePhase([
      phase({ sent: 10, delivered: 10, counted: 8, latenciesMs: Float64Array.from([1, 2, 3, 4]), errors: { A: 1 }, windowMs: 2000 }),
      phase({ sent: 5, delivered: 4, counted: 4, latenciesMs: Float64Array.from([5, 6, 7, 100]), errors: { A: 2, B: 1 }, windowMs: 2000 }),
    ]);
    expect(s).toMatchObject({ sent: 15, delivered: 14, lost: 1, perSecond: 6, p50Ms: 4, p99Ms: 100, maxMs: 100, errors: { A: 3, B: 1 } });
  });

  it('parses options and refuses bad ones', () => {
    const quick = parseOptions(['--quick']);
    expect(quick.settings.connections).toBe(400);
    expect(parseOptions([]).settings).toMatchObject({ connections: 15_000, loadProcesses: 2, rate: 1000 });
    expect(parseOptions(['--connections=100', '--concurrency=999']).settings.throughputConcurrency).toBe(50);
    expect(() => parseOptions(['--only=floor,nats'])).toThrow('--only: unknown part nats; choose from floor, unics, multi');
    expect(() => parseOptions(['--rate=fast'])).toThrow('--rate must be a whole number of at least 1, but got "fast"');
    expect(startFlags('{"scripts":{"start":"node --max-semi-space-size=16 app/main.ts"}}')).toEqual(['--max-semi-space-size=16']);
  });
});

const settings: RoundSettings = { connections: 16, loadProcesses: 1, rate: 40, phaseMs: 600, rampMs: 200, throughputConcurrency: 4, minIntervalMs: 60, settleMs: 100, warmupConversations: 2 };

describe('chat bench harness, tiny', () => {
  it('runs a round of the floor and of UniCS (PGlite, local fan-out): every message delivered, memory and work counted, the goals judged', async () => {
    const visitorSecret = randomBytes(24).toString('hex');
    const agentSecret = randomBytes(24).toString('hex');
    const secrets = { CHAT_BENCH_VISITOR_SECRET: visitorSecret, CHAT_BENCH_AGENT_SECRET: agentSecret };
    const ctx: RunContext = {
      settings,
      tenant: BENCH_TENANT,
      visitorSecret,
      agentSecret,
      serverEnv: { floor: secrets, unics: { ...secrets, CHAT_BENCH_SCHEMA: 'chat_bench_test', CHAT_BENCH_STORE: 'pglite', CHAT_BENCH_FANOUT: 'local' } },
      storedMessages: async () => undefined,
      progress: () => {},
    };
    const rounds: RoundResult[] = [await runRound('floor', 'r1', ctx), await runRound('unics', 'r1', ctx)];
    for (const r of rounds) {
      expect(r.firstFailures).toEqual([]);
      expect(r.connections).toBe(16);
      expect(r.latency.sent).toBe(24);
      expect(r.latency.lost).toBe(0);
      expect(r.throughput.sent).toBeGreaterThan(4);
      expect(r.throughput.lost).toBe(0);
      expect(r.throughput.perSecond).toBeGreaterThan(0);
      expect(r.latency.p99Ms).toBeGreaterThan(0);
      expect(r.idleRssMb).toBeGreaterThan(10);
      expect(r.serverStats.sessions).toBe(16);
      expect(r.heapPerConnectionKb).not.toBeNaN();
      expect(r.cpuMsPerMessage.throughput).toBeGreaterThan(0);
    }
    const unics = rounds[1]!;
    // A visitor's send is one SQL call (the append); an agent's adds the access check (the conversation read).
    expect(unics.work.sqlStatements).toBeGreaterThanOrEqual(1);
    expect(unics.work.sqlStatements).toBeLessThanOrEqual(2.5);
    const checks = goalChecks(mediansOf([rounds[0]!]), mediansOf([unics]), undefined);
    expect(checks.map((c) => c.goal)).toEqual(['idle memory per connection ≤ 1.5× bare ws', 'p99 delivery latency ≤ 2× bare ws', '≥ 10,000 messages/s persisted and delivered per process']);
    expect(checks[2]!.met).toBe(false);
    const section = chatSection({ command: 'npm run bench -- chat', date: 'today', versions: { unics: 'x' }, machine: 'm', settings, setup: 's', rounds, multi: undefined, changed: 'c' });
    expect(section).toContain('| UniCS ÷ floor |');
  }, 180_000);
});
