// Redis from Debian's packages: own port and directory, no persistence unless asked.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { isAlive, startDetached, tailFile, waitUntil } from '../processes.ts';
import { redisArgs } from '../settings.ts';

export interface RedisRuntime {
  readonly server: string;
  readonly dir: string; // <run>/redis
  readonly port: number;
  readonly persist: boolean;
}

export function redisUrl(port: number): string {
  return `redis://127.0.0.1:${port}`;
}

export function startRedis(rt: RedisRuntime): number {
  mkdirSync(rt.dir, { recursive: true });
  const { pid } = startDetached(rt.server, redisArgs({ port: rt.port, dir: rt.dir, persist: rt.persist }), {
    logFile: join(rt.dir, 'redis.log'),
    cwd: rt.dir,
  });
  return pid;
}

async function ping(port: number): Promise<string> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => { /* reported by the failed ping */ });
  try {
    await client.connect();
    return await client.ping();
  } finally {
    client.disconnect();
  }
}

export async function waitForRedis(rt: RedisRuntime, pid: number, timeoutMs: number): Promise<void> {
  await waitUntil(async () => ((await ping(rt.port)) === 'PONG' ? true : undefined), {
    timeoutMs,
    abortIf: () => (isAlive(pid) ? undefined : `Redis exited during start-up. Its log:\n${tailFile(join(rt.dir, 'redis.log'))}`),
    describe: () => `Redis did not answer PING on 127.0.0.1:${rt.port} within ${timeoutMs} ms. Its log:\n${tailFile(join(rt.dir, 'redis.log'))}`,
  });
}

export async function redisHealthy(port: number): Promise<boolean> {
  try {
    return (await ping(port)) === 'PONG';
  } catch {
    return false;
  }
}
