// Apache Kafka in KRaft mode, one node acting as broker and controller, from the jars resolved by Maven.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { isAlive, run, startDetached, tailFile, waitUntil } from '../processes.ts';
import { kafkaServerProperties, renderProperties } from '../settings.ts';

export interface JavaRuntime {
  readonly java: string;
  /** Directory with the Kafka broker and Connect jars. */
  readonly libs: string;
}

export interface KafkaRuntime extends JavaRuntime {
  readonly dir: string; // <run>/kafka
  readonly brokerPort: number;
  readonly controllerPort: number;
}

/** A Kafka cluster id: 16 random bytes, base64url without padding, never starting with "-" (as Kafka's Uuid does). */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Log4j 2 configuration for the JVM services: everything to stdout, which the stack appends to a log file. */
export function log4jProperties(level = 'INFO'): string {
  return [
    'status = error',
    'appender.out.type = Console',
    'appender.out.name = OUT',
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c)%n',
    `rootLogger.level = ${level}`,
    'rootLogger.appenderRef.out.ref = OUT',
    // The quietest useful setting for the chattiest loggers.
    'logger.state.name = state.change.logger',
    'logger.state.level = WARN',
    'logger.reflections.name = org.reflections',
    'logger.reflections.level = ERROR',
    '',
  ].join('\n');
}

/** JVM flags shared by the broker and Connect: bounded heap, low-pause GC, exit on OOM rather than limp on. */
export function jvmArgs(heapMb: number, log4jFile: string): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
  ];
}

export function brokers(port: number): string {
  return `127.0.0.1:${port}`;
}

/** Writes server.properties and formats the KRaft storage (a fresh cluster for a fresh run directory). */
export async function initKafka(rt: KafkaRuntime): Promise<void> {
  mkdirSync(rt.dir, { recursive: true });
  const props = join(rt.dir, 'server.properties');
  writeFileSync(props, renderProperties(kafkaServerProperties({ brokerPort: rt.brokerPort, controllerPort: rt.controllerPort, logDir: join(rt.dir, 'data') })));
  writeFileSync(join(rt.dir, 'log4j2.properties'), log4jProperties());
  await run(
    rt.java,
    [...jvmArgs(256, join(rt.dir, 'log4j2.properties')), '-cp', `${rt.libs}/*`, 'kafka.tools.StorageTool', 'format', '-t', kafkaClusterId(), '-c', props, '--standalone'],
    { what: 'formatting the Kafka KRaft storage', cwd: rt.dir },
  );
}

export function startKafka(rt: KafkaRuntime): number {
  const { pid } = startDetached(
    rt.java,
    [...jvmArgs(768, join(rt.dir, 'log4j2.properties')), '-cp', `${rt.libs}/*`, 'kafka.Kafka', join(rt.dir, 'server.properties')],
    { logFile: join(rt.dir, 'kafka.log'), cwd: rt.dir },
  );
  return pid;
}

async function describe(port: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'unics-stack', brokers: [brokers(port)], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    return cluster.brokers.length;
  } finally {
    await admin.disconnect();
  }
}

export async function waitForKafka(rt: KafkaRuntime, pid: number, timeoutMs: number): Promise<void> {
  await waitUntil(async () => ((await describe(rt.brokerPort)) > 0 ? true : undefined), {
    timeoutMs,
    intervalMs: 300,
    abortIf: () => (isAlive(pid) ? undefined : `Kafka exited during start-up. Its log:\n${tailFile(join(rt.dir, 'kafka.log'))}`),
    describe: () => `Kafka did not answer on ${brokers(rt.brokerPort)} within ${timeoutMs} ms. Its log:\n${tailFile(join(rt.dir, 'kafka.log'))}`,
  });
}

export async function kafkaHealthy(port: number): Promise<boolean> {
  try {
    return (await describe(port)) > 0;
  } catch {
    return false;
  }
}
