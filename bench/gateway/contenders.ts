// How each contender of the gateway benchmark is started as its own process against the same simulators:
//   unics         node app/main.ts with UNICS_CONFIG = a generated config whose connectors target the simulators
//   plain-apollo  node bench/peers/plain-apollo/server.ts
//   hive          npx mesh-compose (bench/peers/hive/mesh.config.ts) once, then hive-gateway supergraph
// Every contender gets NODE_ENV=production and logs at warn or above, so per-request logging costs nobody.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/results.ts';
import type { DemoData } from '../../examples/legacy/demo-data.ts';
import type { ContenderName } from './queries.ts';
import { lastStats, type ProcessStats } from './process-stats.ts';
import { graphqlProbe, startService, type ServiceProcess } from './service-process.ts';
import { writeUnicsBenchConfig, unicsToken } from './unics-config.ts';
import { fillRedisViews, stackRedisUrl } from './view-contenders.ts';
import type { SourceName } from './upstream-counter.ts';

export interface ContenderContext {
  readonly sims: Readonly<Record<SourceName, string>>;
  readonly port: number;
  /** Where to write the run's generated files (UniCS config). */
  readonly workDir: string;
  /** Extra node flags for the contender (e.g. --cpu-prof). */
  readonly nodeOptions?: readonly string[];
  /** The simulators' data (the view contenders fill their views with it). */
  readonly data?: DemoData;
}

export interface RunningContender {
  readonly name: ContenderName;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly service: ServiceProcess;
  /** Versions of what runs, for the report. */
  readonly versions: Readonly<Record<string, string>>;
  /**
   * UniCS only: ends the process's current measurement window (process-probe.ts) and returns what the process
   * measured in it (event-loop delay, GC pauses), or undefined when the probe did not answer within 2 s.
   */
  readonly processStats?: () => Promise<ProcessStats | undefined>;
  /** Removes what the contender left outside its process (the Redis views of unics-views); after service.stop(). */
  readonly close?: () => Promise<void>;
}

/** Asks the probe in `pid` for its window (SIGUSR2) and waits for the line it appends to `file`. */
export function probeReader(pid: number, file: string): () => Promise<ProcessStats | undefined> {
  return async () => {
    const before = existsSync(file) ? readFileSync(file, 'utf8').length : 0;
    process.kill(pid, 'SIGUSR2');
    for (let waited = 0; waited < 2000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      if (text.length > before && text.endsWith('\n')) return lastStats(text);
    }
    return undefined;
  };
}

export const pkgVersion = (name: string): string => {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
};

const baseEnv = { NODE_ENV: 'production' };

/** The node flags of `npm start` (package.json "start": `node <flags> app/main.ts`), so UniCS runs here as it ships. Pure. */
export function startFlags(packageJson: string): string[] {
  const start = (JSON.parse(packageJson) as { scripts?: Record<string, string> }).scripts?.start ?? '';
  const m = /^node((?:\s+--\S+)*)\s+app\/main\.ts$/.exec(start.trim());
  if (!m) throw new Error(`package.json "start" should be "node [--flags] app/main.ts", but is ${JSON.stringify(start)}`);
  return m[1]!.split(/\s+/).filter(Boolean);
}

export const UNICS_START_FLAGS: readonly string[] = startFlags(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

async function crmToken(crm: string): Promise<string> {
  const res = await fetch(`${crm}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('unics-demo:demo-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (!res.ok) throw new Error(`CRM token request failed: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Composes bench/peers/hive/supergraph.graphql from the running simulators with Mesh Compose. */
export async function composeSupergraph(sims: Readonly<Record<SourceName, string>>): Promise<void> {
  const bin = join(repoRoot, 'node_modules', '@graphql-mesh', 'compose-cli', 'esm', 'bin.js');
  const child = spawn(process.execPath, [bin, '-c', join(repoRoot, 'bench', 'peers', 'hive', 'mesh.config.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', CRM_URL: sims.crm, SHOP_URL: sims.shop, HELPDESK_URL: sims.helpdesk },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`mesh-compose failed (exit ${code}):\n${out.slice(-3000)}`);
}

export async function startContender(name: ContenderName, ctx: ContenderContext): Promise<RunningContender> {
  const base = `http://127.0.0.1:${ctx.port}`;
  if (name === 'plain-apollo') {
    const url = `${base}/`;
    const service = await startService({
      name,
      args: [join(repoRoot, 'bench', 'peers', 'plain-apollo', 'server.ts')],
      env: { ...baseEnv, PORT: String(ctx.port), CRM_URL: ctx.sims.crm, SHOP_URL: ctx.sims.shop, HELPDESK_URL: ctx.sims.helpdesk, WMS_URL: ctx.sims.wms },
      ready: graphqlProbe(url),
      ...(ctx.nodeOptions ? { nodeOptions: ctx.nodeOptions } : {}),
    });
    return { name, url, headers: { 'content-type': 'application/json' }, service, versions: { '@apollo/server': pkgVersion('@apollo/server') } };
  }
  if (name === 'hive') {
    await composeSupergraph(ctx.sims);
    const url = `${base}/graphql`;
    const service = await startService({
      name,
      args: [
        join(repoRoot, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
        'supergraph',
        join(repoRoot, 'bench', 'peers', 'hive', 'supergraph.graphql'),
        '-c',
        join(repoRoot, 'bench', 'peers', 'hive', 'gateway.config.ts'),
        '--host',
        '127.0.0.1',
        '--port',
        String(ctx.port),
        '--fork',
        '1',
      ],
      // The CRM transport of the supergraph interpolates {env.CRM_TOKEN} into its Authorization header.
      env: { ...baseEnv, CRM_TOKEN: await crmToken(ctx.sims.crm) },
      ready: graphqlProbe(url),
      ...(ctx.nodeOptions ? { nodeOptions: ctx.nodeOptions } : {}),
    });
    return {
      name,
      url,
      headers: { 'content-type': 'application/json' },
      service,
      versions: {
        '@graphql-hive/gateway': pkgVersion('@graphql-hive/gateway'),
        '@graphql-mesh/compose-cli': pkgVersion('@graphql-mesh/compose-cli'),
        '@omnigraph/openapi': pkgVersion('@omnigraph/openapi'),
        '@graphql-mesh/transport-soap': pkgVersion('@graphql-mesh/transport-soap'),
        '@graphql-mesh/transport-rest': pkgVersion('@graphql-mesh/transport-rest'),
        '@omnigraph/soap (shop subgraph SDL)': '0.96.0, generated outside the tree',
      },
    };
  }
  if (name === 'unics-views' || name === 'unics-memory-views') return startUnicsWithViews(name, ctx);
  return startUnics(name, ctx, [join(repoRoot, 'app', 'main.ts')], writeUnicsBenchConfig(ctx.workDir, ctx.sims, ctx.port), 'demo');
}

/** UniCS as a process of its own (`args`: the entry and its arguments) on `configFile`, with the process probe. */
async function startUnics(name: ContenderName, ctx: ContenderContext, args: readonly string[], configFile: string, tenant: string, env: Record<string, string> = {}): Promise<RunningContender> {
  const token = await unicsToken(configFile, tenant);
  const url = `http://127.0.0.1:${ctx.port}/graphql`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  // The probe measures UniCS's own event-loop delay and GC pauses per run (process-probe.ts).
  const probeFile = join(ctx.workDir, `unics-probe-${ctx.port}.jsonl`);
  const service = await startService({
    name,
    args,
    env: { ...baseEnv, UNICS_CONFIG: configFile, PORT: String(ctx.port), LOG_LEVEL: 'warn', UNICS_BENCH_PROBE_FILE: probeFile, ...env },
    ready: graphqlProbe(url, { authorization: headers.authorization }),
    readyTimeoutMs: 180_000,
    nodeOptions: ['--import', join(repoRoot, 'bench', 'gateway', 'process-probe.ts'), ...UNICS_START_FLAGS, ...(ctx.nodeOptions ?? [])],
  });
  return { name, url, headers, service, versions: {}, processStats: probeReader(service.pid, probeFile) };
}

/**
 * UniCS's view path (view-contenders.ts): `unics-views` is `node app/main.ts` with views on, read from the stack's
 * Redis (filled first by view-fill.ts under a tenant of this run's own); `unics-memory-views` is the same server
 * with the same views in its process memory (unics-memory-views.ts).
 */
async function startUnicsWithViews(name: 'unics-views' | 'unics-memory-views', ctx: ContenderContext): Promise<RunningContender> {
  if (ctx.data === undefined) throw new Error(`${name} needs the demo data to fill its views`);
  const tenant = `bench${randomBytes(4).toString('hex')}`;
  if (name === 'unics-memory-views') {
    const configFile = writeUnicsBenchConfig(ctx.workDir, ctx.sims, ctx.port, { views: { tenant } });
    const env = { UNICS_BENCH_SIMS: JSON.stringify(ctx.sims), UNICS_BENCH_CUSTOMERS: String(ctx.data.contacts.length) };
    return startUnics(name, ctx, [join(repoRoot, 'bench', 'gateway', 'unics-memory-views.ts')], configFile, tenant, env);
  }
  const redisUrl = stackRedisUrl();
  if (redisUrl === undefined) throw new Error('needs Redis for its views: set REDIS_URL, or start the stack of this checkout (npm run stack -- up; a stack belongs to the checkout it was started from)');
  const filled = await fillRedisViews(redisUrl, tenant, ctx.sims, ctx.data);
  try {
    const configFile = writeUnicsBenchConfig(ctx.workDir, ctx.sims, ctx.port, { views: { tenant }, redisUrl });
    const running = await startUnics(name, ctx, [join(repoRoot, 'app', 'main.ts')], configFile, tenant);
    return { ...running, close: filled.clear };
  } catch (err) {
    await filled.clear();
    throw err;
  }
}
