// Load from a separate process: autocannon's CLI (--json) for closed-loop throughput; the open-loop generator
// (open-loop.ts) for latency at a fixed rate. Either way a child process, summarised here.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../lib/results.ts';
import type { ContenderName } from './queries.ts';

export interface LoadOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Fixed overall request rate, open loop (open-loop.ts); closed loop at full speed (autocannon) when absent. */
  readonly overallRate?: number;
  readonly timeoutSeconds?: number;
  /** Closed loop with the profile query of another customer in every request (varied-load.ts), for this contender. */
  readonly distinctProfilesFor?: ContenderName;
}

export interface LoadSummary {
  /** Responses per second over the run (autocannon requests.average). */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Responses received (2xx and others). */
  readonly responses: number;
  /** Socket errors, timeouts and non-2xx responses. */
  readonly errors: number;
  readonly durationSeconds: number;
}

interface AutocannonJson {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number; max: number };
  requests: { average: number; total: number };
}

/** The summary of autocannon's --json output (latencies are whole milliseconds in autocannon 9). */
export function summarizeAutocannon(json: unknown): LoadSummary {
  const r = json as Partial<AutocannonJson>;
  if (!r.latency || !r.requests || typeof r.duration !== 'number') throw new Error(`not an autocannon result: ${JSON.stringify(json).slice(0, 200)}`);
  return {
    rps: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    responses: r.requests.total,
    errors: (r.errors ?? 0) + (r.non2xx ?? 0),
    durationSeconds: r.duration,
  };
}

/** The autocannon command line for the options (without the node executable and script). */
export function autocannonArgs(o: LoadOptions): string[] {
  const args = ['--json', '--no-progress', '-c', String(o.connections), '-d', String(o.durationSeconds), '-t', String(o.timeoutSeconds ?? 10), '-m', 'POST', '-b', o.body];
  for (const [k, v] of Object.entries(o.headers)) args.push('-H', `${k}=${v}`);
  if (o.overallRate !== undefined) args.push('-R', String(o.overallRate));
  args.push(o.url);
  return args;
}

/** Runs the load in its own process (autocannon, or open-loop.ts with a fixed rate) and returns its summary. */
export function runLoad(o: LoadOptions): Promise<LoadSummary> {
  const args =
    o.overallRate !== undefined
      ? [join(repoRoot, 'bench', 'gateway', 'open-loop.ts'), JSON.stringify(o)]
      : o.distinctProfilesFor !== undefined
        ? [join(repoRoot, 'bench', 'gateway', 'varied-load.ts'), JSON.stringify(o)]
        : [join(repoRoot, 'node_modules', 'autocannon', 'autocannon.js'), ...autocannonArgs(o)];
  const parseOutput = (json: unknown) => (o.overallRate === undefined ? summarizeAutocannon(json) : (json as LoadSummary));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the load generator exited with ${code}: ${err.slice(-500)}`));
      try {
        resolve(parseOutput(JSON.parse(out.trim().split('\n').at(-1) ?? '')));
      } catch (e) {
        reject(new Error(`load generator output unreadable (${(e as Error).message}): ${out.slice(-300)} ${err.slice(-300)}`));
      }
    });
  });
}
