// The "Gateway" section of bench/RESULTS.md from one run's raw results (and the previous run's, for the line on
// what changed).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { round } from '../lib/stats.ts';
import { repoRoot, versions as unicsVersions } from '../lib/results.ts';
import { updateResultsSection } from '../lib/results-md.ts';
import { goalChecks, goalsTable, LABELS, ratioVsHive, resultsTable, summarize, viewGoalChecks, viewPathTable, type Cell, type Row } from './report.ts';
import type { RunSettings } from './measure.ts';
import { processStatsTable } from './process-stats.ts';
import { VIEW_CONTENDERS, type QueryName } from './queries.ts';
import { BENCH_VIEW_FRESHNESS_BUDGET } from './unics-config.ts';

export interface RawGatewayResults {
  readonly date: string;
  /** UniCS's version and commit when the run started (and uncommitted code folders, if any). */
  readonly unics?: string;
  readonly args: readonly string[];
  readonly host: string;
  readonly options: { readonly rounds: number; readonly warmupSeconds: number; readonly sequentialRequests: number; readonly settings: RunSettings };
  readonly versions: Readonly<Record<string, string>>;
  readonly latencyMs: number;
  readonly customers: number;
  readonly startFailures: Readonly<Record<string, string | undefined>>;
  readonly cells: readonly Cell[];
  /** The node flags of `npm start` UniCS ran with (before any --unics-node-flags). */
  readonly unicsStartFlags?: readonly string[];
}

/** The previous run: the committed version of today's file when it holds an earlier run, else the latest older file. */
function previousRun(current: string, currentDate: string): { file: string; rows: Row[] } | undefined {
  try {
    const committed = execFileSync('git', ['show', `HEAD:${current.slice(repoRoot.length + 1)}`], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const raw = JSON.parse(committed) as RawGatewayResults;
    if (raw.date !== currentDate) return { file: `${basename(current)} as committed (run of ${raw.date.slice(11, 16)} UTC, UniCS ${raw.unics ?? '?'})`, rows: raw.cells.map(summarize) };
  } catch {
    // not committed yet, or not a git checkout
  }
  const dir = join(repoRoot, 'bench', 'results');
  const files = readdirSync(dir)
    .filter((f) => /^gateway-\d{4}-\d{2}-\d{2}\.json$/.test(f) && f !== basename(current))
    .sort();
  const last = files.at(-1);
  if (!last) return undefined;
  try {
    const raw = JSON.parse(readFileSync(join(dir, last), 'utf8')) as RawGatewayResults;
    return { file: last, rows: raw.cells.map(summarize) };
  } catch {
    return undefined;
  }
}

function changeLine(rows: readonly Row[], file: string, date: string): string {
  const prev = previousRun(file, date);
  if (!prev) return 'What changed: first entry for this benchmark.';
  const parts = rows
    .filter((r) => r.contender === 'unics' && !r.failure)
    .map((r) => {
      const p = prev.rows.find((x) => x.contender === 'unics' && x.query === r.query && !x.failure);
      return p
        ? `UniCS ${r.query} ${round(p.rps)} → ${round(r.rps)} req/s, ${round(p.cpuMsPerRequest, 2)} → ${round(r.cpuMsPerRequest, 2)} CPU ms/req, peak RSS ${round(p.peakRssMb)} → ${round(r.peakRssMb)} MB`
        : `UniCS ${r.query} newly measured`;
    });
  return `What changed since ${prev.file}: ${parts.join('; ') || 'UniCS not measured in one of the two runs'}.`;
}

/** CPU per request relative to Hive Gateway: work counted, steadier than req/s when other processes share the CPU. */
function cpuNote(rows: readonly Row[]): string {
  const get = (c: Row['contender'], q: QueryName) => rows.find((r) => r.contender === c && r.query === q && !r.failure);
  const parts = (['profile', 'list', 'profile-distinct'] as const).flatMap((q) => {
    const u = get('unics', q);
    const h = get('hive', q);
    return u && h && Number.isFinite(u.cpuMsPerRequest) && Number.isFinite(h.cpuMsPerRequest) ? [`${q} ${round(h.cpuMsPerRequest / u.cpuMsPerRequest, 1)}×`] : [];
  });
  if (parts.length === 0) return '';
  return (
    `CPU per request, Hive Gateway's over UniCS's (steadier than req/s on a shared machine: a CPU-bound contender loses more throughput when other processes take the cores, so the req/s ratio moves with the machine's load): ${parts.join(', ')}.`
  );
}

/**
 * What sharing in-flight upstream calls between concurrent requests did: in the profile and list runs every
 * request asks for the same customers, which UniCS's singleflight (and Hive's in-flight deduplication for the
 * Helpdesk) turn into shared upstream calls; profile-distinct shows the same query without that help.
 */
function sharingNote(rows: readonly Row[]): string {
  const get = (c: Row['contender'], q: QueryName) => rows.find((r) => r.contender === c && r.query === q && !r.failure);
  const same = get('unics', 'profile');
  const distinct = get('unics', 'profile-distinct');
  if (!same || !distinct) return '';
  return (
    `Shared upstream calls: in the profile and list runs every request asks for the same customer(s), so UniCS's singleflight lets concurrent requests share in-flight upstream calls ` +
    `(${round(same.upstreamPerRequestUnderLoad, 2)} upstream requests per client request under load against ${round(same.upstreamPerRequest?.total ?? Number.NaN, 2)} alone). ` +
    `With another customer in every request nothing is shared (${round(distinct.upstreamPerRequestUnderLoad, 2)} per client request) and UniCS serves ${round(distinct.rps)} req/s instead of ${round(same.rps)}: ` +
    `then the Shop simulator (SOAP over PGlite, in the simulators' single process) bounds every contender that asks it once per profile.`
  );
}

/** The machine's 1-minute load average when the runs started: the two cores are shared with other work. */
function loadNote(cells: readonly Cell[]): string {
  const loads = cells.flatMap((c) => [...c.throughput, ...c.rate].map((r) => r.settled?.loadAvg1m)).filter((l): l is number => typeof l === 'number' && Number.isFinite(l));
  if (loads.length === 0) return '';
  return `The machine is shared: its 1-minute load average was ${round(Math.min(...loads), 1)}–${round(Math.max(...loads), 1)} when the runs started (2 cores), so compare within this run, not across runs.`;
}

/**
 * What UniCS's own process contributed to its fixed-rate latency: event-loop delay and GC pauses it measured during
 * each profile run (process-probe.ts), beside the p99 the client saw; the rest is the machine and the upstreams.
 */
export function processNote(cells: readonly Cell[]): string {
  const windows = cells
    .filter((c) => c.contender === 'unics' && c.query === 'profile')
    .flatMap((c) =>
      c.rate.flatMap((r) => [
        ...(r.process ? [{ label: `profile @${r.targetRps} req/s, round ${r.round}: UniCS`, p99Ms: r.p99Ms, stats: r.process }] : []),
        ...(r.simulators ? [{ label: `profile @${r.targetRps} req/s, round ${r.round}: the simulators' process`, p99Ms: r.p99Ms, stats: r.simulators }] : []),
      ]),
    );
  if (windows.length === 0) return '';
  return [
    'UniCS\'s own process and the simulators\' during the fixed-rate profile runs (each measured inside the process by bench/gateway/process-probe.ts: event-loop delay at 10 ms resolution, every GC pause; the simulators serve all four systems from one Node process, so their pauses delay every upstream answer): ' +
      'a p99 far above both is time spent elsewhere (the load generator, other processes on the two cores).',
    '',
    processStatsTable(windows),
  ].join('\n');
}

/** The view path (view-contenders.ts): views in Redis against the same server with them in process memory. */
export function viewPathNote(rows: readonly Row[], s: RunSettings): string {
  if (!rows.some((r) => VIEW_CONTENDERS.includes(r.contender))) return '';
  return [
    `The view path (issue 4: "at least half of what the same server does with every answer already in process memory"): UniCS (\`node app/main.ts\`, the same flags) with views on, ` +
      `every answer read from the customer-360 views in the stack's Redis (filled before the run from the simulators' data as \`unics views rebuild\` would, under a tenant of the run's own, removed after), ` +
      `against the same config, server and resolvers with the same views in an in-process store (bench/gateway/unics-memory-views.ts): only the view store differs. ` +
      `The views' watermarks are set once when they are filled, so both run with views.freshnessBudget ${BENCH_VIEW_FRESHNESS_BUDGET} (the default 300 ms would send every read live after 300 ms); ` +
      `no pipeline runs in either. Same queries, ${s.connections} connections, the same fixed rates and rounds as above; Redis is the stack's, shared with other work on the machine.`,
    '',
    viewPathTable(rows, s.connections),
    '',
    'Goal for the view path (issue 4):',
    '',
    goalsTable(viewGoalChecks(rows)),
  ].join('\n');
}

/** Writes the Gateway section and returns its Markdown. */
export function writeGatewaySection(raw: RawGatewayResults, file: string): string {
  const all = raw.cells.map(summarize);
  const rows = all.filter((r) => !VIEW_CONTENDERS.includes(r.contender));
  const s = raw.options.settings;
  const env = unicsVersions({});
  const peers = Object.entries(raw.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const failures = all.filter((r) => r.failure).map((r) => `- ${LABELS[r.contender]}, ${r.query}: ${r.failure!.split('\n').slice(0, 3).join(' ').slice(0, 600)}`);
  const ratio = (q: QueryName) =>
    (['unics', 'plain-apollo'] as const)
      .map((c) => `${LABELS[c]} ${Number.isFinite(ratioVsHive(rows, c, q)) ? `${round(ratioVsHive(rows, c, q), 2)}×` : '–'}`)
      .join(', ');
  const body = [
    `Command: \`npm run bench -- gateway${raw.args.length ? ` ${raw.args.join(' ')}` : ''}\` · ${raw.date.slice(0, 10)} · UniCS ${raw.unics ?? env.unics} · Node ${env.node} · ${raw.host}`,
    '',
    `Peers: ${peers || '(none started)'}. Simulators in their own process (${raw.customers} customers, ${raw.latencyMs} ms latency on every answer), each contender in its own process, load from autocannon in another; ` +
      `throughput at ${s.connections} connections for ${s.durationSeconds} s (autocannon, closed loop); latency at a fixed rate for ${s.durationSeconds} s (profile ${s.rate.profile} req/s; list ${s.rate.list} req/s, as 300 saturates every contender on the list; skipped as "saturated" when the round's closed-loop throughput stayed under 80 % of the rate), open loop (bench/gateway/open-loop.ts: sends on schedule whatever the answers do, latency from the scheduled time, up to ${s.rateConnections} connections; autocannon --overallRate sends in bursts and reported p99 39 ms against a server that always answers in 5 ms); ` +
      `${raw.options.rounds} rounds after a ${raw.options.warmupSeconds} s warm-up, contender order alternating, each run started once the simulators' counters stand still (a contender may keep calling upstream for requests its client gave up on); medians of rounds. Upstream requests per client request: ${raw.options.sequentialRequests} requests sent one at a time, counted by the simulators (token and WSDL fetches excluded); "under load" is the same count over the throughput runs. CPU ms per request: user + system time of the contender's processes during the throughput runs, per response. ` +
      `Peak RSS: VmRSS of the contender's process tree sampled every 100 ms while it ran that query. ${loadNote(raw.cells)} Raw: \`${file.slice(repoRoot.length + 1)}\``,
    '',
    resultsTable(rows, s.connections),
    '',
    `Throughput relative to Hive Gateway — profile: ${ratio('profile')}; list: ${ratio('list')}; profile, another customer each request: ${ratio('profile-distinct')}.`,
    '',
    cpuNote(rows),
    '',
    sharingNote(rows),
    '',
    processNote(raw.cells),
    '',
    'Goals for UniCS\'s live path (issue 4):',
    '',
    goalsTable(goalChecks(rows)),
    '',
    'Same data, different query shapes: UniCS and plain Apollo run the same query on the unified schema (`customer(id)` / `customers(ids)` with `profile`, `orders(first: 10) { items }`, `tickets`); ' +
      'Hive Gateway runs `contact(id)` / `contacts(ids)` of the composed CRM subgraph with `orders` and `tickets` joined by Mesh `@resolveTo` batch delegation. ' +
      'Before measuring, every contender\'s answer is compared field by field with the demo data (contact, orders with items, tickets); a contender that differs is not measured. ' +
      `UniCS runs \`unics.example.yaml\` pointed at the simulators without connector caches (the peers cache nothing) and logs at warn, with the node flags of \`npm start\` (${raw.unicsStartFlags?.length ? `\`${raw.unicsStartFlags.join(' ')}\`, docs/adr/0009` : 'none'}); Hive Gateway logs at error; all run with NODE_ENV=production.`,
    '',
    viewPathNote(all, raw.options.settings),
    '',
    failures.length ? `What failed:\n\n${failures.join('\n')}` : 'What failed: nothing.',
    '',
    'Hive Gateway setup (bench/peers/hive/README.md): `@omnigraph/soap` (Mesh\'s SOAP handler; 0.96.0 is the only version the registry serves) cannot be installed next to Apollo Server 5 ' +
      '(peer `@graphql-tools/utils` ^9 || ^10 against 12), so the Shop subgraph is its output generated once outside the tree, annotated with the SOAP 1.1 namespace and SOAPActions that today\'s `@graphql-mesh/transport-soap` needs, and executed by that transport; ' +
      'the CRM\'s OAuth2 token is fetched once at start and passed as a static bearer header; the warehouse (XML over HTTP) has no Mesh source handler, so neither query reads shipments.',
    '',
    changeLine(rows, file, raw.date),
  ].join('\n');
  updateResultsSection('gateway', 'Gateway: UniCS live path vs plain Apollo Server vs Hive Gateway', body);
  return body;
}
