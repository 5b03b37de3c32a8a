// The local service stack: PostgreSQL, Redis, Kafka (KRaft) and Kafka Connect with Debezium, started without
// Docker, each on a loopback port, all under one run directory. up is idempotent, down leaves no process behind.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock } from './lock-file.ts';
import { isResolved, resolveJars, type JarSet } from './maven-jars.ts';
import { findProcessesMentioning, isAlive, stopProcess, waitUntil } from './processes.ts';
import { pickPort } from './ports.ts';
import { ensurePrerequisites, type Toolchain } from './prerequisites.ts';
import { names, versions } from './settings.ts';
import { connectorRunning, connectUrl, registerDebezium, startConnect, waitForConnectWorker } from './services/connect.ts';
import { brokers, initKafka, kafkaHealthy, startKafka, waitForKafka } from './services/kafka.ts';
import { initPostgres, postgresAccount, postgresHealthy, postgresUrl, replicationSlotActive, startPostgres, waitForPostgres } from './services/postgres.ts';
import { redisHealthy, redisUrl, startRedis, waitForRedis } from './services/redis.ts';

export type ServiceName = 'postgres' | 'redis' | 'kafka' | 'connect';
/** Start order; down goes in reverse. */
export const serviceOrder: readonly ServiceName[] = ['postgres', 'redis', 'kafka', 'connect'];

export interface StackOptions {
  readonly repoRoot: string;
  readonly runDir: string;
  readonly cacheDir: string;
  /** Maven's local repository; default ~/.m2/repository (Maven's own default). */
  readonly mavenRepo?: string | undefined;
  /** Fixed ports asked for (by environment variable); unset means a free port. */
  readonly ports: Partial<Record<ServiceName | 'kafkaController', number>>;
  readonly installPackages: boolean;
  readonly isRoot: boolean;
  readonly path: string;
  readonly postgresRoots: readonly string[];
  readonly redisPersist: boolean;
  /** Time allowed for each service to become ready (ms). */
  readonly readyTimeoutMs: number;
  readonly progress: (message: string) => void;
}

export interface StackEnv {
  readonly KAFKA_BROKERS: string;
  readonly DATABASE_URL: string;
  readonly REDIS_URL: string;
  readonly CONNECT_URL: string;
}

export interface StackState {
  readonly version: 1;
  readonly runDir: string;
  readonly startedAt: string;
  readonly ports: Record<ServiceName | 'kafkaController', number>;
  readonly pids: Partial<Record<ServiceName, number>>;
  readonly ready: boolean;
}

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly pid: number | undefined;
  readonly port: number;
  readonly alive: boolean;
  readonly healthy: boolean;
}

export interface UpResult {
  readonly env: StackEnv;
  readonly state: StackState;
  /** 'started' for a new stack, 'reused' when every service was already up and healthy. */
  readonly outcome: 'started' | 'reused';
  readonly elapsedMs: number;
}

export function envFromState(state: StackState): StackEnv {
  return {
    KAFKA_BROKERS: brokers(state.ports.kafka),
    DATABASE_URL: postgresUrl(state.ports.postgres),
    REDIS_URL: redisUrl(state.ports.redis),
    CONNECT_URL: connectUrl(state.ports.connect),
  };
}

export function formatEnv(env: StackEnv): string {
  return Object.entries(env).map(([k, v]) => `export ${k}=${v}`).join('\n');
}

const stopGraceMs: Record<ServiceName, number> = { connect: 20_000, kafka: 30_000, redis: 5_000, postgres: 15_000 };

export function createStack(opts: StackOptions) {
  const statePath = join(opts.runDir, 'state.json');
  const lockPath = `${opts.runDir}.lock`;
  const started = Date.now();
  const progress = (message: string) => opts.progress(message);

  function readState(): StackState | undefined {
    if (!existsSync(statePath)) return undefined;
    try {
      const state = JSON.parse(readFileSync(statePath, 'utf8')) as StackState;
      return state.version === 1 ? state : undefined;
    } catch {
      return undefined;
    }
  }

  function writeState(state: StackState): void {
    writeFileSync(`${statePath}.tmp`, JSON.stringify(state, null, 2));
    // rename is atomic: a reader sees the old or the new state, never half of one.
    renameSync(`${statePath}.tmp`, statePath);
  }

  async function health(state: StackState): Promise<ServiceStatus[]> {
    const checks: Record<ServiceName, (port: number) => Promise<boolean>> = {
      postgres: postgresHealthy,
      redis: redisHealthy,
      kafka: kafkaHealthy,
      connect: connectorRunning,
    };
    return Promise.all(
      serviceOrder.map(async (name) => {
        const pid = state.pids[name];
        const alive = pid !== undefined && isAlive(pid);
        const healthy = alive && (await checks[name](state.ports[name]));
        return { name, pid, port: state.ports[name], alive, healthy };
      }),
    );
  }

  /** Stops every process of a run directory, in reverse start order, then anything else that mentions it. */
  async function stopAll(state: StackState | undefined): Promise<Array<{ name: string; pid: number; result: string }>> {
    const report: Array<{ name: string; pid: number; result: string }> = [];
    for (const name of [...serviceOrder].reverse()) {
      const pid = state?.pids[name];
      if (pid === undefined) continue;
      // PostgreSQL: SIGINT is its "fast" shutdown (SIGTERM waits for every client to leave).
      const result = await stopProcess(pid, stopGraceMs[name], name === 'postgres' ? 'SIGINT' : 'SIGTERM');
      report.push({ name, pid, result });
    }
    for (const pid of findProcessesMentioning(opts.runDir)) {
      report.push({ name: 'leftover', pid, result: await stopProcess(pid, 2_000) });
    }
    return report;
  }

  function jarSets(): { kafka: JarSet; debezium: JarSet; pluginPath: string } {
    const pluginPath = join(opts.cacheDir, `connect-plugins-debezium-${versions.debezium}`);
    return {
      kafka: { name: `Kafka ${versions.kafka}`, pom: join(opts.repoRoot, 'stack/maven/kafka/pom.xml'), dir: join(opts.cacheDir, `kafka-${versions.kafka}`, 'libs') },
      debezium: {
        name: `Debezium ${versions.debezium}`,
        pom: join(opts.repoRoot, 'stack/maven/debezium-postgres/pom.xml'),
        dir: join(pluginPath, 'debezium-connector-postgres'),
        // The worker provides Kafka's APIs and SLF4J; a second copy inside the plugin would shadow them.
        excludeGroupIds: ['org.apache.kafka', 'org.slf4j'],
      },
      pluginPath,
    };
  }

  async function startFresh(tools: Toolchain): Promise<StackState> {
    const jars = jarSets();
    for (const set of [jars.kafka, jars.debezium]) {
      if (!isResolved(set)) await resolveJars(tools.mvn, set, progress, opts.mavenRepo);
    }
    mkdirSync(opts.runDir, { recursive: true });
    const taken = new Set<number>();
    const ports = {} as Record<ServiceName | 'kafkaController', number>;
    const envVars: Record<ServiceName | 'kafkaController', string> = {
      postgres: 'UNICS_STACK_PG_PORT',
      redis: 'UNICS_STACK_REDIS_PORT',
      kafka: 'UNICS_STACK_KAFKA_PORT',
      kafkaController: 'UNICS_STACK_KAFKA_CONTROLLER_PORT',
      connect: 'UNICS_STACK_CONNECT_PORT',
    };
    for (const key of Object.keys(envVars) as Array<keyof typeof envVars>) {
      ports[key] = await pickPort(key === 'kafkaController' ? 'Kafka controller' : key, opts.ports[key], envVars[key], taken);
      taken.add(ports[key]);
    }
    let state: StackState = { version: 1, runDir: opts.runDir, startedAt: new Date().toISOString(), ports, pids: {}, ready: false };
    writeState(state);
    const record = (name: ServiceName, pid: number) => {
      state = { ...state, pids: { ...state.pids, [name]: pid } };
      writeState(state);
    };
    try {
      const pgRt = { binDir: tools.postgresBin, dir: join(opts.runDir, 'postgres'), port: ports.postgres, user: postgresAccount(opts.isRoot) };
      const redisRt = { server: tools.redisServer, dir: join(opts.runDir, 'redis'), port: ports.redis, persist: opts.redisPersist };
      const kafkaRt = { java: tools.java, libs: jars.kafka.dir, dir: join(opts.runDir, 'kafka'), brokerPort: ports.kafka, controllerPort: ports.kafkaController };
      progress(`starting PostgreSQL (:${ports.postgres}), Redis (:${ports.redis}) and Kafka ${versions.kafka} (:${ports.kafka})`);
      await Promise.all([initPostgres(pgRt), initKafka(kafkaRt)]);
      record('postgres', startPostgres(pgRt));
      record('redis', startRedis(redisRt));
      record('kafka', startKafka(kafkaRt));
      await Promise.all([
        waitForPostgres(pgRt, state.pids.postgres!, opts.readyTimeoutMs).then(() => progress('PostgreSQL ready (wal_level=logical)')),
        waitForRedis(redisRt, state.pids.redis!, opts.readyTimeoutMs).then(() => progress('Redis ready')),
        waitForKafka(kafkaRt, state.pids.kafka!, opts.readyTimeoutMs).then(() => progress('Kafka ready')),
      ]);
      const connectRt = { java: tools.java, libs: jars.kafka.dir, dir: join(opts.runDir, 'connect'), restPort: ports.connect, brokers: brokers(ports.kafka), pluginPath: jars.pluginPath };
      progress(`starting Kafka Connect with Debezium ${versions.debezium} (:${ports.connect})`);
      record('connect', startConnect(connectRt));
      await waitForConnectWorker(connectRt, state.pids.connect!, opts.readyTimeoutMs);
      progress('Kafka Connect ready; registering the Debezium PostgreSQL connector');
      await registerDebezium(connectRt, ports.postgres, opts.readyTimeoutMs);
      // RUNNING is reported once the task has started; the slot tells us Debezium is really streaming the WAL.
      await waitUntil(async () => ((await replicationSlotActive(ports.postgres, names.slotName)) ? true : undefined), {
        timeoutMs: opts.readyTimeoutMs,
        intervalMs: 200,
        describe: () => `Debezium did not start streaming from replication slot ${names.slotName} within ${opts.readyTimeoutMs} ms`,
      });
      progress('Debezium connector RUNNING and streaming');
      state = { ...state, ready: true };
      writeState(state);
      return state;
    } catch (err) {
      progress('start-up failed; stopping what was started (logs stay in the run directory)');
      await stopAll(state);
      throw err instanceof Error ? new Error(`${err.message}\n(run directory: ${opts.runDir})`, { cause: err }) : err;
    }
  }

  return {
    paths: { runDir: opts.runDir, cacheDir: opts.cacheDir, statePath },

    /** Starts every service, or returns the running ones when they are all up and healthy. */
    async up(): Promise<UpResult> {
      const release = await acquireLock(lockPath, progress);
      try {
        const tools = ensurePrerequisites({ path: opts.path, postgresRoots: opts.postgresRoots, install: opts.installPackages, isRoot: opts.isRoot, progress });
        const existing = readState();
        if (existing) {
          const statuses = await health(existing);
          if (existing.ready && statuses.every((s) => s.healthy)) {
            progress('stack already up; reusing it');
            return { env: envFromState(existing), state: existing, outcome: 'reused', elapsedMs: Date.now() - started };
          }
          const bad = statuses.filter((s) => !s.healthy).map((s) => `${s.name} ${s.alive ? 'not answering' : 'not running'}`);
          progress(`found a stale run directory (${bad.join(', ') || 'start-up never finished'}); stopping what is left and starting afresh`);
          await stopAll(existing);
          rmSync(opts.runDir, { recursive: true, force: true });
        } else if (existsSync(opts.runDir)) {
          progress('found a run directory without a readable state file (an interrupted start?); cleaning it up');
          await stopAll(undefined);
          rmSync(opts.runDir, { recursive: true, force: true });
        }
        const state = await startFresh(tools);
        return { env: envFromState(state), state, outcome: 'started', elapsedMs: Date.now() - started };
      } finally {
        release();
      }
    },

    /** Stops every process the stack started (reverse order) and removes the run directory unless asked to keep it. */
    async down(options: { keepData?: boolean } = {}) {
      const release = await acquireLock(lockPath, progress);
      try {
        const state = readState();
        const stopped = await stopAll(state);
        // Give the kernel a moment to release listening sockets before anyone reuses the ports.
        if (stopped.length > 0) await sleep(100);
        if (!options.keepData) rmSync(opts.runDir, { recursive: true, force: true });
        return { stopped, hadState: state !== undefined };
      } finally {
        release();
      }
    },

    async status(): Promise<{ state: StackState | undefined; services: ServiceStatus[] }> {
      const state = readState();
      return { state, services: state ? await health(state) : [] };
    },

    env(): StackEnv | undefined {
      const state = readState();
      return state?.ready ? envFromState(state) : undefined;
    },
  };
}

export type Stack = ReturnType<typeof createStack>;
