// The real stack for the CDC benchmark: reused when it is up (`npm run stack -- up`), started otherwise (and then
// stopped at the end). Also names what the benchmark needs beyond the addresses: the Kafka jars (for Kafka's own
// EndToEndLatency tool), Java, and the pids of the services whose CPU time it counts.
import { join } from 'node:path';
import { ensurePrerequisites } from '../../stack/prerequisites.ts';
import { versions } from '../../stack/settings.ts';
import { createStack, type StackEnv } from '../../stack/stack.ts';
import { stackOptionsFromEnv } from '../../stack/stack-options.ts';
import { repoRoot } from '../lib/results.ts';

export interface BenchStack {
  readonly env: StackEnv;
  readonly brokers: string[];
  readonly pgPort: number;
  readonly java: string;
  /** Directory of the Kafka jars (kafka-tools among them). */
  readonly kafkaLibs: string;
  readonly pids: { readonly postgres?: number; readonly kafka?: number; readonly connect?: number };
  /** Stops the stack if this benchmark started it; leaves a reused one running. */
  close(): Promise<void>;
}

export async function openBenchStack(progress: (m: string) => void): Promise<BenchStack> {
  const options = stackOptionsFromEnv(process.env, repoRoot, (m) => progress(`stack: ${m}`));
  const stack = createStack(options);
  const up = await stack.up();
  const tools = ensurePrerequisites({ path: options.path, postgresRoots: options.postgresRoots, install: false, isRoot: options.isRoot, progress });
  return {
    env: up.env,
    brokers: up.env.KAFKA_BROKERS.split(','),
    pgPort: Number(new URL(up.env.DATABASE_URL).port),
    java: tools.java,
    kafkaLibs: join(options.cacheDir, `kafka-${versions.kafka}`, 'libs'),
    pids: up.state.pids,
    async close() {
      if (up.outcome === 'started') await stack.down();
    },
  };
}
