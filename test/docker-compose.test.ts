// docker-compose.yml runs the services of stack/ for users who have Docker. There is no Docker engine here, so this
// test reads the compose file and compares it with stack/settings.ts through the checks in support/compose-checks.ts;
// the last block breaks copies of the files to prove that every check notices drift.
import { describe, expect, it } from 'vitest';
import {
  checkConnect, checkConnector, checkDependencies, checkHealthchecks, checkImages, checkKafka, checkPorts, checkPostgres,
  checkRedis, checkUnics, CONNECTOR_JSON, loadFiles, POSTGRES_CDC_SETTINGS, svc, type Check, type Env, type Files,
} from './support/compose-checks.ts';

const files = loadFiles();
const expectInLine = (check: Check): void => {
  const problems = check(files);
  expect(problems, `docker-compose.yml and stack/settings.ts are out of line:\n  ${problems.join('\n  ')}\n`).toEqual([]);
};

describe('docker-compose.yml runs the services of stack/settings.ts', () => {
  it('uses the Kafka and Debezium versions of stack/settings.ts', () => expectInLine(checkImages));
  it('configures Kafka like kafkaServerProperties, with listeners for containers and for the host', () => expectInLine(checkKafka));
  it('configures the Connect worker like connectWorkerProperties: topics, group id, converters, linger', () => expectInLine(checkConnect));
  it(`starts PostgreSQL with postgresSettings (${POSTGRES_CDC_SETTINGS.join(', ')}, ...)`, () => expectInLine(checkPostgres));
  it('runs Redis without persistence, like redisArgs()', () => expectInLine(checkRedis));
  it(`registers ${CONNECTOR_JSON}, equal to debeziumConnectorConfig({pgPort: 5432, pgHost: 'postgres'})`, () => expectInLine(checkConnector));
  it('points the gateway at kafka, postgres, redis and connect on their in-network ports', () => expectInLine(checkUnics));
  it('gives every long-running service a healthcheck', () => expectInLine(checkHealthchecks));
  it('publishes each service on its own host port', () => expectInLine(checkPorts));
  it('starts each service after what it needs is healthy', () => expectInLine(checkDependencies));
});

describe('the checks notice drift', () => {
  const env = (f: Files, name: string): Record<string, unknown> => svc(f, name).environment as Record<string, unknown>;
  const args = (f: Files, name: string): unknown[] => svc(f, name).command as unknown[];
  const replaceArg = (f: Files, name: string, from: string, to: string): void => {
    args(f, name).splice(args(f, name).indexOf(from), 1, to);
  };
  const drifts: [string, (f: Files) => void, Check, string][] = [
    ['another Kafka version', (f) => { svc(f, 'kafka').image = 'apache/kafka:4.2.0'; }, checkImages, 'versions.kafka'],
    ['another Debezium version', (f) => { svc(f, 'connect').image = 'quay.io/debezium/connect:3.6.0.Final'; }, checkImages, 'versions.debezium'],
    ['a 3 s initial rebalance delay', (f) => { env(f, 'kafka').KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS = '3000'; }, checkKafka,
      'KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0"'],
    ['3 replicas of the offsets topic', (f) => { env(f, 'kafka').KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR = '3'; }, checkKafka,
      'offsets.topic.replication.factor=1'],
    ['the node id left to the image', (f) => { delete env(f, 'kafka').KAFKA_NODE_ID; }, checkKafka, 'explicitly'],
    ['no quorum voters', (f) => { delete env(f, 'kafka').KAFKA_CONTROLLER_QUORUM_VOTERS; }, checkKafka, 'KAFKA_CONTROLLER_QUORUM_VOTERS'],
    ['a host port unlike the advertised one', (f) => { svc(f, 'kafka').ports = ['127.0.0.1:19092:9092']; }, checkKafka, 'must be equal'],
    ['a renamed status topic', (f) => { env(f, 'connect').STATUS_STORAGE_TOPIC = 'connect-status'; }, checkConnect,
      'STATUS_STORAGE_TOPIC: "_unics_connect_status"'],
    ['another group id', (f) => { env(f, 'connect').GROUP_ID = 'connect-cluster'; }, checkConnect, 'GROUP_ID: "unics-connect"'],
    ['value schemas on', (f) => { env(f, 'connect').CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE = 'true'; }, checkConnect,
      'value.converter.schemas.enable'],
    ['a producer linger of 5 ms', (f) => { env(f, 'connect').CONNECT_PRODUCER_LINGER_MS = '5'; }, checkConnect, 'CONNECT_PRODUCER_LINGER_MS: "0"'],
    ['the flush interval under a name the image overwrites', (f) => {
      delete env(f, 'connect').OFFSET_FLUSH_INTERVAL_MS;
      env(f, 'connect').CONNECT_OFFSET_FLUSH_INTERVAL_MS = '1000';
    }, checkConnect, 'overwrites CONNECT_OFFSET_FLUSH_INTERVAL_MS with OFFSET_FLUSH_INTERVAL_MS'],
    ['Connect on the host listener', (f) => { env(f, 'connect').BOOTSTRAP_SERVERS = '127.0.0.1:9092'; }, checkConnect, 'BOOTSTRAP_SERVERS'],
    ['wal_level=replica', (f) => replaceArg(f, 'postgres', 'wal_level=logical', 'wal_level=replica'), checkPostgres, 'wal_level=logical'],
    ['no max_replication_slots', (f) => { args(f, 'postgres').splice(args(f, 'postgres').indexOf('max_replication_slots=10') - 1, 2); },
      checkPostgres, 'max_replication_slots=10'],
    ['a 200 ms WAL writer delay', (f) => replaceArg(f, 'postgres', 'wal_writer_delay=10ms', 'wal_writer_delay=200ms'), checkPostgres,
      'wal_writer_delay=10ms'],
    ["stack/'s listen_addresses copied", (f) => { args(f, 'postgres').push('-c', 'listen_addresses=127.0.0.1'); }, checkPostgres,
      'listen_addresses'],
    ['Redis with an append-only file', (f) => replaceArg(f, 'redis', 'no', 'yes'), checkRedis, '--appendonly'],
    ['Redis with default snapshots', (f) => { svc(f, 'redis').command = ['redis-server', '--appendonly', 'no']; }, checkRedis, '--save'],
    ['Redis bound to loopback', (f) => { args(f, 'redis').push('--bind', '127.0.0.1'); }, checkRedis, '--bind'],
    ['a 500 ms Debezium poll', (f) => { (f.connectorJson as Env)['poll.interval.ms'] = '500'; }, checkConnector, '"poll.interval.ms": "10"'],
    ['a connector key lost', (f) => { delete (f.connectorJson as Env)['slot.name']; }, checkConnector, '"slot.name": "unics_debezium"'],
    ['a connector key added', (f) => { (f.connectorJson as Env)['snapshot.locking.mode'] = 'none'; }, checkConnector, 'snapshot.locking.mode'],
    ['another connector name', (f) => { env(f, 'connect-init').CONNECTOR_NAME = 'postgres'; }, checkConnector, 'CONNECTOR_NAME'],
    ['the gateway on the host database', (f) => { env(f, 'unics').DATABASE_URL = 'postgres://postgres:postgres@localhost:5432/unics'; },
      checkUnics, 'DATABASE_URL'],
    ['the gateway on another Redis port', (f) => { env(f, 'unics').REDIS_URL = 'redis://redis:6380'; }, checkUnics, 'REDIS_URL'],
    ['the gateway without CONNECT_URL', (f) => { delete env(f, 'unics').CONNECT_URL; }, checkUnics, 'CONNECT_URL'],
    ['the gateway on the host Kafka listener', (f) => { env(f, 'unics').KAFKA_BROKERS = 'kafka:9092'; }, checkUnics, 'KAFKA_BROKERS'],
    ['Redis without a healthcheck', (f) => { delete svc(f, 'redis').healthcheck; }, checkHealthchecks, 'redis: add a healthcheck'],
    ['two services on one host port', (f) => { svc(f, 'redis').ports = ['127.0.0.1:5432:6379']; }, checkPorts, 'already published'],
    ['the gateway before PostgreSQL is healthy', (f) => { svc(f, 'unics').depends_on = ['kafka', 'connect', 'postgres', 'redis']; },
      checkDependencies, 'postgres: { condition: service_healthy }'],
  ];

  it.each(drifts)('%s', (_name, drift, check, hint) => {
    const copy = structuredClone(files);
    expect(check(copy), 'the unchanged files pass this check').toEqual([]);
    drift(copy);
    expect(check(copy).join('\n'), 'the check reports the drift and names the fix').toContain(hint);
  });
});
