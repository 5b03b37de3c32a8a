// npm run bench -- connectors
//
// What the connector layer saves the legacy systems, counted at the upstream (the simulators' request counters)
// and timed at the client. The CRM simulator runs in its own process (`npm run legacy`, 2 ms latency); the
// contenders run here, one after the other, alternating order, after a warm-up:
//
//   identical: 1,000 concurrent loads of the same contact
//     - unics: the resilient connector (singleflight, no cache: the cache would hide what singleflight does)
//     - naive: the same REST adapter without the resilience wrapper (one request per call)
//   batch: 500 loads of different contacts in one tick
//     - unics: a per-request DataLoader over the resilient connector (one batch window)
//     - naive: the REST adapter called once per key
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createLogger, systemClock } from '../../common/index.ts';
import { builtinConnectorKinds, createConnectorEmitter, createConnectorRegistry, createEntityLoader, loadConnectors, type Connector } from '../../connectors/index.ts';
import { restKind } from '../../connectors/rest/index.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { freePort } from '../../stack/ports.ts';
import { markdownTable, median, percentile, round } from '../lib/stats.ts';
import { repoRoot, versions, writeRawResults } from '../lib/results.ts';
import { updateResultsSection } from '../lib/results-md.ts';

const ROUNDS = 3;
const CUSTOMERS = 10_000;
const LATENCY_MS = 2;

interface RoundResult {
  scenario: 'identical' | 'batch';
  contender: 'unics' | 'naive';
  round: number;
  clientCalls: number;
  upstreamRequests: number;
  errors: number;
  wallMs: number;
  p50Ms: number;
  p99Ms: number;
}

async function startUpstream(): Promise<{ child: ChildProcess; base: string; stop(): Promise<void> }> {
  // Four consecutive free ports are likely around a free one; the CLI fails clearly if not.
  const basePort = await freePort();
  const child = spawn(process.execPath, [join(repoRoot, 'examples/legacy/cli.ts'), '--customers', String(CUSTOMERS), '--latency', String(LATENCY_MS), '--base-port', String(basePort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the legacy simulators exited with ${code}`)));
    child.stdout!.on('data', () => out.includes('Warehouse') && resolve());
  });
  return {
    child,
    base: `http://127.0.0.1:${basePort}`,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function upstreamRequests(base: string): Promise<number> {
  return ((await (await fetch(`${base}/__sim/stats`)).json()) as { byRoute: Record<string, number> }).byRoute['GET /contacts:batch'] ?? 0;
}

async function resetUpstream(base: string): Promise<void> {
  await fetch(`${base}/__sim/reset`, { method: 'POST' });
}

function definition(base: string) {
  return {
    name: 'crm',
    kind: 'rest',
    endpoint: `${base}/api/v1`,
    auth: { type: 'oauth2-client-credentials', tokenUrl: `${base}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret' },
    timeout: '10s',
    concurrency: 64,
    maxQueue: 10_000,
    entities: { contact: { maxBatchSize: 500, batch: { method: 'GET', path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } } },
  };
}

async function timed(calls: Array<() => Promise<boolean>>): Promise<{ wallMs: number; latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    calls.map(async (call) => {
      const s = performance.now();
      const ok = await call().catch(() => false);
      latencies.push(performance.now() - s);
      if (!ok) errors++;
    }),
  );
  return { wallMs: performance.now() - t0, latencies, errors };
}

export async function main(): Promise<void> {
  const data = generateDemoData({ customers: CUSTOMERS });
  const upstream = await startUpstream();
  const log = createLogger({ level: 'silent' });
  const registry = createConnectorRegistry(builtinConnectorKinds);
  const loaded = await loadConnectors([definition(upstream.base)], { registry, log, clock: systemClock, events: createConnectorEmitter() });
  const unics = loaded.connectors.get('crm')!;
  const { kind: _kind, timeout: _timeout, concurrency: _concurrency, maxQueue: _maxQueue, ...restOnly } = definition(upstream.base);
  const naive: Connector = restKind.create(restKind.configSchema.parse(restOnly), { log, clock: systemClock });
  const peakRss = { value: 0 };
  const sampler = setInterval(() => (peakRss.value = Math.max(peakRss.value, process.memoryUsage().rss)), 50);
  const results: RoundResult[] = [];
  try {
    const ctx = () => ({ tenant: 'bench', signal: AbortSignal.timeout(30_000) });
    const one = data.contacts[0]!.id;
    const keys500 = data.contacts.slice(100, 600).map((c) => c.id);
    const ok = (r: { status: string } | undefined) => r?.status === 'ok';

    const scenarios = {
      identical: {
        unics: () => Array.from({ length: 1000 }, () => async () => ok((await unics.load('contact', [one], ctx())).get(one))),
        naive: () => Array.from({ length: 1000 }, () => async () => ok((await naive.load('contact', [one], ctx())).get(one))),
      },
      batch: {
        unics: () => {
          const loader = createEntityLoader(unics, 'contact', ctx());
          return keys500.map((k) => async () => (await loader.load(k)) !== null);
        },
        naive: () => keys500.map((k) => async () => ok((await naive.load('contact', [k], ctx())).get(k))),
      },
    } as const;

    for (let round = 0; round <= ROUNDS; round++) {
      for (const scenario of ['identical', 'batch'] as const) {
        const order = round % 2 === 0 ? (['unics', 'naive'] as const) : (['naive', 'unics'] as const);
        for (const contender of order) {
          await resetUpstream(upstream.base);
          const calls = scenarios[scenario][contender]();
          const { wallMs, latencies, errors } = await timed(calls);
          const up = await upstreamRequests(upstream.base);
          if (round === 0) continue; // warm-up
          results.push({ scenario, contender, round, clientCalls: calls.length, upstreamRequests: up, errors, wallMs: round2(wallMs), p50Ms: round2(percentile(latencies, 50)), p99Ms: round2(percentile(latencies, 99)) });
          process.stderr.write(`round ${round} ${scenario} ${contender}: ${up} upstream requests for ${calls.length} calls, ${round2(wallMs)} ms, ${errors} errors\n`);
        }
      }
    }
  } finally {
    clearInterval(sampler);
    await loaded.close();
    await naive.close();
    await upstream.stop();
  }

  const rows = (['identical', 'batch'] as const).flatMap((scenario) =>
    (['unics', 'naive'] as const).map((contender) => {
      const rs = results.filter((r) => r.scenario === scenario && r.contender === contender);
      return {
        scenario: scenario === 'identical' ? '1,000 concurrent identical loads' : '500 distinct loads in one tick',
        contender: contender === 'unics' ? 'UniCS connector' : 'adapter without resilience/batching',
        'upstream requests (median)': median(rs.map((r) => r.upstreamRequests)),
        'upstream req per client call': round(median(rs.map((r) => r.upstreamRequests)) / rs[0]!.clientCalls, 4),
        'wall ms (median)': round(median(rs.map((r) => r.wallMs)), 1),
        'p50 ms': round(median(rs.map((r) => r.p50Ms)), 1),
        'p99 ms': round(median(rs.map((r) => r.p99Ms)), 1),
        errors: rs.reduce((s, r) => s + r.errors, 0),
      };
    }),
  );
  const ratio = (scenario: string) => {
    const u = rows.find((r) => r.scenario.startsWith(scenario) && r.contender.startsWith('UniCS'))!;
    const n = rows.find((r) => r.scenario.startsWith(scenario) && !r.contender.startsWith('UniCS'))!;
    return { upstream: round(n['upstream requests (median)'] / Math.max(1, u['upstream requests (median)']), 1), wall: round(n['wall ms (median)'] / u['wall ms (median)'], 1) };
  };
  const summary = { identical: ratio('1,000'), batch: ratio('500') };
  const env = versions({ undici: '8', crmSimulatorLatencyMs: String(LATENCY_MS) });
  const file = writeRawResults('connectors', { date: new Date().toISOString(), versions: env, rounds: ROUNDS, results, rows, summary, peakRssMb: round(peakRss.value / 1024 / 1024, 1) });
  const section = [
    `Command: \`npm run bench -- connectors\` · ${new Date().toISOString().slice(0, 10)} · UniCS ${env.unics} · Node ${env.node} · CRM simulator in a separate process with ${LATENCY_MS} ms latency · ${ROUNDS} rounds after a warm-up, order alternating · raw: \`${file.slice(repoRoot.length + 1)}\``,
    '',
    markdownTable(rows),
    '',
    `1,000 concurrent identical loads: UniCS sends ${summary.identical.upstream}× fewer upstream requests and finishes ${summary.identical.wall}× faster. ` +
      `500 distinct loads in one tick: ${summary.batch.upstream}× fewer upstream requests, ${summary.batch.wall}× faster. Peak RSS of the client process: ${round(peakRss.value / 1024 / 1024, 1)} MB.`,
  ].join('\n');
  updateResultsSection('connectors', 'Connectors: singleflight and batching', section);
  process.stdout.write(`${section}\n`);
}

function round2(n: number): number {
  return round(n, 2);
}
