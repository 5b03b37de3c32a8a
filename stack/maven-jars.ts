// Resolves the Kafka and Debezium jars from Maven Central with `mvn` into a cache directory that later runs
// reuse. A stamp file holds the hash of the pom, so a version change in stack/maven/ resolves again.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface JarSet {
  /** Human name for progress and errors, e.g. "Kafka 4.3.1". */
  readonly name: string;
  readonly pom: string;
  /** Where the jars end up (a directory of jars). */
  readonly dir: string;
  /** Maven groupIds not to copy (e.g. org.apache.kafka for a Connect plugin, which the worker provides). */
  readonly excludeGroupIds?: readonly string[];
}

function pomHash(pom: string): string {
  return createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
}

/** True when `set.dir` holds the jars of the current pom. */
export function isResolved(set: JarSet): boolean {
  const stamp = join(set.dir, '.resolved');
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === pomHash(set.pom);
}

/**
 * Copies the pom's runtime dependencies into `set.dir` (atomically: into a temporary directory, then renamed).
 * `progress` gets a line per phase and a running count of downloaded artifacts.
 */
export async function resolveJars(
  mvn: string,
  set: JarSet,
  progress: (message: string) => void,
  mavenRepo?: string,
): Promise<{ downloaded: number; cached: boolean }> {
  if (isResolved(set)) return { downloaded: 0, cached: true };
  const tmp = `${set.dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const args = [
    '-B',
    '-f', set.pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${tmp}`,
    '-DincludeScope=runtime',
    ...(set.excludeGroupIds?.length ? [`-DexcludeGroupIds=${set.excludeGroupIds.join(',')}`] : []),
    ...(mavenRepo ? [`-Dmaven.repo.local=${mavenRepo}`] : []),
  ];
  progress(`${set.name}: resolving jars from Maven Central (first run only; cached in ${set.dir})`);
  let downloaded = 0;
  let lastReport = Date.now();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(mvn, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        output.push(line);
        if (output.length > 200) output.shift();
        if (/^(\[INFO\] )?Downloaded from/.test(line)) {
          downloaded++;
          if (Date.now() - lastReport > 2000) {
            lastReport = Date.now();
            progress(`${set.name}: ${downloaded} artifacts downloaded…`);
          }
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const errors = output.filter((l) => l.startsWith('[ERROR]')).slice(0, 6).join('\n') || output.slice(-10).join('\n');
    throw new Error(`${set.name}: mvn could not resolve the jars (exit code ${code}). Maven said:\n${errors}`);
  }
  const jars = readdirSync(tmp).filter((f) => f.endsWith('.jar'));
  if (jars.length === 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`${set.name}: mvn succeeded but copied no jars from ${set.pom}`);
  }
  writeFileSync(join(tmp, '.resolved'), `${pomHash(set.pom)}\n`);
  rmSync(set.dir, { recursive: true, force: true });
  mkdirSync(join(set.dir, '..'), { recursive: true });
  renameSync(tmp, set.dir);
  progress(`${set.name}: ${jars.length} jars ready (${downloaded} downloaded)`);
  return { downloaded, cached: false };
}
