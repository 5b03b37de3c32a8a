// npm run bench -- gateway [--quick] [--only=unics,hive] [--rounds=N] [--duration=S] [--profile]
//                          [--unics-node-flags="--max-semi-space-size=16 …"]
//
// UniCS's live path (no views, no connector cache) against two peers, in one run, on the same simulators (own
// process, 2 ms upstream latency) and the same data, each contender in its own process, load from autocannon in
// yet another process:
//   - plain Apollo Server 5 with straightforward per-field resolvers (bench/peers/plain-apollo)
//   - Hive Gateway serving a GraphQL Mesh supergraph of the CRM's OpenAPI, the Shop's WSDL and the Helpdesk's
//     GraphQL, batching on (bench/peers/hive)
// Two queries (bench/gateway/queries.ts): a profile of C000001 (contact, 5 orders with items, 2 tickets) and the
// same fields for 50 customers. Every contender's answer is first checked against the demo data. Then per
// contender and query: upstream requests of 10 requests sent alone; after a warm-up, rounds alternating the
// contender order of a throughput run at 32 connections (autocannon) and a latency run at a fixed 300 requests/s
// (open-loop.ts); each run starts once the upstreams are quiet; CPU time and RSS of each contender's process tree
// (RSS every 100 ms). --profile instead profiles UniCS (see profile-unics.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { freePort } from '../../stack/ports.ts';
import { round } from '../lib/stats.ts';
import { versions as unicsVersions, writeRawResults } from '../lib/results.ts';
import { uncommittedCode } from './uncommitted-code.ts';
import { startContender, UNICS_START_FLAGS, type RunningContender } from './contenders.ts';
import { checkAnswer, rateRound, sequentialCost, throughputRound, warmUp, type RunSettings } from './measure.ts';
import { profileUnics } from './profile-unics.ts';
import { expectedAnswer, VIEW_CONTENDERS, type ContenderName, type QueryName } from './queries.ts';
import { writeGatewaySection } from './results-section.ts';
import type { Cell, RateRound, ThroughputRound } from './report.ts';
import { createRssSampler, type RssSampler } from './rss-sampler.ts';
import { startSimulators } from './simulators.ts';
import { createUpstreamCounter } from './upstream-counter.ts';

export const LATENCY_MS = 2;
export const CUSTOMERS = 10_000;
const QUERIES: readonly QueryName[] = ['profile', 'list', 'profile-distinct'];
const ALL: readonly ContenderName[] = ['unics', 'plain-apollo', 'hive', 'unics-views', 'unics-memory-views'];

export interface BenchOptions {
  readonly contenders: readonly ContenderName[];
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly sequentialRequests: number;
  readonly settings: RunSettings;
  readonly profile: boolean;
  readonly quick: boolean;
  /** Node flags for UniCS on top of `npm start`'s (UNICS_START_FLAGS), from --unics-node-flags="…". */
  readonly unicsNodeFlags: readonly string[];
}

export function parseOptions(args: readonly string[]): BenchOptions {
  const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const value = (name: string) => flag(name)?.split('=')[1];
  const quick = flag('quick') !== undefined;
  const only = value('only')?.split(',').filter(Boolean) as ContenderName[] | undefined;
  const unknown = (only ?? []).filter((c) => !ALL.includes(c));
  if (unknown.length) throw new Error(`--only: unknown contender ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  const num = (name: string, fallback: number) => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--${name} must be a whole number of at least 1, but got ${JSON.stringify(v)}`);
    return Number(v);
  };
  return {
    contenders: only ?? ALL,
    rounds: num('rounds', quick ? 1 : 2),
    warmupSeconds: quick ? 1 : 3,
    sequentialRequests: quick ? 3 : 10,
    // 300 req/s for the profile (the issue's rate); the 50-customer list saturates every contender far below 300
    // (UniCS ~100 req/s), so its latency is taken at 20 req/s, which UniCS and Hive Gateway sustain.
    settings: { connections: 32, durationSeconds: num('duration', quick ? 2 : 10), rate: { profile: 300, list: 20 }, rateConnections: 100 },
    profile: flag('profile') !== undefined,
    quick,
    unicsNodeFlags: (flag('unics-node-flags')?.slice('--unics-node-flags='.length) ?? '').split(/\s+/).filter(Boolean),
  };
}

/** UniCS in each of its forms (live path, views in Redis, views in memory): the same node flags as `npm start`. */
const isUnics = (name: ContenderName) => name === 'unics' || VIEW_CONTENDERS.includes(name);

const say = (m: string) => process.stderr.write(`[gateway] ${m}\n`);

export async function main(args: string[] = []): Promise<void> {
  const o = parseOptions(args);
  if (o.profile) return profileUnics(o);
  const startedAt = new Date();
  // What UniCS ran: the commit, and whether the code folders had uncommitted changes (the tree is shared).
  const unics = `${unicsVersions({}).unics}${uncommittedCode().length ? ` + uncommitted changes in ${uncommittedCode().join(', ')}` : ''}`;
  const data = generateDemoData({ customers: CUSTOMERS });
  // profile-distinct sends the profile query; its check is the profile's (for C000001).
  const expected = { profile: expectedAnswer(data, 'profile'), list: expectedAnswer(data, 'list'), 'profile-distinct': expectedAnswer(data, 'profile') };
  const workDir = mkdtempSync(join(tmpdir(), 'unics-bench-gateway-'));
  say(`starting the simulators (${CUSTOMERS} customers, ${LATENCY_MS} ms latency)`);
  const sims = await startSimulators({ latencyMs: LATENCY_MS, customers: CUSTOMERS, probeFile: join(workDir, 'simulators-probe.jsonl') });
  const counter = createUpstreamCounter(sims.urls);
  const running: RunningContender[] = [];
  const samplers = new Map<ContenderName, RssSampler>();
  const startFailures: Partial<Record<ContenderName, string>> = {};
  const cells = new Map<string, { failure?: string; throughput: ThroughputRound[]; rate: RateRound[]; sequential?: Cell['sequential'] }>();
  const cell = (c: ContenderName, q: QueryName) => {
    const key = `${c}/${q}`;
    if (!cells.has(key)) cells.set(key, { throughput: [], rate: [] });
    return cells.get(key)!;
  };
  const crashed = (c: RunningContender) => (c.service.child.exitCode !== null || c.service.child.signalCode !== null ? `${c.name} exited during the run:\n${c.service.output().slice(-2000)}` : undefined);
  try {
    for (const name of o.contenders) {
      say(`starting ${name}`);
      try {
        const nodeOptions = isUnics(name) && o.unicsNodeFlags.length > 0 ? { nodeOptions: o.unicsNodeFlags } : {};
        const c = await startContender(name, { sims: sims.urls, port: await freePort(), workDir, data, ...nodeOptions });
        running.push(c);
        samplers.set(name, createRssSampler(c.service.pid));
      } catch (err) {
        startFailures[name] = (err as Error).message;
        say(`${name} did not start: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    for (const c of running) {
      for (const q of QUERIES) {
        const problem = await checkAnswer(c, q, expected[q]);
        if (problem) {
          cell(c.name, q).failure = problem;
          say(`${c.name} ${q}: not measured: ${problem.slice(0, 300)}`);
          continue;
        }
        samplers.get(c.name)!.setPhase(`${q} warm-up`);
        await warmUp(c, q, o.settings, o.warmupSeconds);
        if (q !== 'profile-distinct') cell(c.name, q).sequential = await sequentialCost(c, q, counter, o.sequentialRequests);
        samplers.get(c.name)!.setPhase('idle');
      }
    }
    for (let r = 1; r <= o.rounds; r++) {
      const order = r % 2 === 1 ? running : [...running].reverse();
      for (const c of order) {
        for (const q of QUERIES) {
          const entry = cell(c.name, q);
          if (entry.failure) continue;
          const sampler = samplers.get(c.name)!;
          try {
            sampler.setPhase(`${q} throughput ${r}`);
            const t = await throughputRound(c, q, counter, o.settings, r);
            entry.throughput.push(t);
            sampler.setPhase(`${q} rate ${r}`);
            const rr = await rateRound(c, q, counter, o.settings, r, t.rps, sims.processStats);
            if (rr) entry.rate.push(rr);
            say(
              `round ${r} ${c.name} ${q}: ${round(t.rps)} req/s (p99 ${t.p99Ms} ms, ${t.errors} errors, ${round(t.cpuMsPerRequest)} CPU ms/req, started after ${t.settled?.waitedMs} ms quiet wait, load ${round(t.settled?.loadAvg1m ?? Number.NaN)}); ` +
                (!rr
                  ? 'no fixed-rate run for this query'
                  : rr.saturatedAtRps !== undefined
                  ? `at ${rr.targetRps} req/s: skipped, saturated`
                  : `at ${rr.targetRps} req/s: p50 ${round(rr.p50Ms, 1)} ms, p99 ${round(rr.p99Ms, 1)} ms, achieved ${round(rr.achievedRps)}, ${rr.errors} errors`),
            );
          } catch (err) {
            entry.failure = crashed(c) ?? (err as Error).message;
            say(`${c.name} ${q} round ${r} failed: ${entry.failure.slice(0, 300)}`);
          } finally {
            sampler.setPhase('idle');
          }
        }
      }
    }
  } finally {
    for (const c of [...running].reverse()) {
      await c.service.stop();
      await c.close?.().catch((err: unknown) => say(`${c.name}: cleaning up failed: ${(err as Error).message}`));
    }
    for (const s of samplers.values()) s.stop();
    await sims.service.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const result: Cell[] = [];
  for (const name of o.contenders) {
    for (const q of QUERIES) {
      const e = cells.get(`${name}/${q}`);
      const failure = startFailures[name] ?? e?.failure;
      result.push({
        contender: name,
        query: q,
        ...(failure ? { failure } : {}),
        throughput: e?.throughput ?? [],
        rate: e?.rate ?? [],
        ...(e?.sequential ? { sequential: e.sequential } : {}),
        peakRssBytes: samplers.get(name)?.peak(`${q} `) ?? 0,
      });
    }
  }
  const versions = Object.assign({}, ...running.map((c) => c.versions)) as Record<string, string>;
  const host = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`;
  const raw = { date: startedAt.toISOString(), unics, args, host, options: o, versions, latencyMs: LATENCY_MS, customers: CUSTOMERS, startFailures, unicsStartFlags: UNICS_START_FLAGS, cells: result };
  if (o.quick) {
    say('quick mode: results printed, not written to bench/results or bench/RESULTS.md');
    process.stdout.write(`${JSON.stringify(raw, null, 2)}\n`);
    return;
  }
  const file = writeRawResults('gateway', raw);
  process.stdout.write(`${writeGatewaySection(raw, file)}\n`);
}
