// npm run bench -- gateway --profile: where UniCS spends its CPU on the benchmark's three queries. Per query, UniCS is
// started with node --cpu-prof against the simulators, warmed up, loaded at 32 connections, and stopped; the V8
// profile is summarised by area (GraphQL execution, HTTP, connectors, XML, GC, ...) and the hottest functions.
// Start-up is inside the profile (about a second of a ~15 s profile); idle time is reported apart.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { freePort } from '../../stack/ports.ts';
import { markdownTable, round } from '../lib/stats.ts';
import { repoRoot, versions, writeRawResults } from '../lib/results.ts';
import { updateResultsSection } from '../lib/results-md.ts';
import { runLoad } from './autocannon-run.ts';
import { startContender } from './contenders.ts';
import { summarizeCpuProfile, type CpuProfile, type ProfileSummary } from './cpu-profile-summary.ts';
import type { BenchOptions } from './gateway.bench.ts';
import { checkAnswer, warmUp } from './measure.ts';
import { expectedAnswer, requestBody, type QueryName } from './queries.ts';
import { startSimulators } from './simulators.ts';
import { uncommittedCode } from './uncommitted-code.ts';

const say = (m: string) => process.stderr.write(`[gateway --profile] ${m}\n`);

export function profileTable(s: ProfileSummary): string {
  const busy = s.byArea.filter((a) => a.area !== 'idle').reduce((sum, a) => sum + a.ms, 0);
  return [
    markdownTable(
      s.byArea
        .filter((a) => a.area !== 'idle')
        .slice(0, 14)
        .map((a) => ({ area: a.area, 'self ms': round(a.ms), 'share of busy CPU': `${round((a.ms / busy) * 100, 1)} %` })),
    ),
    '',
    markdownTable(s.topFunctions.slice(0, 12).map((f) => ({ function: `\`${f.fn}\``, area: f.area, 'self ms': round(f.ms) }))),
    '',
    markdownTable(s.nativeByCaller.slice(0, 6).map((n) => ({ 'native function': `\`${n.native}\``, 'called from': `\`${n.caller}\``, 'self ms': round(n.ms) }))),
  ].join('\n');
}

export async function profileUnics(o: BenchOptions): Promise<void> {
  const dirty = uncommittedCode();
  const unicsLabel = `${versions({}).unics}${dirty.length ? ` + uncommitted changes in ${dirty.join(', ')}` : ''}`;
  const data = generateDemoData({ customers: 10_000 });
  const sims = await startSimulators({ latencyMs: 2, customers: 10_000 });
  const workDir = mkdtempSync(join(tmpdir(), 'unics-bench-gateway-profile-'));
  const results: Array<{ query: QueryName; rps: number; p99Ms: number; errors: number; summary: ProfileSummary }> = [];
  try {
    for (const query of ['profile', 'list', 'profile-distinct'] as const) {
      const profDir = join(workDir, `prof-${query}`);
      const unics = await startContender('unics', { sims: sims.urls, port: await freePort(), workDir, nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
      try {
        const problem = await checkAnswer(unics, query, expectedAnswer(data, query));
        if (problem) say(`${query}: the answer is not the demo data (${problem.slice(0, 200)}); profiling anyway`);
        await warmUp(unics, query, o.settings, o.warmupSeconds);
        const load = await runLoad({
          url: unics.url,
          body: requestBody('unics', query),
          headers: unics.headers,
          connections: o.settings.connections,
          durationSeconds: o.settings.durationSeconds,
          ...(query === 'profile-distinct' ? { distinctProfilesFor: 'unics' as const } : {}),
        });
        say(`${query}: ${round(load.rps)} req/s, p99 ${load.p99Ms} ms, ${load.errors} errors while profiling`);
        await unics.service.stop(30_000);
        const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
        if (!file) throw new Error(`UniCS wrote no .cpuprofile into ${profDir}: it must exit normally on SIGTERM`);
        const summary = summarizeCpuProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile, 20);
        results.push({ query, rps: load.rps, p99Ms: load.p99Ms, errors: load.errors, summary });
      } finally {
        await unics.service.stop();
      }
    }
  } finally {
    await sims.service.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const env = versions({});
  const file = writeRawResults('gateway-profile', { date: new Date().toISOString(), unics: unicsLabel, versions: env, settings: o.settings, results });
  const body = [
    `Command: \`npm run bench -- gateway --profile\` · ${new Date().toISOString().slice(0, 10)} · UniCS ${unicsLabel} · Node ${env.node} · UniCS under node --cpu-prof, ${o.settings.connections} connections for ${o.settings.durationSeconds} s per query after a warm-up (profiling slows it down; the throughput here is not the benchmark's) · raw: \`${file.slice(repoRoot.length + 1)}\``,
    '',
    ...results.flatMap((r) => [`**${r.query}** (${round(r.rps)} req/s while profiling, p99 ${r.p99Ms} ms, ${r.errors} errors): self time by area, then the hottest functions`, '', profileTable(r.summary), '']),
  ].join('\n');
  updateResultsSection('gateway-profile', 'Gateway: where UniCS spends its CPU (live path)', body);
  process.stdout.write(`${body}\n`);
}
