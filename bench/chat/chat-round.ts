// One round of one contender at N connections in one server process: start it, warm it up (a load process that
// connects a few conversations, sends, and goes), read its RSS, connect N sockets (N/2 conversations of a visitor
// and an agent) from separate load processes, let them idle, read the RSS again (idle memory per connection), then
// a latency phase at a fixed rate and a throughput phase (closed loop), counting what the server did meanwhile.
import { round } from '../lib/stats.ts';
import { startChatServer, startLoadProcess, type ChatServerProcess, type ContenderName, type LoadProcess } from './chat-processes.ts';
import { summarizePhase, type ConnectResult, type PhaseResult, type PhaseSummary } from './load-protocol.ts';

export interface RoundSettings {
  /** Sockets per server process. */
  readonly connections: number;
  readonly loadProcesses: number;
  /** Messages/s of the latency phase (all load processes together). */
  readonly rate: number;
  readonly phaseMs: number;
  /** Throughput: time before the counting window opens. */
  readonly rampMs: number;
  readonly throughputConcurrency: number;
  readonly minIntervalMs: number;
  readonly settleMs: number;
  readonly warmupConversations: number;
}

export interface RunContext {
  readonly settings: RoundSettings;
  readonly tenant: string;
  readonly visitorSecret: string;
  readonly agentSecret: string;
  /** Environment of each contender's server process. */
  readonly serverEnv: Readonly<Record<ContenderName, Readonly<Record<string, string>>>>;
  /** Messages stored so far (UniCS's table), for "persisted"; undefined for the floor. */
  readonly storedMessages: (name: ContenderName) => Promise<number | undefined>;
  readonly progress: (message: string) => void;
}

export interface RoundResult {
  readonly contender: ContenderName;
  readonly round: string;
  readonly connections: number;
  readonly failedConversations: number;
  readonly firstFailures: readonly string[];
  readonly connectSeconds: number;
  readonly baseRssMb: number;
  readonly idleRssMb: number;
  readonly perConnectionKb: number;
  /** V8 heap used (after full GCs) per socket, KB. */
  readonly heapPerConnectionKb: number;
  /** CPU time of the server process per message, ms (latency phase; throughput phase). */
  readonly cpuMsPerMessage: { readonly latency: number; readonly throughput: number };
  readonly latency: PhaseSummary;
  readonly throughput: PhaseSummary;
  /** Messages stored during both phases (UniCS: rows added to its table), undefined for the floor. */
  readonly persisted: number | undefined;
  /** Work per message of both phases, from the server's /stats (SQL statements, Redis PUBLISHes). */
  readonly work: Readonly<Record<string, number>>;
  readonly serverStats: Record<string, unknown>;
}

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const statCounts = (s: Record<string, unknown>) => {
  const sql = (s.sql ?? {}) as Record<string, unknown>;
  const redis = (s.redis ?? {}) as Record<string, unknown>;
  return { statements: num(sql.statements), transactions: num(sql.transactions), publishes: num(redis.publishes), frames: num(s.frames) };
};

/** Splits n into `parts` near-equal whole numbers. */
export const split = (n: number, parts: number): number[] => Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));

export async function connectAll(
  loaders: readonly LoadProcess[],
  conversations: readonly number[],
  urls: (i: number) => { visitorUrl: string; agentUrl: string },
  ctx: RunContext,
  idPrefix: string,
): Promise<ConnectResult> {
  const results = await Promise.all(
    loaders.map((l, i) =>
      l.request<ConnectResult>({
        cmd: 'connect',
        ...urls(i),
        conversations: conversations[i]!,
        idPrefix: `${idPrefix}l${i}`,
        tenant: ctx.tenant,
        visitorSecret: ctx.visitorSecret,
        agentSecret: ctx.agentSecret,
        concurrency: 32,
        timeoutMs: 60_000,
      }),
    ),
  );
  return {
    ready: results.reduce((n, r) => n + r.ready, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    firstFailures: results.flatMap((r) => r.firstFailures).slice(0, 5),
    ms: Math.max(...results.map((r) => r.ms)),
  };
}

export async function runPhases(loaders: readonly LoadProcess[], s: RoundSettings, tag: string, latencyRate = s.rate, cpu: () => number = () => 0) {
  const rates = split(latencyRate, loaders.length);
  const cpu0 = cpu();
  const latency = summarizePhase(
    await Promise.all(loaders.map((l, i) => l.request<PhaseResult>({ cmd: 'latency', phase: `L${tag}`, rate: rates[i]!, durationMs: s.phaseMs, drainMs: 10_000 }))),
  );
  const cpu1 = cpu();
  const slots = split(s.throughputConcurrency, loaders.length);
  const throughput = summarizePhase(
    await Promise.all(
      loaders.map((l, i) =>
        l.request<PhaseResult>({ cmd: 'throughput', phase: `T${tag}`, concurrency: slots[i]!, minIntervalMs: s.minIntervalMs, rampMs: s.rampMs, windowMs: s.phaseMs, drainMs: 10_000 }),
      ),
    ),
  );
  const cpu2 = cpu();
  const perMessage = (seconds: number, messages: number) => (messages > 0 ? round((seconds * 1000) / messages, 3) : Number.NaN);
  return { latency, throughput, cpuMsPerMessage: { latency: perMessage(cpu1 - cpu0, latency.sent), throughput: perMessage(cpu2 - cpu1, throughput.sent) } };
}

export async function runRound(name: ContenderName, label: string, ctx: RunContext): Promise<RoundResult> {
  const s = ctx.settings;
  const tag = `${label.replace(/\W/g, '')}${name[0]}`;
  let server: ChatServerProcess | undefined;
  const loaders: LoadProcess[] = [];
  try {
    server = await startChatServer(name, ctx.serverEnv[name]);
    const urls = () => ({ visitorUrl: server!.url, agentUrl: server!.url });
    ctx.progress(`${name} ${label}: warm-up`);
    const warm = startLoadProcess();
    try {
      await connectAll([warm], [s.warmupConversations], urls, ctx, `${tag}w`);
      await runPhases([warm], { ...s, phaseMs: Math.min(s.phaseMs, 2000), throughputConcurrency: s.warmupConversations }, `${tag}w`, Math.min(s.rate, 200));
    } finally {
      await warm.close();
    }
    await sleep(1000);
    const baseHeap = await server.gc();
    const baseRss = await server.rss();

    ctx.progress(`${name} ${label}: connecting ${s.connections} sockets from ${s.loadProcesses} load processes`);
    for (let i = 0; i < s.loadProcesses; i++) loaders.push(startLoadProcess());
    const connected = await connectAll(loaders, split(Math.floor(s.connections / 2), s.loadProcesses), urls, ctx, tag);
    await sleep(s.settleMs);
    const idleHeap = await server.gc();
    const idleRss = await server.rss();
    const before = statCounts(await server.stats());
    const storedBefore = await ctx.storedMessages(name);

    ctx.progress(`${name} ${label}: ${connected.ready * 2} sockets open; latency at ${s.rate}/s, then throughput`);
    const { latency, throughput, cpuMsPerMessage } = await runPhases(loaders, s, tag, s.rate, () => server!.cpuSeconds());
    const storedAfter = await ctx.storedMessages(name);
    const serverStats = await server.stats();
    const after = statCounts(serverStats);
    const messages = latency.sent + throughput.sent;
    const per = (k: keyof typeof after) => (messages > 0 ? round((after[k] - before[k]) / messages, 2) : 0);
    const sockets = connected.ready * 2;
    return {
      contender: name,
      round: label,
      connections: sockets,
      failedConversations: connected.failed,
      firstFailures: connected.firstFailures,
      connectSeconds: round(connected.ms / 1000, 1),
      baseRssMb: round(baseRss / MB, 1),
      idleRssMb: round(idleRss / MB, 1),
      perConnectionKb: sockets > 0 ? round((idleRss - baseRss) / 1024 / sockets, 2) : Number.NaN,
      heapPerConnectionKb: sockets > 0 ? round((idleHeap - baseHeap) / 1024 / sockets, 2) : Number.NaN,
      cpuMsPerMessage,
      latency,
      throughput,
      persisted: storedBefore === undefined || storedAfter === undefined ? undefined : storedAfter - storedBefore,
      work: name === 'unics' ? { sqlStatements: per('statements'), sqlTransactions: per('transactions'), redisPublishes: per('publishes') } : { framesIn: per('frames') },
      serverStats,
    };
  } finally {
    await Promise.all(loaders.map((l) => l.close()));
    await server?.stop();
  }
}
