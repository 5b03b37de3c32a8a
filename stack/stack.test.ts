// Unit tests for stack/: pure settings and messages, the lock file, and the CLI's answers to bad input.
// No services are started here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireLock } from './lock-file.ts';
import { missingMessage, parseJavaVersion } from './prerequisites.ts';
import { kafkaClusterId } from './services/kafka.ts';
import { debeziumConnectorConfig, kafkaServerProperties, renderProperties, versions } from './settings.ts';
import { stackOptionsFromEnv } from './stack-options.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const noop = () => {};

function pomProperty(pom: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]+)</${name}>`).exec(readFileSync(join(repoRoot, pom), 'utf8'))?.[1];
}

describe('stack settings', () => {
  it('use the same Kafka and Debezium versions as the Maven poms that fetch the jars', () => {
    expect(pomProperty('stack/maven/kafka/pom.xml', 'kafka.version')).toBe(versions.kafka);
    expect(pomProperty('stack/maven/debezium-postgres/pom.xml', 'debezium.version')).toBe(versions.debezium);
  });

  it('configure Debezium for pgoutput with a poll interval well under the 500 ms default', () => {
    const config = debeziumConnectorConfig({ pgPort: 5432 });
    expect(config['plugin.name']).toBe('pgoutput');
    expect(Number(config['poll.interval.ms'])).toBeLessThanOrEqual(50);
    expect(config['database.port']).toBe('5432');
  });

  it('send Debezium heartbeats often enough for views to judge freshness inside the 300 ms budget', () => {
    const config = debeziumConnectorConfig({ pgPort: 5432 });
    expect(Number(config['heartbeat.interval.ms'])).toBeGreaterThan(0);
    expect(Number(config['heartbeat.interval.ms'])).toBeLessThanOrEqual(250);
    // Below 5 ms Debezium's queue poll spins most of the time (see the comment on poll.interval.ms).
    expect(Number(config['poll.interval.ms'])).toBeGreaterThanOrEqual(5);
    expect(Number(config['max.queue.size'])).toBeGreaterThan(Number(config['max.batch.size']));
  });

  it('render Kafka properties with the KRaft roles and loopback listeners', () => {
    const text = renderProperties(kafkaServerProperties({ brokerPort: 9092, controllerPort: 9093, logDir: 'C:\\kafka' }));
    expect(text).toContain('process.roles=broker,controller\n');
    expect(text).toContain('listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n');
    expect(text).toContain('log.dirs=C:\\\\kafka\n');
  });

  it('make Kafka cluster ids of 22 base64url characters that never start with "-"', () => {
    for (let i = 0; i < 200; i++) expect(kafkaClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});

describe('prerequisites', () => {
  it('read the Java feature version from both old and new `java -version` formats', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaVersion('java version "1.8.0_402"')).toBe(8);
    expect(parseJavaVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaVersion('no java here')).toBeUndefined();
  });

  it('name the Debian packages to install when something is missing', () => {
    expect(missingMessage(['redis', 'postgres'], undefined, 'not running as root, so apt-get cannot install them')).toBe(
      'The local stack needs Redis (redis-server), PostgreSQL server (postgres, initdb), which are not installed ' +
        '(not running as root, so apt-get cannot install them). Install with: sudo apt-get install -y redis-server postgresql',
    );
    expect(missingMessage(['java'], 11, 'x')).toContain('Java 17 or newer (found Java 11)');
  });
});

describe('stack options from the environment', () => {
  it('reject a port that is not a number, saying how to fix it', () => {
    expect(() => stackOptionsFromEnv({ UNICS_STACK_KAFKA_PORT: '90a2' }, repoRoot, noop)).toThrow(
      'UNICS_STACK_KAFKA_PORT must be a port number between 1 and 65535, but got "90a2". Unset it to let the stack pick a free port.',
    );
    expect(() => stackOptionsFromEnv({ UNICS_STACK_PG_PORT: '70000' }, repoRoot, noop)).toThrow(/UNICS_STACK_PG_PORT/);
  });

  it('keep one run directory per checkout by default, and honour UNICS_STACK_DIR', () => {
    const a = stackOptionsFromEnv({}, '/src/a', noop);
    const b = stackOptionsFromEnv({}, '/src/b', noop);
    expect(a.runDir).not.toBe(b.runDir);
    expect(stackOptionsFromEnv({ UNICS_STACK_DIR: '/tmp/x' }, '/src/a', noop).runDir).toBe('/tmp/x');
    expect(stackOptionsFromEnv({ UNICS_STACK_PG_PORT: '5555' }, '/src/a', noop).ports).toEqual({ postgres: 5555 });
  });
});

describe('lock file', () => {
  it('takes over a lock left by a process that no longer runs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'unics-lock-')), 'run.lock');
    writeFileSync(path, '999999999');
    const messages: string[] = [];
    const release = await acquireLock(path, (m) => messages.push(m));
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    expect(messages[0]).toContain('stale stack lock left by process 999999999');
    release();
  });

  it('waits for a live holder and gives up with a message naming it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'unics-lock-')), 'run.lock');
    writeFileSync(path, String(process.ppid));
    await expect(acquireLock(path, noop, 300)).rejects.toThrow(`another stack command (process ${process.ppid}) has held ${path}`);
  });
});

describe('stack CLI', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [join(repoRoot, 'stack/cli.ts'), ...args], { env, encoding: 'utf8', timeout: 30_000 });

  it('names the missing programs and their Debian packages when it may not install them', () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'unics-empty-path-'));
    const res = cli(['up'], { PATH: emptyPath, HOME: tmpdir(), UNICS_STACK_NO_INSTALL: '1', UNICS_STACK_DIR: join(emptyPath, 'run') });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Redis (redis-server)');
    expect(res.stderr).toContain('Maven (mvn)');
    expect(res.stderr).toMatch(/Install with: sudo apt-get install -y .*redis-server/);
  });

  it('rejects an unknown command with the usage', () => {
    const res = cli(['upp'], { PATH: process.env.PATH });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('unknown command "upp": expected up, down, status or env');
    expect(res.stderr).toContain('Usage: npm run stack -- <command>');
  });
});
