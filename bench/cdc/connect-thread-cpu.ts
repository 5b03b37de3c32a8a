// CPU time of one connector inside the shared Kafka Connect JVM: `jcmd <pid> Thread.print` lists every Java thread
// with its CPU time (cpu=...ms), and a connector's threads carry its name (task-thread-<connector>-0, the producer's
// network thread connector-producer-<connector>-0) or its logical name (debezium-postgresconnector-<prefix>-...).
// Summing those, before and after, isolates the connector from the rest of the worker and from other work on the
// machine (CPU time is counted, not wall time). jcmd attaches briefly (a safepoint of a few ms).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';

/** Thread name -> CPU ms, from jcmd Thread.print output. */
export function parseThreadCpu(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^"(.+)" .*\bcpu=([\d.]+)ms\b/.exec(line);
    if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The jcmd next to the JVM's java (a JDK), or on PATH; undefined when there is none (a bare JRE). */
export function findJcmd(java: string): string | undefined {
  try {
    const beside = join(dirname(realpathSync(java)), 'jcmd');
    if (existsSync(beside)) return beside;
  } catch {
    /* fall through to PATH */
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'jcmd'))) return join(dir, 'jcmd');
  return undefined;
}

export async function threadCpu(jcmd: string, pid: number): Promise<Map<string, number>> {
  const text = await new Promise<string>((resolve, reject) =>
    execFile(jcmd, [String(pid), 'Thread.print'], { maxBuffer: 16 * 1024 * 1024, timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
  return parseThreadCpu(text);
}

/** CPU ms of the threads whose names contain any of `names`. */
export function cpuOf(threads: ReadonlyMap<string, number>, names: readonly string[]): number {
  let ms = 0;
  for (const [thread, cpu] of threads) if (names.some((n) => thread.includes(n))) ms += cpu;
  return ms;
}
