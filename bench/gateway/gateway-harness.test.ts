// The gateway benchmark's harness pieces, without running the benchmark: query builders and answer comparison,
// autocannon summaries, RSS parsing and sampling, upstream counting, the report, the peers' pure parts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { shopSubgraphSdl } from '../peers/hive/shop-subgraph.ts';
import { getOrdersEnvelope, parseOrdersEnvelope, parseShipments } from '../peers/plain-apollo/upstream-parsers.ts';
import { repoRoot } from '../lib/results.ts';
import { autocannonArgs, summarizeAutocannon } from './autocannon-run.ts';
import { areaOf, summarizeCpuProfile } from './cpu-profile-summary.ts';
import { parseStatCpuTicks } from './cpu-time.ts';
import { parseOptions } from './gateway.bench.ts';
import { schedule, summarizeOpenLoop } from './open-loop.ts';
import { canonicalAnswer, expectedAnswer, firstDifference, LIST_IDS, requestBody } from './queries.ts';
import { goalChecks, median, resultsTable, summarize, type Cell } from './report.ts';
import { gcTotals, lastStats, processStatsTable, summarizeGc, type ProcessStats } from './process-stats.ts';
import { processNote } from './results-section.ts';
import { createRssSampler, parseVmRssKb } from './rss-sampler.ts';
import { unicsBenchConfig } from './unics-config.ts';
import { foldersOf } from './uncommitted-code.ts';
import { distinctBodies } from './varied-load.ts';
import { perClientRequest, workRequests } from './upstream-counter.ts';

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as unknown;
const data = generateDemoData({ customers: 10_000 });

describe('gateway bench queries', () => {
  it('builds parseable queries for each contender and query', () => {
    for (const c of ['unics', 'plain-apollo', 'hive'] as const) {
      for (const q of ['profile', 'list', 'profile-distinct'] as const) {
        const body = JSON.parse(requestBody(c, q)) as { query: string; variables: Record<string, unknown> };
        expect(() => parse(body.query)).not.toThrow();
        expect(Object.values(body.variables)[0]).toEqual(q === 'list' ? LIST_IDS : 'C000001');
      }
    }
    expect(LIST_IDS).toHaveLength(50);
    const distinct = distinctBodies('hive', 3, 8999).map((b) => (JSON.parse(b) as { variables: { id: string } }).variables.id);
    expect(distinct).toEqual(['C009000', 'C000001', 'C000002']);
    expect(distinctBodies('unics', 1)[0]).toBe(requestBody('unics', 'profile'));
    expect(requestBody('unics', 'profile')).toBe(requestBody('plain-apollo', 'profile'));
  });

  it('reads recorded answers of differently shaped schemas into the same canonical customers, equal to the demo data', () => {
    const expected = expectedAnswer(data, 'profile');
    expect(expected[0]!.orders).toHaveLength(5);
    expect(expected[0]!.tickets.map((t) => t.id)).toEqual(['T0000001', 'T0000002']);
    const hive = canonicalAnswer('hive', fixture('profile-answer.hive.json'));
    const apollo = canonicalAnswer('plain-apollo', fixture('profile-answer.plain-apollo.json'));
    expect(firstDifference(hive, expected)).toBeNull();
    expect(firstDifference(apollo, expected)).toBeNull();
  });

  it('names the first difference and refuses answers with errors', () => {
    const expected = expectedAnswer(data, 'profile');
    const changed = structuredClone(expected);
    changed[0]!.orders[2]!.items[0]!.quantity += 1;
    expect(firstDifference(changed, expected)).toMatch(/^\$\[0\]\.orders\[2\]\.items\[0\]\.quantity: \d+, expected \d+$/);
    expect(() => canonicalAnswer('unics', { errors: [{ message: 'boom' }], data: null })).toThrow('unics: 1 GraphQL error(s), first: boom');
  });
});

describe('gateway bench load and sampling', () => {
  it('summarises autocannon JSON and builds its command line', () => {
    const s = summarizeAutocannon({ duration: 10, errors: 1, timeouts: 2, non2xx: 3, latency: { p50: 4, p99: 20, max: 50 }, requests: { average: 99, total: 1000 } });
    expect(s).toEqual({ rps: 100, p50Ms: 4, p99Ms: 20, maxMs: 50, responses: 1000, errors: 4, durationSeconds: 10 });
    const args = autocannonArgs({ url: 'http://x/graphql', body: '{}', headers: { authorization: 'Bearer a.b.c' }, connections: 100, durationSeconds: 10, overallRate: 300 });
    expect(args).toEqual(expect.arrayContaining(['-c', '100', '-R', '300', '-H', 'authorization=Bearer a.b.c']));
    expect(args.at(-1)).toBe('http://x/graphql');
    expect(() => summarizeAutocannon({ nope: true })).toThrow('not an autocannon result');
  });

  it('parses VmRSS and keeps the peak per phase', () => {
    expect(parseVmRssKb('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n')).toBe(123456);
    expect(parseVmRssKb('Name:\tkworker\n')).toBeUndefined();
    const readings = [10, 50, 30, 70, 20];
    const sampler = createRssSampler(1, 60_000, () => readings.shift() ?? 0);
    sampler.setPhase('profile throughput 1'); // samples 50 into "start"
    sampler.setPhase('list throughput 1'); // samples 30 into "profile throughput 1"
    sampler.stop(); // samples 70 into "list throughput 1"
    expect(sampler.peak('profile ')).toBe(30);
    expect(sampler.peak('list ')).toBe(70);
    expect(sampler.peak()).toBe(70);
  });

  it('schedules the open loop evenly and counts what did not come back as errors', () => {
    expect(schedule(300, 2)).toHaveLength(600);
    expect(schedule(4, 1)).toEqual([0, 250, 500, 750]);
    const s = summarizeOpenLoop([5, 6, 7, 100], 1, 6, 2);
    expect(s).toMatchObject({ rps: 2, p50Ms: 6, p99Ms: 100, maxMs: 100, responses: 5, errors: 2 });
  });

  it('reads CPU ticks from /proc/<pid>/stat, command names with spaces and parens included', () => {
    const stat = '4242 (node (main) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 1234 56 0 0 20 0 11 0 500 1000 200';
    expect(parseStatCpuTicks(stat)).toBe(1290);
    expect(parseStatCpuTicks('1 (x) S')).toBeUndefined();
  });

  it('counts upstream work without set-up routes', () => {
    expect(workRequests({ byRoute: { 'POST /oauth/token': 3, 'GET /contacts/:id': 10, 'GET wsdl': 1, 'SOAP GetOrdersByCustomer': 4 } })).toBe(14);
    const per = perClientRequest({ crm: 10, shop: 10, helpdesk: 5, wms: 0 }, 10);
    expect(per).toEqual({ perSource: { crm: 1, shop: 1, helpdesk: 0.5, wms: 0 }, total: 2.5, sourcesTouched: 3 });
  });

  it('names the code folders with uncommitted changes', () => {
    expect(foldersOf(' M gateway/create-gateway.ts\n?? gateway/new.ts\nR  schema/a.ts -> schema/b.ts\n')).toEqual(['gateway/', 'schema/']);
    expect(foldersOf('')).toEqual([]);
  });

  it('parses its options', () => {
    expect(parseOptions(['--quick']).settings.durationSeconds).toBe(2);
    expect(parseOptions(['--only=unics,hive', '--rounds=3']).contenders).toEqual(['unics', 'hive']);
    expect(() => parseOptions(['--only=apollo-router'])).toThrow('--only: unknown contender apollo-router');
    expect(parseOptions(['--unics-node-flags=--max-semi-space-size=16  --max-old-space-size=1024']).unicsNodeFlags).toEqual(['--max-semi-space-size=16', '--max-old-space-size=1024']);
    expect(parseOptions([]).unicsNodeFlags).toEqual([]);
  });
});

describe('gateway bench report', () => {
  const up = (crm: number, shop: number, helpdesk: number) => ({ crm, shop, helpdesk, wms: 0 });
  const cell = (contender: Cell['contender'], rps: number, p99: number, rssMb: number, upstream = up(10, 10, 10)): Cell => ({
    contender,
    query: 'profile',
    throughput: [1, 2].map((round) => ({ round, rps: rps + round, p50Ms: 5, p99Ms: 9, errors: 0, responses: 100, upstream: up(100, 100, 100), cpuMsPerRequest: 1.5 })),
    rate: [1, 2].map((round) => ({ round, targetRps: 300, achievedRps: 300, p50Ms: 3, p99Ms: p99 + round, errors: 0 })),
    sequential: { requests: 10, upstream },
    peakRssBytes: rssMb * 1024 * 1024,
  });

  it('computes medians, ratios against Hive and the goals', () => {
    expect([median([3, 1, 2]), median([4, 1]), median([])]).toEqual([2, 2.5, Number.NaN]);
    const rows = [cell('unics', 999, 20, 300), cell('hive', 99, 100, 400, up(10, 10, 20)), { ...cell('plain-apollo', 0, 0, 0), failure: 'did not start' }].map(summarize);
    expect(rows[0]!.rps).toBe(1000.5); // the mean of the two rounds, 1000 and 1001
    const table = resultsTable(rows, 32);
    expect(table).toContain('| profile (1 customer) | UniCS |');
    expect(table).toContain('| plain Apollo Server | failed |');
    const goals = goalChecks(rows);
    expect(goals.find((g) => g.goal.includes('(profile)') && g.goal.startsWith('throughput'))).toMatchObject({ met: true, value: '9.96×' }) // 1000.5 / 100.5;
    expect(goals.find((g) => g.goal.startsWith('p99'))).toMatchObject({ met: true, value: '21.5 ms', goal: 'p99 ≤ 30 ms on the profile query at 300 req/s' });
    expect(table).toContain('| 3 / 21.5 @300 req/s (achieved 300) |');
    const saturated = summarize({ ...cell('plain-apollo', 5, 0, 0), rate: [{ round: 1, targetRps: 20, achievedRps: Number.NaN, p50Ms: Number.NaN, p99Ms: Number.NaN, errors: 0, saturatedAtRps: 6 }] });
    expect(saturated.saturated).toBe(true);
    expect(resultsTable([saturated], 32)).toContain('saturated (< 16 req/s closed loop)');
    expect(goals.find((g) => g.goal.startsWith('peak RSS'))).toMatchObject({ met: false });
    expect(goals.find((g) => g.goal.includes('sources touched (profile)'))).toMatchObject({ met: true, value: '3 for 3 sources' });
    expect(goals.find((g) => g.goal.includes('(list)') && g.goal.startsWith('throughput'))).toMatchObject({ met: undefined });
  });
});

describe('gateway bench peers and config', () => {
  it('completes the SOAP handler output for the SOAP transport', () => {
    const sdl = shopSubgraphSdl(readFileSync(join(repoRoot, 'bench', 'peers', 'hive', 'shop-subgraph.graphql'), 'utf8'), 'http://127.0.0.1:9/shop');
    expect(sdl).toContain('schema @transport(kind: "soap", subgraph: "shop", location: "http://127.0.0.1:9/shop") {');
    expect(sdl).toContain('soapAction: "http://legacy.example.com/shop/GetOrdersByCustomer", soapNamespace: "http://schemas.xmlsoap.org/soap/envelope/", subgraph: "shop")');
    expect(sdl).not.toContain('endpoint: "http://127.0.0.1:17102/shop"');
    expect(() => parse(sdl)).not.toThrow();
  });

  it('parses the Shop and warehouse answers the plain Apollo peer receives (recorded fixtures)', async () => {
    const xml = readFileSync(join(repoRoot, 'connectors', 'soap', 'fixtures', 'get-orders-by-customer.response.xml'), 'utf8');
    const orders = await parseOrdersEnvelope(xml);
    expect(orders.map((o) => o.items.length)).toEqual([3, 2, 4, 2, 4, 1]);
    expect(orders[0]).toMatchObject({ id: 'O0000001', customerNo: 'K0000156', status: 'shipped', totalCents: 23450, currency: 'CNY' });
    expect(orders[5]!.payment).toBeNull();
    const shipments = await parseShipments(readFileSync(join(repoRoot, 'connectors', 'xml', 'fixtures', 'wms-shipments-batch.xml'), 'utf8'));
    expect(shipments.map((s) => [s.shipmentNo, s.carrier, s.status])).toEqual([
      ['0010000012', 'SF Express', 'in_transit'],
      ['0010000009', 'SF Express', 'delivered'],
      ['0010000002', 'UPS', 'delivered'],
      ['0010000001', 'DHL', 'delivered'],
    ]);
    expect(shipments[0]!.deliveredAt).toBeNull();
    expect(getOrdersEnvelope('K<1>')).toContain('<customerNo>K&#60;1&#62;</customerNo>');
  });

  it('points the example config at the simulators without connector caches', () => {
    const example = readFileSync(join(repoRoot, 'unics.example.yaml'), 'utf8');
    const config = unicsBenchConfig(example, { crm: 'http://127.0.0.1:9001', shop: 'http://127.0.0.1:9002', helpdesk: 'http://127.0.0.1:9003', wms: 'http://127.0.0.1:9004' }, 4321);
    const text = JSON.stringify(config);
    expect(text).not.toContain(':7001');
    expect(text).toContain('http://127.0.0.1:9002/shop?wsdl');
    expect(text).not.toContain('cacheTtl');
    expect(text).not.toContain('${CRM_SECRET}');
    expect(config.server).toMatchObject({ port: 4321 });
  });

  it('summarises a CPU profile by area', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
        { id: 2, callFrame: { functionName: 'execute', url: 'file:///r/node_modules/graphql/execution/execute.js', lineNumber: 9 }, children: [5] },
        { id: 5, callFrame: { functionName: 'writeUtf8String', url: '', lineNumber: -1 } },
        { id: 3, callFrame: { functionName: 'load', url: 'file:///r/connectors/rest/rest-connector.ts', lineNumber: 0 } },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
      ],
      samples: [1, 2, 2, 3, 4, 5],
      timeDeltas: [1000, 2000, 2000, 1000, 500, 300],
      startTime: 0,
      endTime: 6800,
    };
    const s = summarizeCpuProfile(profile);
    expect(s.totalMs).toBe(6.8);
    expect(s.nativeByCaller).toEqual([{ native: 'writeUtf8String', caller: 'execute execution/execute.js:10', ms: 0.3 }]);
    expect(s.byArea[0]).toMatchObject({ area: 'graphql', ms: 4 });
    expect(s.byArea.map((a) => a.area)).toEqual(['graphql', 'idle', 'unics connectors/', 'GC', 'V8/native']);
    expect(s.topFunctions[0]!.fn).toBe('execute execution/execute.js:10');
    expect(areaOf('file:///r/node_modules/@apollo/server/dist/esm/x.js', 'f')).toBe('@apollo/server');
    expect(areaOf('node:internal/deps/undici/undici', 'f')).toBe('node:undici');
  });
});

describe('gateway bench: what the UniCS process measured itself', () => {
  const stats: ProcessStats = {
    windowMs: 10_000,
    eventLoopDelayMs: { p50: 10.4, p99: 24.2, max: 41 },
    gc: summarizeGc([
      { kind: 1, durationMs: 3.04 },
      { kind: 1, durationMs: 12.51 },
      { kind: 2, durationMs: 20 },
      { kind: 4, durationMs: 1 },
      { kind: 99, durationMs: 500 }, // unknown kinds are not counted
    ]),
    memoryMb: { rss: 230.4, heapTotal: 120, heapUsed: 80.2, external: 12 },
  };

  it('sums GC pauses by kind and in all', () => {
    expect(stats.gc).toEqual({ minor: { count: 2, totalMs: 15.6, maxMs: 12.5 }, major: { count: 1, totalMs: 20, maxMs: 20 }, incremental: { count: 1, totalMs: 1, maxMs: 1 } });
    expect(gcTotals(stats)).toEqual({ count: 4, totalMs: 36.6, maxMs: 20 });
  });

  it('reads the last complete line the probe wrote', () => {
    expect(lastStats(`${JSON.stringify({ ...stats, windowMs: 1 })}\n${JSON.stringify(stats)}\n`)).toEqual(stats);
    expect(lastStats('')).toBeUndefined();
    expect(lastStats('{"windowMs":')).toBeUndefined();
  });

  it('puts each fixed-rate profile run of UniCS beside its p99 in the results', () => {
    expect(processStatsTable([{ label: 'profile @300 req/s, round 1', p99Ms: 55.55, stats }])).toContain('| profile @300 req/s, round 1 | 55.6 | 24.2 / 41 | 4, 36.6, 0.4 % | 12.5 / 20 | 80.2 / 230.4 |');
    const cell: Cell = {
      contender: 'unics',
      query: 'profile',
      throughput: [],
      rate: [{ round: 2, targetRps: 300, achievedRps: 300, p50Ms: 20, p99Ms: 40, errors: 0, process: stats, simulators: { ...stats, eventLoopDelayMs: { p50: 1, p99: 9, max: 33 } } }],
      peakRssBytes: 0,
    };
    expect(processNote([cell])).toContain('| profile @300 req/s, round 2: UniCS | 40 | 24.2 / 41 |');
    expect(processNote([cell])).toContain("| profile @300 req/s, round 2: the simulators' process | 40 | 9 / 33 |");
    expect(processNote([{ ...cell, rate: [] }])).toBe('');
  });
});
