// A lock file so that two `stack up`/`down` runs (two terminals, two test runs) never race on one run directory.
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './processes.ts';

/**
 * Takes the lock at `path`, waiting while a live process holds it; a lock left by a dead process is taken over.
 * Returns the release function.
 */
export async function acquireLock(path: string, progress: (m: string) => void, timeoutMs = 15 * 60_000): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(path, 'utf8').trim());
    } catch {
      continue; // released between our open and read
    }
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      progress(`removing a stale stack lock left by process ${Number.isNaN(holder) ? '?' : holder}, which is no longer running`);
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`another stack command (process ${holder}) has held ${path} for over ${Math.round(timeoutMs / 1000)} s; stop it or remove the file`);
    }
    if (!told) {
      progress(`waiting for another stack command (process ${holder}) to finish`);
      told = true;
    }
    await sleep(250);
  }
}
