// Reads the stack's options from the environment once, at the edge (STYLE.md 6). Defaults live here.
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StackOptions } from './stack.ts';

function portVar(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a port number between 1 and 65535, but got ${JSON.stringify(raw)}. Unset it to let the stack pick a free port.`);
  }
  return port;
}

/**
 * Environment variables:
 *   UNICS_STACK_DIR       run directory (data, logs, state); default <tmp>/unics-stack-<hash of the checkout path>
 *   UNICS_STACK_CACHE     jar cache reused by later runs; default $XDG_CACHE_HOME/unics/stack or ~/.cache/unics/stack
 *   UNICS_STACK_PG_PORT, UNICS_STACK_REDIS_PORT, UNICS_STACK_KAFKA_PORT, UNICS_STACK_KAFKA_CONTROLLER_PORT,
 *   UNICS_STACK_CONNECT_PORT   fixed ports (default: free loopback ports)
 *   UNICS_STACK_MAVEN_REPO  Maven local repository for the jar downloads (default: Maven's, ~/.m2/repository)
 *   UNICS_STACK_NO_INSTALL=1   never run apt-get; report what is missing instead
 *   UNICS_STACK_REDIS_PERSIST=1  Redis with an append-only file
 *   UNICS_STACK_READY_TIMEOUT_MS time each service gets to become ready (default 180000)
 */
export function stackOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  repoRoot: string,
  progress: (message: string) => void,
): StackOptions {
  const checkoutHash = createHash('sha256').update(resolve(repoRoot)).digest('hex').slice(0, 8);
  // Under the system temp directory by default: PostgreSQL runs as an unprivileged user when we are root, and it
  // must be able to reach its data directory (a checkout under /root would not be reachable).
  const runDir = resolve(env.UNICS_STACK_DIR || join(tmpdir(), `unics-stack-${checkoutHash}`));
  const cacheDir = resolve(env.UNICS_STACK_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'unics', 'stack'));
  const readyTimeoutMs = Number(env.UNICS_STACK_READY_TIMEOUT_MS || 180_000);
  return {
    repoRoot,
    runDir,
    cacheDir,
    mavenRepo: env.UNICS_STACK_MAVEN_REPO ? resolve(env.UNICS_STACK_MAVEN_REPO) : undefined,
    ports: {
      ...(portVar(env, 'UNICS_STACK_PG_PORT') !== undefined ? { postgres: portVar(env, 'UNICS_STACK_PG_PORT') } : {}),
      ...(portVar(env, 'UNICS_STACK_REDIS_PORT') !== undefined ? { redis: portVar(env, 'UNICS_STACK_REDIS_PORT') } : {}),
      ...(portVar(env, 'UNICS_STACK_KAFKA_PORT') !== undefined ? { kafka: portVar(env, 'UNICS_STACK_KAFKA_PORT') } : {}),
      ...(portVar(env, 'UNICS_STACK_KAFKA_CONTROLLER_PORT') !== undefined ? { kafkaController: portVar(env, 'UNICS_STACK_KAFKA_CONTROLLER_PORT') } : {}),
      ...(portVar(env, 'UNICS_STACK_CONNECT_PORT') !== undefined ? { connect: portVar(env, 'UNICS_STACK_CONNECT_PORT') } : {}),
    },
    installPackages: env.UNICS_STACK_NO_INSTALL !== '1',
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    path: env.PATH ?? '',
    postgresRoots: ['/usr/lib/postgresql'],
    redisPersist: env.UNICS_STACK_REDIS_PERSIST === '1',
    readyTimeoutMs: Number.isFinite(readyTimeoutMs) && readyTimeoutMs > 0 ? readyTimeoutMs : 180_000,
    progress,
  };
}
