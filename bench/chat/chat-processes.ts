// The processes of the chat benchmark: a chat server (the floor or UniCS, each its own process, started like
// `npm start` starts UniCS: the same node flags) and load processes (forked, spoken to over IPC), plus reading a
// server's RSS and its /stats.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/results.ts';
import { median } from '../lib/stats.ts';
import { treeCpuSeconds } from '../gateway/cpu-time.ts';
import { treeRssBytes } from '../gateway/rss-sampler.ts';
import { startService, type ServiceProcess } from '../gateway/service-process.ts';
import type { LoadCommand, LoadReply } from './load-protocol.ts';

export type ContenderName = 'floor' | 'unics';

export interface ChatServerProcess {
  readonly name: string;
  readonly url: string;
  readonly service: ServiceProcess;
  stats(): Promise<Record<string, unknown>>;
  /** Two full GCs in the server (it runs with --expose-gc), so memory reads see live memory; its heap used, bytes. */
  gc(): Promise<number>;
  /** CPU seconds (user + system) the server process used so far. */
  cpuSeconds(): number;
  /** Median of `samples` RSS reads `everyMs` apart, bytes. */
  rss(samples?: number, everyMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** The node flags of `npm start` (package.json), so both servers run as UniCS runs in production. */
export function startFlags(packageJson: string): string[] {
  const start = (JSON.parse(packageJson) as { scripts?: Record<string, string> }).scripts?.start ?? '';
  return start.split(/\s+/).filter((a) => a.startsWith('--'));
}
export const SERVER_NODE_FLAGS: readonly string[] = startFlags(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

const SCRIPTS: Readonly<Record<ContenderName, string>> = { floor: 'bench/chat/floor-server.ts', unics: 'bench/chat/unics-chat-server.ts' };

export async function startChatServer(name: ContenderName, env: Readonly<Record<string, string>>, label: string = name): Promise<ChatServerProcess> {
  const service = await startService({
    name: label,
    args: [join(repoRoot, SCRIPTS[name])],
    env,
    nodeOptions: [...SERVER_NODE_FLAGS, '--expose-gc', '--disable-warning=ExperimentalWarning'],
    ready: (out) => /listening \d+/.test(out),
    readyTimeoutMs: 120_000,
  });
  const port = /listening (\d+)/.exec(service.output())![1]!;
  const url = `http://127.0.0.1:${port}`;
  return {
    name: label,
    url,
    service,
    async stats() {
      const res = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(10_000) });
      return (await res.json()) as Record<string, unknown>;
    },
    async gc() {
      const res = await fetch(`${url}/gc`, { signal: AbortSignal.timeout(30_000) });
      return ((await res.json()) as { heapUsed: number }).heapUsed;
    },
    cpuSeconds: () => treeCpuSeconds(service.pid),
    async rss(samples = 5, everyMs = 200) {
      const reads: number[] = [];
      for (let i = 0; i < samples; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, everyMs));
        reads.push(treeRssBytes(service.pid));
      }
      return median(reads);
    },
    stop: () => service.stop(15_000),
  };
}

export interface LoadProcess {
  readonly pid: number;
  request<T>(command: LoadCommand): Promise<T>;
  /** Closes its sockets (terminate) and waits for it to exit. */
  close(): Promise<void>;
}

export function startLoadProcess(): LoadProcess {
  const child: ChildProcess = fork(join(repoRoot, 'bench/chat/load-client.ts'), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--disable-warning=ExperimentalWarning'],
  });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = `load process exited with ${code ?? signal}`;
      resolve();
    }),
  );
  let queue: Promise<unknown> = Promise.resolve();
  const ask = <T>(command: LoadCommand) =>
    new Promise<T>((resolve, reject) => {
      if (exit !== undefined) return reject(new Error(exit));
      const onExit = () => reject(new Error(exit ?? 'load process exited'));
      child.once('exit', onExit);
      child.once('message', (reply: LoadReply) => {
        child.off('exit', onExit);
        if (reply.ok) resolve(reply.result as T);
        else reject(new Error(`load process: ${reply.error}`));
      });
      child.send(command);
    });
  return {
    pid: child.pid!,
    request<T>(command: LoadCommand) {
      const next = queue.then(() => ask<T>(command));
      queue = next.catch(() => {});
      return next;
    },
    async close() {
      if (exit === undefined) {
        await this.request({ cmd: 'close' }).catch(() => {});
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** The soft limit on open files of this process (children inherit it), from /proc/self/limits. */
export function openFilesLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m === null || m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
}
