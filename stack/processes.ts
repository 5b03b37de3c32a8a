// Process plumbing for stack/: start detached services whose output goes to log files, check and stop them.
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartedProcess {
  readonly pid: number;
}

/**
 * Starts a long-running service in its own process group, detached from this process, with stdout and stderr
 * appended to `logFile`. The service outlives `npm run stack -- up`; `down` stops it by pid.
 */
export function startDetached(
  command: string,
  args: readonly string[],
  opts: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): StartedProcess {
  const fd = openSync(opts.logFile, 'a');
  try {
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    };
    if (opts.uid !== undefined) spawnOpts.uid = opts.uid;
    if (opts.gid !== undefined) spawnOpts.gid = opts.gid;
    const child = spawn(command, args, spawnOpts);
    if (child.pid === undefined) {
      throw new Error(`could not start ${command}: the operating system returned no process id (see ${opts.logFile})`);
    }
    child.on('error', () => { /* reported through the readiness check and the log file */ });
    child.unref();
    return { pid: child.pid };
  } finally {
    closeSync(fd);
  }
}

/** Runs a short command to completion without blocking the event loop; throws with its output when it fails. */
export function run(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string; what: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    let out = '';
    const collect = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.length > 1_000_000) out = out.slice(-500_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (err) => reject(new Error(`${opts.what} failed: could not run ${command}: ${err.message}`)));
    child.on('close', (code, sig) => {
      if (code === 0) return resolve(out);
      const tail = out.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${opts.what} failed (${command} exited with ${code ?? sig}):\n${tail}`));
    });
  });
}

/** Runs a short command to completion; throws with its output when it fails. */
export function runToCompletion(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string; what: string },
): string {
  const res = spawnSync(command, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  if (res.error) throw new Error(`${opts.what} failed: could not run ${command}: ${res.error.message}`);
  if (res.status !== 0) {
    const out = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${opts.what} failed (${command} exited with ${res.status ?? res.signal}):\n${out}`);
  }
  return `${res.stdout ?? ''}${res.stderr ?? ''}`;
}

/** Whether a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3 (after the parenthesised command name) is the state; Z is a zombie, X dead.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

function killGroup(pid: number): void {
  // Services run in their own process group (detached), so the group goes too: PostgreSQL backends, JVM helpers.
  try { process.kill(-pid, 'SIGKILL'); } catch { /* not a group leader or already gone */ }
  try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
}

/**
 * Stops a process: `graceful` (SIGTERM by default; PostgreSQL wants SIGINT for a fast shutdown) to the main
 * process, then SIGKILL to its whole group after `graceMs`. Resolves once it is gone.
 */
export async function stopProcess(
  pid: number,
  graceMs: number,
  graceful: NodeJS.Signals = 'SIGTERM',
): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isAlive(pid)) return 'not-running';
  try { process.kill(pid, graceful); } catch { /* gone already */ }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  killGroup(pid);
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  return 'killed';
}

/**
 * Pids of live processes whose command line mentions `needle` (the run directory). This finds what a killed
 * run left behind even when its state file is gone.
 */
export function findProcessesMentioning(needle: string): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(needle) && isAlive(pid)) found.push(pid);
    } catch {
      /* exited while we looked */
    }
  }
  return found;
}

/** Thrown from a `waitUntil` check to stop waiting at once (the condition can no longer become true). */
export class FatalWaitError extends Error {}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs` with `describe()`. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; describe: () => string; abortIf?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = opts.abortIf?.();
    if (reason !== undefined) throw new Error(reason);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof FatalWaitError) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${opts.describe()}${detail}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}

/** The last lines of a log file, for error messages. */
export function tailFile(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}
