// npm run bench -- chat [--quick] [--rounds=N] [--connections=N] [--load-processes=N] [--rate=N] [--duration=S]
//                       [--concurrency=N] [--only=floor,unics,multi] [--processes=N] [--store=postgres|pglite]
//                       [--fanout=redis|local] [--no-write]
//
// Issue 6's chat benchmark: idle memory per connection, fan-out latency (p50/p99) and messages/s persisted and
// delivered at N sockets in one server process, UniCS's chat core (bench/chat/unics-chat-server.ts: createChat over
// the stack's PostgreSQL in a schema of its own and the Redis pub/sub fan-out) next to a bare `ws` server doing the
// same work (floor-server.ts), rounds alternating the order after a warm-up in each process; then N sockets in each
// of 4 UniCS processes, every message crossing processes. Load from separate processes (load-client.ts). See README.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createStack } from '../../stack/stack.ts';
import { stackOptionsFromEnv } from '../../stack/stack-options.ts';
import { updateResultsSection } from '../lib/results-md.ts';
import { repoRoot, versions as unicsVersions, writeRawResults } from '../lib/results.ts';
import { openFilesLimit, SERVER_NODE_FLAGS, type ContenderName } from './chat-processes.ts';
import { chatSection } from './chat-report.ts';
import { runRound, type RoundResult, type RoundSettings, type RunContext } from './chat-round.ts';
import { runMultiProcess, type MultiResult } from './multi-process.ts';
import { BENCH_TENANT } from './bench-tenant.ts';
import { uncommittedCode } from '../gateway/uncommitted-code.ts';

export interface ChatBenchOptions {
  readonly quick: boolean;
  /** Print the section only (--quick, --no-write). */
  readonly write: boolean;
  readonly rounds: number;
  readonly only: readonly ('floor' | 'unics' | 'multi')[];
  readonly processes: number;
  readonly store: 'postgres' | 'pglite';
  readonly fanout: 'redis' | 'local';
  readonly settings: RoundSettings;
}

export function parseOptions(args: readonly string[]): ChatBenchOptions {
  const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const value = (name: string) => flag(name)?.split('=')[1];
  const quick = flag('quick') !== undefined;
  const num = (name: string, fallback: number, min = 1) => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`--${name} must be a whole number of at least ${min}, but got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = value(name) ?? fallback;
    if (!allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, but got ${JSON.stringify(v)}`);
    return v as T;
  };
  const all = ['floor', 'unics', 'multi'] as const;
  const only = (value('only')?.split(',').filter(Boolean) ?? [...all]) as ChatBenchOptions['only'][number][];
  const unknown = only.filter((o) => !all.includes(o));
  if (unknown.length) throw new Error(`--only: unknown part ${unknown.join(', ')}; choose from ${all.join(', ')}`);
  const connections = num('connections', quick ? 400 : 15_000, 2);
  return {
    quick,
    write: !quick && flag('no-write') === undefined,
    rounds: num('rounds', quick ? 1 : 2),
    only,
    processes: num('processes', 4),
    store: oneOf('store', ['postgres', 'pglite'], 'postgres'),
    fanout: oneOf('fanout', ['redis', 'local'], 'redis'),
    settings: {
      connections,
      loadProcesses: num('load-processes', quick ? 1 : 2),
      rate: num('rate', quick ? 200 : 1000),
      phaseMs: num('duration', quick ? 3 : 10) * 1000,
      rampMs: quick ? 1000 : 2000,
      throughputConcurrency: Math.min(num('concurrency', quick ? 100 : 2000), Math.floor(connections / 2)),
      minIntervalMs: 60,
      settleMs: quick ? 1000 : 3000,
      warmupConversations: quick ? 20 : 100,
    },
  };
}

/** DATABASE_URL / REDIS_URL, else the running stack's (`npm run stack -- env`); the stack is never started here. */
function stackUrls(): { databaseUrl: string; redisUrl: string } {
  let env: Partial<Record<string, string>> = {};
  if (!process.env.DATABASE_URL || !process.env.REDIS_URL) env = { ...createStack(stackOptionsFromEnv(process.env, repoRoot, () => {})).env() };
  const databaseUrl = process.env.DATABASE_URL ?? env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL ?? env.REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('bench chat: no PostgreSQL/Redis: start the stack (npm run stack -- up) or set DATABASE_URL and REDIS_URL; or use --store=pglite --fanout=local');
  return { databaseUrl, redisUrl };
}

function checkOpenFiles(o: ChatBenchOptions): void {
  const limit = openFilesLimit();
  const perLoader = Math.ceil(o.settings.connections / o.settings.loadProcesses);
  const worst = Math.max(o.settings.connections + 200, perLoader + 200);
  if (worst > limit) {
    throw new Error(`bench chat: ${worst} open files needed in one process (${o.settings.connections} sockets per server, ${perLoader} per load process), but the limit is ${limit}: lower --connections or raise --load-processes (ulimit -n)`);
  }
}

export async function main(args: readonly string[]): Promise<void> {
  const o = parseOptions(args);
  checkOpenFiles(o);
  const progress = (m: string) => process.stderr.write(`[chat ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  const loadBefore = loadavg();
  const dirty = uncommittedCode();
  const started = new Date();
  const hex = randomBytes(5).toString('hex');
  const schema = `chat_bench_${hex}`;
  const urls = o.store === 'postgres' || o.fanout === 'redis' ? stackUrls() : undefined;
  const visitorSecret = randomBytes(24).toString('hex');
  const agentSecret = randomBytes(24).toString('hex');
  const secrets = { CHAT_BENCH_VISITOR_SECRET: visitorSecret, CHAT_BENCH_AGENT_SECRET: agentSecret };
  const unicsEnv: Record<string, string> = { ...secrets, CHAT_BENCH_SCHEMA: schema, CHAT_BENCH_STORE: o.store, CHAT_BENCH_FANOUT: o.fanout, CHAT_BENCH_REDIS_PREFIX: `bench:chat:${hex}:` };
  if (urls) Object.assign(unicsEnv, { CHAT_BENCH_DATABASE_URL: urls.databaseUrl, CHAT_BENCH_REDIS_URL: urls.redisUrl });
  const pool = o.store === 'postgres' && urls ? new pg.Pool({ connectionString: urls.databaseUrl, max: 1 }) : undefined;
  const storedMessages = async (name: ContenderName) => {
    if (name !== 'unics' || pool === undefined) return undefined;
    const res = await pool.query<{ n: number }>(`select count(*)::int as n from ${schema}.messages`);
    return res.rows[0]!.n;
  };
  const ctx: RunContext = { settings: o.settings, tenant: BENCH_TENANT, visitorSecret, agentSecret, serverEnv: { floor: secrets, unics: unicsEnv }, storedMessages, progress };

  const rounds: RoundResult[] = [];
  let multi: MultiResult | undefined;
  const extra: Record<string, string> = {};
  try {
    const contenders = (['floor', 'unics'] as const).filter((c) => o.only.includes(c));
    for (let r = 0; r < o.rounds; r++) {
      const order = r % 2 === 0 ? contenders : [...contenders].reverse();
      for (const name of order) rounds.push(await runRound(name, `r${r + 1}`, ctx));
    }
    if (o.only.includes('multi')) multi = await runMultiProcess(o.processes, ctx);
    if (pool) extra.postgresql = (await pool.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v;
    if (urls && o.fanout === 'redis') {
      const redis = new Redis(urls.redisUrl, { maxRetriesPerRequest: 1 });
      extra.redis = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
      await redis.quit();
    }
  } finally {
    if (pool) {
      await pool.query(`drop schema if exists ${schema} cascade`).catch((err: unknown) => progress(`could not drop schema ${schema}: ${String(err)}`));
      await pool.end();
    }
  }

  const loadAfter = loadavg();
  const ws = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/ws/package.json'), 'utf8')) as { version: string }).version;
  const versions = unicsVersions({ ws, ...extra, ...(dirty.length ? { 'uncommitted changes at the start in': dirty.join(' ') } : {}) });
  const machine =
    `${cpus().length} cores, load average (1/5/15 min) ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start and ${loadAfter.map((l) => l.toFixed(2)).join(' / ')} at the end, ` +
    `open files per process ${openFilesLimit()}, server node flags \`${SERVER_NODE_FLAGS.join(' ')}\` (npm start's) for both`;
  const setup =
    `UniCS: the chat core alone (createChat with its default limits, no routing handlers), ${o.store === 'postgres' ? 'PostgreSQL from the stack (a schema of its own, pool of 10)' : 'PGlite in memory'}, ` +
    `${o.fanout === 'redis' ? 'Redis pub/sub fan-out (as several instances run; every message is also PUBLISHed)' : 'in-process fan-out'}, visitor tokens and agent JWTs (HS256) verified before the upgrade. ` +
    'Floor: a bare `ws` server (floor-server.ts) with the same HS256 token check (jose, same claims) before the upgrade, the same JSON frames, a message relayed to every participant of its conversation (the sender included, as UniCS confirms a send), in memory only. ' +
    'Idle memory: RSS of the server process after its warm-up, then after all sockets are open, joined and idle for a few seconds (each read after two forced full GCs, median of 5 reads), divided by the sockets; also the V8 heap used. ' +
    'Server CPU: user + system time of the server process per message sent (machine-independent-ish: the figure to compare on a shared machine). ' +
    'Latency: sender clock → the other participant, both sockets in the same load process.';
  const command = `npm run bench -- chat${args.length ? ` ${args.join(' ')}` : ''}`;
  const section = chatSection({
    command,
    date: started.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    versions,
    machine,
    settings: o.settings,
    setup,
    rounds,
    multi,
    changed: 'first entry: the benchmark and the chat core are new (issue 6).',
  });
  process.stdout.write(`\n${section}\n`);
  if (!o.write) {
    progress('--quick or --no-write: nothing written');
    return;
  }
  const file = writeRawResults('chat', { command, started: started.toISOString(), versions, machine, options: o, rounds, multi });
  updateResultsSection('chat', 'Chat core: idle memory, fan-out latency, messages/s (issue 6)', section);
  progress(`raw results: ${file}; bench/RESULTS.md updated`);
}
