// The test side of pipeline-process.ts: spawns a view pipeline in a process of its own (so a test can SIGKILL it, or
// run several in one consumer group) and follows how many changes it applied.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { IsolatedSources } from './isolated-sources.ts';

const script = fileURLToPath(new URL('./pipeline-process.ts', import.meta.url));

export interface PipelineProcess {
  readonly proc: ChildProcess;
  /** Changes applied so far (from the process's "applied <n>" lines). */
  applied(): number;
  /** Sends `signal` and resolves when the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function startPipelineProcess(opts: { env: { KAFKA_BROKERS: string; REDIS_URL: string }; src: IsolatedSources; groupId: string }): Promise<PipelineProcess> {
  const { env, src, groupId } = opts;
  const proc = spawn(process.execPath, [script, JSON.stringify({
    brokers: env.KAFKA_BROKERS.split(','), redisUrl: env.REDIS_URL, groupId, tenant: src.tenant, shopSchema: src.shopSchema, crmSchema: src.crmSchema, topics: src.topics,
  })], { stdio: ['ignore', 'pipe', 'inherit'] });
  let applied = 0;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code, signal) => reject(new Error(`pipeline process exited before it was ready (code ${code}, signal ${signal})`)));
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        const m = /^applied (\d+)$/.exec(line);
        if (m) applied = Number(m[1]);
        if (line === 'ready') {
          resolve({
            proc,
            applied: () => applied,
            async kill(signal) {
              if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
              await exited;
            },
          });
        }
      }
    });
  });
}
