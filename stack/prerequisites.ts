// Finds the native programs the stack needs (PostgreSQL, Redis, Java, Maven) and installs the missing ones from
// Debian's packages when running as root; otherwise the error names the packages to install.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { debianPackages, versions } from './settings.ts';

export interface Toolchain {
  readonly java: string;
  readonly javaVersion: number;
  readonly mvn: string;
  readonly postgresBin: string; // directory holding postgres, initdb, pg_ctl
  readonly redisServer: string;
}

type Need = keyof typeof debianPackages;

export interface PrerequisiteOptions {
  /** PATH to search (the stack's own process PATH by default). */
  readonly path: string;
  /** Extra directories to search for PostgreSQL server binaries (Debian puts them under /usr/lib/postgresql/N/bin). */
  readonly postgresRoots: readonly string[];
  /** Install missing Debian packages with apt-get (only possible as root). */
  readonly install: boolean;
  readonly isRoot: boolean;
  readonly progress: (message: string) => void;
}

function which(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

function findPostgresBin(opts: PrerequisiteOptions): string | undefined {
  for (const root of opts.postgresRoots) {
    if (!existsSync(root)) continue;
    const majors = readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const bin = join(root, major, 'bin');
      if (existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb'))) return bin;
    }
  }
  const onPath = which('postgres', opts.path);
  const initdb = which('initdb', opts.path);
  if (onPath && initdb) return onPath.slice(0, onPath.lastIndexOf('/'));
  return undefined;
}

/** The Java feature version from `java -version` output, e.g. 17 for `openjdk version "17.0.15"`. */
export function parseJavaVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}

function locate(opts: PrerequisiteOptions): { found: Partial<Record<Need, string>>; javaVersion?: number } {
  const found: Partial<Record<Need, string>> = {};
  const java = which('java', opts.path);
  let javaVersion: number | undefined;
  if (java) {
    const res = spawnSync(java, ['-version'], { encoding: 'utf8' });
    javaVersion = parseJavaVersion(`${res.stdout}${res.stderr}`);
    if (javaVersion !== undefined && javaVersion >= versions.javaMin) found.java = java;
  }
  const mvn = which('mvn', opts.path);
  if (mvn) found.maven = mvn;
  const pg = findPostgresBin(opts);
  if (pg) found.postgres = pg;
  const redis = which('redis-server', opts.path);
  if (redis) found.redis = redis;
  return javaVersion === undefined ? { found } : { found, javaVersion };
}

/** The message for programs that are missing and cannot be installed from here. */
export function missingMessage(missing: readonly Need[], javaVersion: number | undefined, reason: string): string {
  const packages = missing.flatMap((need) => debianPackages[need]);
  const what = missing
    .map((need) =>
      need === 'java' && javaVersion !== undefined
        ? `Java ${versions.javaMin} or newer (found Java ${javaVersion})`
        : { java: `Java ${versions.javaMin}+`, maven: 'Maven (mvn)', postgres: 'PostgreSQL server (postgres, initdb)', redis: 'Redis (redis-server)' }[need],
    )
    .join(', ');
  return (
    `The local stack needs ${what}, which ${missing.length === 1 ? 'is' : 'are'} not installed (${reason}). ` +
    `Install with: sudo apt-get install -y ${packages.join(' ')}`
  );
}

function aptInstall(packages: readonly string[], progress: (m: string) => void): void {
  const env = {
    ...process.env,
    DEBIAN_FRONTEND: 'noninteractive',
    // Keep the packages' own init scripts from starting system-wide servers: the stack runs its own.
    RUNLEVEL: '1',
  };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, encoding: 'utf8' });
  progress(`installing Debian packages: ${packages.join(' ')}`);
  let res = install();
  if (res.status !== 0) {
    progress('apt-get install failed; refreshing the package lists (apt-get update) and trying again');
    spawnSync('apt-get', ['update'], { env, encoding: 'utf8' });
    res = install();
  }
  if (res.status !== 0) {
    const tail = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(`apt-get install ${packages.join(' ')} failed with exit code ${res.status}:\n${tail}`);
  }
}

/** Finds every program the stack needs, installing missing Debian packages when allowed. */
export function ensurePrerequisites(opts: PrerequisiteOptions): Toolchain {
  let { found, javaVersion } = locate(opts);
  let missing = (Object.keys(debianPackages) as Need[]).filter((need) => found[need] === undefined);
  if (missing.length > 0) {
    if (!opts.install) throw new Error(missingMessage(missing, javaVersion, 'automatic installation is turned off'));
    if (!opts.isRoot) throw new Error(missingMessage(missing, javaVersion, 'not running as root, so apt-get cannot install them'));
    if (!which('apt-get', opts.path)) throw new Error(missingMessage(missing, javaVersion, 'apt-get was not found on this system'));
    aptInstall(missing.flatMap((need) => debianPackages[need]), opts.progress);
    ({ found, javaVersion } = locate(opts));
    missing = (Object.keys(debianPackages) as Need[]).filter((need) => found[need] === undefined);
    if (missing.length > 0) throw new Error(missingMessage(missing, javaVersion, 'still missing after apt-get install'));
  }
  return {
    java: found.java!,
    javaVersion: javaVersion!,
    mvn: found.maven!,
    postgresBin: found.postgres!,
    redisServer: found.redis!,
  };
}
