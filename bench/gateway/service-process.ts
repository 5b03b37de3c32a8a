// A contender or the simulators as a child process: started with a clean environment, ready when a probe says so,
// stopped with SIGTERM (SIGKILL after a grace period). Its output is kept (the tail goes into error messages).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { repoRoot } from '../lib/results.ts';

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last few KB of stdout and stderr. */
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Resolves true when the service is ready; polled every 200 ms until readyTimeoutMs. */
  readonly ready: (output: string) => Promise<boolean> | boolean;
  readonly readyTimeoutMs?: number;
  readonly nodeOptions?: readonly string[];
}

const KEEP = 16 * 1024;

export async function startService(o: StartOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...(o.nodeOptions ?? []), ...o.args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...o.env },
  });
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-KEEP);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  const service: ServiceProcess = {
    name: o.name,
    pid: child.pid!,
    child,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${o.name} ${exited} before it was ready:\n${out.slice(-3000)}`);
    if (await Promise.resolve(o.ready(out)).catch(() => false)) return service;
    if (Date.now() > deadline) {
      await service.stop(1000);
      throw new Error(`${o.name} was not ready after ${o.readyTimeoutMs ?? 60_000} ms:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A readiness probe: a POST of `{ __typename }` to the GraphQL endpoint answers 200. */
export function graphqlProbe(url: string, headers: Readonly<Record<string, string>> = {}): () => Promise<boolean> {
  return async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 200;
  };
}
