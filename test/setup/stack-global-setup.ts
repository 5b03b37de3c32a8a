// vitest global setup for the integration tier: brings the real local stack up once for the whole run and
// takes it down afterwards (also when tests fail, or the run is interrupted with Ctrl-C / SIGTERM).
// A stack that was already up before the run (a developer's `npm run stack -- up`) is reused and left running.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { filterKnownWarnings } from '../../common/process-warnings.ts';
import { createStack, type StackEnv } from '../../stack/stack.ts';
import { stackOptionsFromEnv } from '../../stack/stack-options.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: StackEnv;
    stackRunDir: string;
  }
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  filterKnownWarnings();
  const t0 = Date.now();
  const progress = (m: string) => process.stderr.write(`[stack +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
  const stack = createStack(stackOptionsFromEnv(process.env, repoRoot, progress));
  let downPromise: Promise<unknown> | undefined;
  const down = () => (downPromise ??= stack.down());

  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping the stack before exiting`);
    void down().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const result = await stack.up();
  const owned = result.outcome === 'started';
  if (owned) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  progress(`${owned ? 'started' : 'reusing'} the stack in ${(result.elapsedMs / 1000).toFixed(1)} s (${stack.paths.runDir})`);
  project.provide('stackEnv', result.env);
  project.provide('stackRunDir', stack.paths.runDir);

  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!owned) return;
    if (process.env.UNICS_STACK_KEEP === '1') {
      progress('UNICS_STACK_KEEP=1: leaving the stack running');
      return;
    }
    await down();
    progress('stack stopped');
  };
}
