#!/usr/bin/env node
// npm run stack -- up|down|status|env
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filterKnownWarnings } from '../common/process-warnings.ts';
import { createStack, formatEnv } from './stack.ts';
import { stackOptionsFromEnv } from './stack-options.ts';

const usage = `Usage: npm run stack -- <command>

Starts the real services UniCS tests and the stack demo use, without Docker:
PostgreSQL (logical WAL), Redis, Kafka (KRaft) and Kafka Connect with the Debezium PostgreSQL connector.

Commands:
  up       start every service (idempotent) and wait until Debezium is streaming
  down     stop every service the stack started and remove its run directory (--keep-data keeps it)
  status   show each service's pid, port and health
  env      print export lines for KAFKA_BROKERS, DATABASE_URL, REDIS_URL, CONNECT_URL
           (use: eval "$(npm run --silent stack -- env)")

Environment: UNICS_STACK_DIR, UNICS_STACK_CACHE, UNICS_STACK_{PG,REDIS,KAFKA,KAFKA_CONTROLLER,CONNECT}_PORT,
UNICS_STACK_NO_INSTALL=1, UNICS_STACK_REDIS_PERSIST=1 (see stack/README.md).`;

filterKnownWarnings();

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const t0 = Date.now();
const progress = (message: string) => {
  process.stderr.write(`[stack +${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${usage}\n`);
    return command === undefined ? 2 : 0;
  }
  const stack = createStack(stackOptionsFromEnv(process.env, repoRoot, progress));
  switch (command) {
    case 'up': {
      const result = await stack.up();
      progress(`${result.outcome === 'reused' ? 'already up' : 'up'} in ${(result.elapsedMs / 1000).toFixed(1)} s; run directory ${stack.paths.runDir}`);
      process.stdout.write(`${formatEnv(result.env)}\n`);
      return 0;
    }
    case 'down': {
      const { stopped, hadState } = await stack.down({ keepData: rest.includes('--keep-data') });
      if (!hadState && stopped.length === 0) progress('nothing to stop: the stack is not running');
      for (const s of stopped) progress(`${s.name} (pid ${s.pid}): ${s.result}`);
      return 0;
    }
    case 'status': {
      const { state, services } = await stack.status();
      if (!state) {
        process.stdout.write(`not running (run directory ${stack.paths.runDir})\n`);
        return 3;
      }
      for (const s of services) {
        process.stdout.write(`${s.name.padEnd(9)} pid ${String(s.pid ?? '-').padEnd(8)} 127.0.0.1:${String(s.port).padEnd(6)} ${s.healthy ? 'healthy' : s.alive ? 'running, not answering' : 'NOT RUNNING'}\n`);
      }
      process.stdout.write(`run directory ${state.runDir}\n`);
      return services.every((s) => s.healthy) ? 0 : 1;
    }
    case 'env': {
      const env = stack.env();
      if (!env) {
        process.stderr.write('the stack is not up: run `npm run stack -- up` first\n');
        return 3;
      }
      process.stdout.write(`${formatEnv(env)}\n`);
      return 0;
    }
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}: expected up, down, status or env\n\n${usage}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`stack: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
