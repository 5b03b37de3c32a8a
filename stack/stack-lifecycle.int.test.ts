// The stack CLI as a user runs it, on its own run directory (not the shared test stack): up, idempotent up,
// recovery from a killed service, down leaving no process behind, and a clear error for a port already taken.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findProcessesMentioning, isAlive } from './processes.ts';
import { isListening } from './ports.ts';
import type { StackState } from './stack.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(repoRoot, 'stack/cli.ts'), ...args], { env, cwd: repoRoot, timeout: 400_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe('npm run stack -- up|status|env|down', () => {
  const parent = mkdtempSync(join(tmpdir(), 'unics-lifecycle-'));
  // PostgreSQL runs as an unprivileged user when tests run as root; it must be able to enter the run directory.
  chmodSync(parent, 0o755);
  const runDir = join(parent, 'run');
  const env = { ...process.env, UNICS_STACK_DIR: runDir };
  const readState = () => JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as StackState;

  afterAll(async () => {
    await runCli(['down'], env); // whatever happened above, leave nothing running
    rmSync(parent, { recursive: true, force: true });
  });

  it('starts, is idempotent, recovers a killed service, and stops leaving no process behind', async () => {
    const up = await runCli(['up'], env);
    expect(up.code, up.stderr).toBe(0);
    for (const name of ['KAFKA_BROKERS', 'DATABASE_URL', 'REDIS_URL', 'CONNECT_URL']) expect(up.stdout).toMatch(new RegExp(`^export ${name}=\\S+$`, 'm'));

    const status = await runCli(['status'], env);
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout.match(/healthy/g)).toHaveLength(4);

    const envOut = await runCli(['env'], env);
    expect(envOut.stdout.trim()).toBe(up.stdout.trim());

    // A second up finds everything healthy and reuses it: same processes.
    const first = readState();
    const again = await runCli(['up'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already up');
    expect(readState().pids).toEqual(first.pids);

    // Kill the broker the hard way, as a crash or an OOM killer would: up notices and starts afresh.
    process.kill(first.pids.kafka!, 'SIGKILL');
    const recovered = await runCli(['up'], env);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stderr).toMatch(/stale run directory \(.*kafka not running/);
    const second = readState();
    expect(second.pids.kafka).not.toBe(first.pids.kafka);
    for (const pid of Object.values(first.pids)) expect(isAlive(pid!)).toBe(false);

    const down = await runCli(['down'], env);
    expect(down.code, down.stderr).toBe(0);
    for (const pid of Object.values(second.pids)) expect(isAlive(pid!), `pid ${pid} still running`).toBe(false);
    expect(findProcessesMentioning(runDir)).toEqual([]);
    for (const port of Object.values(second.ports)) expect(await isListening(port), `port ${port} still open`).toBe(false);
    expect(existsSync(runDir)).toBe(false);

    const after = await runCli(['status'], env);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('not running');
  });

  it('recovers a run directory whose start was interrupted (no readable state file), leaving nothing behind', async () => {
    // What a SIGKILL in the middle of `up` leaves: a run directory with half-written data and a torn state file.
    mkdirSync(join(runDir, 'kafka', 'data'), { recursive: true });
    writeFileSync(join(runDir, 'state.json'), '{"version": 1, "runDir": ');
    const up = await runCli(['up'], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('found a run directory without a readable state file (an interrupted start?); cleaning it up');
    const state = readState();
    const down = await runCli(['down'], env);
    expect(down.code, down.stderr).toBe(0);
    for (const pid of Object.values(state.pids)) expect(isAlive(pid!)).toBe(false);
    expect(findProcessesMentioning(runDir)).toEqual([]);
  });

  it('explains when PostgreSQL\'s unprivileged user cannot reach the run directory', async () => {
    if (process.getuid?.() !== 0) return; // only root runs PostgreSQL as another user
    const closed = mkdtempSync(join(tmpdir(), 'unics-closed-')); // mode 700
    try {
      const res = await runCli(['up'], { ...env, UNICS_STACK_DIR: join(closed, 'run') });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`cannot enter ${closed} (mode 700)`);
      expect(res.stderr).toContain('Set UNICS_STACK_DIR to a directory under one others can enter');
      expect(findProcessesMentioning(closed)).toEqual([]);
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });

  it('refuses a port that is already taken, naming the variable to change, and starts nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const res = await runCli(['up'], { ...env, UNICS_STACK_REDIS_PORT: String(port) });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`port ${port} on 127.0.0.1 is already in use by another process`);
      expect(res.stderr).toContain('UNICS_STACK_REDIS_PORT');
      expect(findProcessesMentioning(runDir)).toEqual([]);
    } finally {
      blocker.close();
    }
  });
});
