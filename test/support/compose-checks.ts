// The checks behind test/docker-compose.test.ts: read docker-compose.yml, model how each image turns its environment
// into configuration, and compare the result with stack/settings.ts. Each check returns problems that name the fix.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  connectWorkerProperties, debeziumConnectorConfig, kafkaServerProperties, names, postgresSettings, redisArgs, versions,
} from '../../stack/settings.ts';

export type Env = Record<string, string>;
export interface Service {
  image?: string; build?: unknown; command?: unknown; environment?: unknown; ports?: unknown; volumes?: unknown;
  healthcheck?: { test?: unknown; disable?: boolean }; depends_on?: unknown; restart?: string;
}
export interface Files { compose: { services: Record<string, Service> }; connectorJson: unknown; dockerfile: string }
export type Check = (files: Files) => string[];

export const CONNECTOR_JSON = 'docker/debezium-postgres.json';
export const FIX = 'in docker-compose.yml (or change stack/settings.ts and docker-compose.yml together)';
/** Host ports that users and the docs rely on: each service's usual port. */
export const HOST_PORTS: Record<string, number> = { kafka: 9092, connect: 8083, postgres: 5432, redis: 6379, unics: 4000 };
export const PG_PASSWORD = debeziumConnectorConfig({ pgPort: 5432 })['database.password'] ?? '';

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
export const shown = (v: string | undefined): string => (v === undefined ? 'not set' : JSON.stringify(v));
export const readRepoFile = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

export function loadFiles(): Files {
  const compose: unknown = parse(readRepoFile('docker-compose.yml'));
  if (!isRecord(compose) || !isRecord(compose.services)) throw new Error('docker-compose.yml needs a top-level "services" map');
  const connectorJson: unknown = JSON.parse(readRepoFile(CONNECTOR_JSON));
  return { compose: compose as unknown as Files['compose'], connectorJson, dockerfile: readRepoFile('Dockerfile') };
}

export function svc(f: Files, name: string): Service {
  const s = f.compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no "${name}" service; stack/ runs one, so add it back`);
  return s;
}

export function envOf(s: Service): Env {
  const e = s.environment;
  const pair = (kv: string): [string, string] => (kv.includes('=') ? [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] : [kv, '']);
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv) => pair(str(kv))));
  return isRecord(e) ? Object.fromEntries(Object.entries(e).map(([k, v]) => [k, str(v)])) : {};
}

export const argsOf = (s: Service): string[] => (Array.isArray(s.command) ? s.command.map(str) : []);

export function imageRef(image: string | undefined): { repo: string; tag: string } {
  const ref = str(image).split('@')[0] ?? '';
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: 'latest' };
}

export function published(s: Service): { host: number; container: number }[] {
  return (Array.isArray(s.ports) ? s.ports : []).map((p) => {
    if (isRecord(p)) return { host: Number(p.published), container: Number(p.target) };
    const parts = (str(p).split('/')[0] ?? '').split(':'); // [host_ip:][host:]container[/proto]
    return { host: parts.length >= 2 ? Number(parts.at(-2)) : NaN, container: Number(parts.at(-1)) };
  });
}

export function dependsOn(s: Service): Env {
  const d = s.depends_on;
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [str(n), 'service_started']));
  if (!isRecord(d)) return {};
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, (isRecord(v) && str(v.condition)) || 'service_started']));
}

export function mounts(s: Service): { source: string; target: string }[] {
  return (Array.isArray(s.volumes) ? s.volumes : []).map((v) => {
    const [source = '', target = ''] = isRecord(v) ? [str(v.source), str(v.target)] : str(v).split(':');
    return { source: source.replace(/^\.\//, ''), target };
  });
}

/** `NAME://host:port,...`, as in Kafka's listeners and Connect's `listeners`. */
export function endpoints(value: string | undefined): Map<string, { host: string; port: number }> {
  const out = new Map<string, { host: string; port: number }>();
  for (const item of str(value).split(',')) {
    const m = /^\s*(\w+):\/\/(.*):(\d+)\s*$/.exec(item);
    if (m) out.set(m[1] ?? '', { host: m[2] ?? '', port: Number(m[3]) });
  }
  return out;
}

// apache/kafka: `configureDefaults` fills these in when unset (or empty); KafkaDockerWrapper then writes each KAFKA_*
// variable but the JVM ones as a property: KAFKA_ dropped, lower case, `_` -> `.`, then `...` -> `-` and `..` -> `_`.
export const KAFKA_IMAGE_DEFAULTS: Env = {
  CLUSTER_ID: '5L6g3nShT-eMCtK--X86sw', KAFKA_NODE_ID: '1', KAFKA_PROCESS_ROLES: 'broker,controller',
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT',
  KAFKA_LISTENERS: 'PLAINTEXT://localhost:29092,CONTROLLER://localhost:29093,PLAINTEXT_HOST://0.0.0.0:9092',
  KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://localhost:29092,PLAINTEXT_HOST://localhost:9092',
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1', KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1', KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
  KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:29093', KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
  KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER', KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
};
export const KAFKA_NOT_PROPERTIES = new Set(['KAFKA_VERSION', 'KAFKA_HEAP_OPTS', 'KAFKA_LOG4J_OPTS', 'KAFKA_OPTS', 'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS', 'KAFKA_GC_LOG_OPTS', 'KAFKA_LOG4J_ROOT_LOGLEVEL', 'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL', 'KAFKA_JMX_HOSTNAME']);
/** Different in a container by design, and checked on their own: addresses, the quorum, the data directory. */
export const KAFKA_TOPOLOGY = new Set(['controller.quorum.bootstrap.servers', 'listeners', 'advertised.listeners',
  'inter.broker.listener.name', 'listener.security.protocol.map', 'log.dirs']);
export const kafkaEnvName = (prop: string): string =>
  `KAFKA_${prop.replaceAll('_', '__').replaceAll('-', '___').replaceAll('.', '_').toUpperCase()}`;

export function kafkaProperties(env: Env): Env {
  const all: Env = { ...env };
  for (const [k, v] of Object.entries(KAFKA_IMAGE_DEFAULTS)) if (!all[k]) all[k] = v;
  const props: Env = {};
  for (const [k, v] of Object.entries(all)) {
    if (!k.startsWith('KAFKA_') || KAFKA_NOT_PROPERTIES.has(k)) continue;
    props[k.slice(6).toLowerCase().replaceAll('_', '.').replaceAll('...', '-').replaceAll('..', '_')] = v;
  }
  return props;
}

/** What other containers bootstrap from: the advertised listeners on the `kafka` service name. */
export const kafkaInternalAddresses = (f: Files): string[] =>
  [...endpoints(kafkaProperties(envOf(svc(f, 'kafka')))['advertised.listeners']).values()]
    .filter((e) => e.host === 'kafka').map((e) => `kafka:${e.port}`);

// quay.io/debezium/connect: docker-entrypoint.sh sets these properties from variables of its own (with these
// defaults) and so overwrites their CONNECT_* form; every other CONNECT_FOO_BAR becomes foo.bar.
export const CONNECT_IMAGE_VARIABLES: Record<string, [property: string, fallback?: string]> = {
  BOOTSTRAP_SERVERS: ['bootstrap.servers', '0.0.0.0:9092'], GROUP_ID: ['group.id', '1'],
  CONFIG_STORAGE_TOPIC: ['config.storage.topic', ''], OFFSET_STORAGE_TOPIC: ['offset.storage.topic', ''],
  STATUS_STORAGE_TOPIC: ['status.storage.topic'],
  KEY_CONVERTER: ['key.converter', 'org.apache.kafka.connect.json.JsonConverter'],
  VALUE_CONVERTER: ['value.converter', 'org.apache.kafka.connect.json.JsonConverter'],
  OFFSET_FLUSH_INTERVAL_MS: ['offset.flush.interval.ms', '60000'], OFFSET_FLUSH_TIMEOUT_MS: ['offset.flush.timeout.ms', '5000'],
  SHUTDOWN_TIMEOUT: ['task.shutdown.graceful.timeout.ms', '10000'], REST_PORT: ['rest.port', '8083'],
  REST_HOST_NAME: ['rest.host.name', '<container ip>'], ADVERTISED_PORT: ['rest.advertised.port', '8083'],
  ADVERTISED_HOST_NAME: ['rest.advertised.host.name', '<container ip>'],
};
export const CONNECT_TOPOLOGY = new Set(['bootstrap.servers', 'listeners', 'rest.advertised.host.name', 'rest.advertised.port', 'plugin.path']);
export const connectGenericName = (prop: string): string => `CONNECT_${prop.replaceAll('.', '_').toUpperCase()}`;
export const connectEnvName = (prop: string): string =>
  Object.entries(CONNECT_IMAGE_VARIABLES).find(([, [p]]) => p === prop)?.[0] ?? connectGenericName(prop);

export function connectProperties(env: Env): Env {
  const props: Env = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('CONNECT_') && !k.startsWith('CONNECT_LOG4J')) props[k.slice(8).toLowerCase().replaceAll('_', '.')] = v;
  }
  for (const [k, [prop, fallback]] of Object.entries(CONNECT_IMAGE_VARIABLES)) {
    const v = env[k] || fallback;
    if (v !== undefined) props[prop] = v;
  }
  return props;
}

export function connectRestPort(f: Files): number | undefined {
  const listener = endpoints(connectProperties(envOf(svc(f, 'connect'))).listeners).get('http');
  return listener && ['0.0.0.0', '', '[::]'].includes(listener.host) ? listener.port : undefined;
}

export function compareProps(where: string, got: Env, want: Env, envName: (prop: string) => string, settingsName: string,
  note: (prop: string) => string = () => ''): string[] {
  return Object.entries(want).filter(([k, v]) => got[k] !== v).map(([k, v]) =>
    `${where}: ${k} is ${shown(got[k])}, but ${settingsName} has ${k}=${v}. Set ${envName(k)}: "${v}" ${FIX}.${note(k)}`);
}

export const checkImages: Check = (f) => {
  const want: [string, string, string, string][] = [
    ['kafka', 'apache/kafka', versions.kafka, 'versions.kafka'],
    ['connect', 'quay.io/debezium/connect', versions.debezium, 'versions.debezium'],
  ];
  return want.filter(([name, repo, tag]) => imageRef(svc(f, name).image).repo !== repo || imageRef(svc(f, name).image).tag !== tag)
    .map(([name, repo, tag, setting]) =>
      `${name}: image is "${svc(f, name).image}", but stack/settings.ts ${setting} is ${tag}. Use image: ${repo}:${tag} ${FIX}.`);
};

export const checkKafka: Check = (f) => {
  const kafka = svc(f, 'kafka');
  const env = envOf(kafka);
  const props = kafkaProperties(env);
  const stack = kafkaServerProperties({ brokerPort: 9092, controllerPort: 9093, logDir: '/unused' });
  const want = Object.fromEntries(Object.entries(stack).filter(([k]) => !KAFKA_TOPOLOGY.has(k)));
  const problems = compareProps('kafka', props, want, kafkaEnvName, 'kafkaServerProperties');
  for (const k of Object.keys(want)) {
    if (env[kafkaEnvName(k)] === undefined && props[k] === want[k]) {
      problems.push(`kafka: set ${kafkaEnvName(k)}: "${want[k]}" explicitly rather than relying on the image's default.`);
    }
  }
  if (!/^[\w-]{22}$/.test(env.CLUSTER_ID ?? '')) {
    problems.push('kafka: set CLUSTER_ID to a base64url UUID (kafka-storage.sh random-uuid); the image formats the storage with it.');
  }
  const listeners = endpoints(props.listeners);
  const advertised = endpoints(props['advertised.listeners']);
  const protocols = new Set(str(props['listener.security.protocol.map']).split(',').map((e) => e.split(':')[0]));
  const controllerName = props['controller.listener.names'] ?? '';
  const controller = listeners.get(controllerName);
  const voters = `${stack['node.id']}@${controller?.host}:${controller?.port}`;
  if (!controller) problems.push(`kafka: KAFKA_LISTENERS needs a ${controllerName}:// listener for the KRaft controller.`);
  else if (props['controller.quorum.voters'] !== voters) {
    problems.push(`kafka: set KAFKA_CONTROLLER_QUORUM_VOTERS: "${voters}" (node.id @ the ${controllerName} listener): ` +
      'the image formats the storage without --standalone, so the quorum needs a static voter.');
  }
  if (advertised.has(controllerName)) problems.push(`kafka: remove ${controllerName} from KAFKA_ADVERTISED_LISTENERS.`);
  for (const name of listeners.keys()) {
    if (!protocols.has(name)) problems.push(`kafka: add ${name}:PLAINTEXT to KAFKA_LISTENER_SECURITY_PROTOCOL_MAP.`);
  }
  if (!advertised.has(props['inter.broker.listener.name'] ?? '')) {
    problems.push('kafka: KAFKA_INTER_BROKER_LISTENER_NAME must name an advertised listener (the internal one).');
  }
  for (const [name, adv] of advertised) {
    const bound = listeners.get(name);
    if (bound?.host !== '0.0.0.0' || bound.port !== adv.port) {
      problems.push(`kafka: KAFKA_LISTENERS needs ${name}://0.0.0.0:${adv.port} to serve the advertised ${name}://${adv.host}:${adv.port}.`);
    }
  }
  const internal = [...advertised.values()].filter((e) => e.host === 'kafka');
  const external = [...advertised.values()].filter((e) => ['127.0.0.1', 'localhost'].includes(e.host));
  if (internal.length !== 1) problems.push('kafka: advertise one listener on kafka:<port> for the other containers.');
  if (external.length !== 1) problems.push('kafka: advertise one listener on 127.0.0.1:<port> for clients on the host.');
  for (const e of external) {
    if (!published(kafka).some((p) => p.host === e.port && p.container === e.port)) {
      problems.push(`kafka: publish "127.0.0.1:${e.port}:${e.port}": clients reconnect to the advertised ${e.host}:${e.port}, ` +
        'so host and container ports must be equal.');
    }
  }
  if (!mounts(kafka).some((m) => m.target === props['log.dirs'])) {
    problems.push(`kafka: mount a named volume at KAFKA_LOG_DIRS (${props['log.dirs']}) so topics survive a restart.`);
  }
  return problems;
};

export const checkConnect: Check = (f) => {
  const env = envOf(svc(f, 'connect'));
  const props = connectProperties(env);
  const stack = connectWorkerProperties({ brokers: 'unused', restPort: 8083, pluginPath: '/unused' });
  const want = Object.fromEntries(Object.entries(stack).filter(([k]) => !CONNECT_TOPOLOGY.has(k)));
  const problems = compareProps('connect', props, want, connectEnvName, 'connectWorkerProperties', (k) =>
    (connectEnvName(k) !== connectGenericName(k) && connectGenericName(k) in env
      ? ` The image overwrites ${connectGenericName(k)} with ${connectEnvName(k)}.` : ''));
  const brokers = str(props['bootstrap.servers']).split(',').filter(Boolean);
  const internal = kafkaInternalAddresses(f);
  if (brokers.length === 0 || !brokers.every((b) => internal.includes(b))) {
    problems.push(`connect: set BOOTSTRAP_SERVERS: "${internal.join(',')}" (Kafka's internal listener), not "${brokers.join(',')}".`);
  }
  const port = connectRestPort(f);
  if (port === undefined) problems.push('connect: set CONNECT_LISTENERS: "http://0.0.0.0:8083" so the REST API listens on every interface.');
  else {
    if (props['rest.advertised.port'] !== String(port)) problems.push(`connect: set ADVERTISED_PORT: "${port}" (CONNECT_LISTENERS' port).`);
    if (!published(svc(f, 'connect')).some((p) => p.container === port)) problems.push(`connect: publish the REST port ${port}.`);
  }
  if (props['rest.advertised.host.name'] !== 'connect') {
    problems.push('connect: set ADVERTISED_HOST_NAME: "connect", its service name, so the worker advertises a name others resolve.');
  }
  return problems;
};

export const POSTGRES_CDC_SETTINGS = ['wal_level', 'max_wal_senders', 'max_replication_slots', 'wal_writer_delay'];
/** postgresSettings for the loopback-only stack/: in a container PostgreSQL listens on the container's network. */
export const POSTGRES_HOST_ONLY = new Set(['listen_addresses']);
export const unquote = (v: string): string => /^'(.*)'$/s.exec(v)?.[1]?.replaceAll("''", "'") ?? v;

export const checkPostgres: Check = (f) => {
  const pg = svc(f, 'postgres');
  const cmd = argsOf(pg);
  if (cmd[0] !== 'postgres') return ['postgres: write command as a YAML list: "postgres", then "-c", "name=value" pairs.'];
  const opts: Env = {};
  cmd.forEach((a, i) => {
    const setting = a === '-c' ? cmd[i + 1] : a.startsWith('--') ? a.slice(2) : undefined;
    if (setting?.includes('=')) opts[setting.slice(0, setting.indexOf('='))] = setting.slice(setting.indexOf('=') + 1);
  });
  const problems = POSTGRES_CDC_SETTINGS.filter((k) => !(k in postgresSettings))
    .map((k) => `stack/settings.ts: postgresSettings lost ${k}, which Debezium's pgoutput needs; restore it.`);
  for (const [k, raw] of Object.entries(postgresSettings)) {
    const want = unquote(raw); // the quotes belong to postgresql.conf; `-c` takes the bare value
    if (!POSTGRES_HOST_ONLY.has(k) && opts[k] !== want) {
      problems.push(`postgres: ${k} is ${shown(opts[k])}, but postgresSettings has ${k}=${raw}. Pass "-c", "${k}=${want}" ${FIX}.`);
    }
  }
  for (const k of POSTGRES_HOST_ONLY) if (k in opts) problems.push(`postgres: remove "-c ${k}=..."; the other containers must reach it.`);
  if ((opts.port ?? '5432') !== '5432') problems.push('postgres: remove "-c port=..."; the others connect to postgres:5432.');
  const env = envOf(pg);
  const want: [string, string, string][] = [['POSTGRES_DB', names.database, 'names.database'],
    ['POSTGRES_USER', names.databaseUser, 'names.databaseUser'], ['POSTGRES_PASSWORD', PG_PASSWORD, "the connector's database.password"]];
  for (const [k, v, source] of want) if (env[k] !== v) problems.push(`postgres: set ${k}: "${v}" (${source} in stack/settings.ts).`);
  return problems;
};

export function redisOptions(args: string[]): Env {
  const out: Env = {};
  let key: string | undefined;
  for (const a of args) {
    if (a.startsWith('--')) out[(key = a.slice(2))] = '';
    else if (key !== undefined) out[key] = out[key] ? `${out[key]} ${a}` : a;
  }
  return out;
}

export const checkRedis: Check = (f) => {
  const cmd = argsOf(svc(f, 'redis'));
  if (cmd[0] !== 'redis-server') return ['redis: write command as a YAML list starting with "redis-server".'];
  const got = redisOptions(cmd.slice(1));
  const off = redisOptions(redisArgs({ port: 6379, dir: '/data' }));
  const on = redisOptions(redisArgs({ port: 6379, dir: '/data', persist: true }));
  const persistence = [...new Set([...Object.keys(off), ...Object.keys(on)])].filter((k) => off[k] !== on[k]);
  const problems = persistence.filter((k) => got[k] !== off[k]).map((k) => `redis: --${k} is ${shown(got[k])}, but redisArgs() ` +
    `without persistence passes --${k} ${JSON.stringify(off[k])}. Add "--${k}", ${JSON.stringify(off[k])} to the command ${FIX}.`);
  const loopback = ['127.0.0.1', '::1', '-::1', 'localhost'];
  if (got.bind?.split(/\s+/).every((a) => loopback.includes(a))) problems.push('redis: remove --bind; the other containers must reach it.');
  if (got['protected-mode'] === 'yes') problems.push('redis: remove --protected-mode yes; without a password it refuses the others.');
  if ((got.port ?? '6379') !== '6379') problems.push('redis: remove --port; the others connect to redis:6379.');
  return problems;
};

export const checkConnector: Check = (f) => {
  const want = debeziumConnectorConfig({ pgPort: 5432, pgHost: 'postgres' });
  const got = isRecord(f.connectorJson) ? f.connectorJson : {};
  const problems = Object.entries(want).filter(([k, v]) => got[k] !== v).map(([k, v]) =>
    `${CONNECTOR_JSON}: "${k}" is ${k in got ? JSON.stringify(got[k]) : 'missing'}, but debeziumConnectorConfig({pgPort: 5432, ` +
    `pgHost: 'postgres'}) has "${v}". Write "${k}": "${v}" (or change stack/settings.ts and the JSON together).`);
  for (const k of Object.keys(got)) {
    if (!(k in want)) problems.push(`${CONNECTOR_JSON}: "${k}" is not in debeziumConnectorConfig; remove it or add it there too.`);
  }
  const init = svc(f, 'connect-init');
  const env = envOf(init);
  if (env.CONNECTOR_NAME !== names.debeziumConnector) problems.push(`connect-init: set CONNECTOR_NAME: "${names.debeziumConnector}".`);
  if (env.CONNECT_URL !== `http://connect:${connectRestPort(f)}`) problems.push(`connect-init: set CONNECT_URL: "http://connect:${connectRestPort(f)}".`);
  if (mounts(init).find((m) => m.target === env.CONNECTOR_CONFIG)?.source !== CONNECTOR_JSON) {
    problems.push(`connect-init: mount ./${CONNECTOR_JSON} read-only at CONNECTOR_CONFIG (${env.CONNECTOR_CONFIG}).`);
  }
  if (init.restart !== 'no') problems.push('connect-init: set restart: "no"; it is a one-shot job.');
  return problems;
};

export const checkUnics: Check = (f) => {
  const unics = svc(f, 'unics');
  const env = envOf(unics);
  const problems: string[] = [];
  const brokers = str(env.KAFKA_BROKERS).split(',').filter(Boolean);
  const internal = kafkaInternalAddresses(f);
  if (brokers.length === 0 || !brokers.every((b) => internal.includes(b))) {
    problems.push(`unics: set KAFKA_BROKERS: "${internal.join(',')}" (Kafka's internal listener; 127.0.0.1:9092 is for the host).`);
  }
  const restPort = connectRestPort(f);
  const urls: [string, string, (u: URL) => boolean][] = [
    ['DATABASE_URL', `postgres://${names.databaseUser}:${PG_PASSWORD}@postgres:5432/${names.database}`, (u) =>
      ['postgres:', 'postgresql:'].includes(u.protocol) && u.hostname === 'postgres' && (u.port || '5432') === '5432' &&
      u.pathname === `/${names.database}` && decodeURIComponent(u.username) === names.databaseUser &&
      decodeURIComponent(u.password) === PG_PASSWORD],
    ['REDIS_URL', 'redis://redis:6379', (u) => u.protocol === 'redis:' && u.hostname === 'redis' && (u.port || '6379') === '6379'],
    ['CONNECT_URL', `http://connect:${restPort}`, (u) => u.protocol === 'http:' && u.hostname === 'connect' && Number(u.port || 80) === restPort],
  ];
  for (const [name, example, reaches] of urls) {
    if (!URL.canParse(env[name] ?? '') || !reaches(new URL(env[name] ?? ''))) {
      problems.push(`unics: ${name} is ${shown(env[name])}, which does not reach its service in the network. Set ${name}: "${example}".`);
    }
  }
  const expose = /^EXPOSE\s+(\d+)/m.exec(f.dockerfile)?.[1];
  if (!published(unics).some((p) => p.host === HOST_PORTS.unics && String(p.container) === expose)) {
    problems.push(`unics: publish "127.0.0.1:${HOST_PORTS.unics}:${expose}" (the port the Dockerfile EXPOSEs).`);
  }
  return problems;
};

export const oneShot = (f: Files, name: string): boolean => svc(f, name).restart === 'no' &&
  Object.values(f.compose.services).some((s) => dependsOn(s)[name] === 'service_completed_successfully');

export const checkHealthchecks: Check = (f) => Object.entries(f.compose.services).flatMap(([name, s]) => {
  const test = s.healthcheck?.test;
  const own = s.healthcheck?.disable !== true && (Array.isArray(test) ? test.length > 0 && test[0] !== 'NONE' : str(test) !== '');
  const fromImage = s.build !== undefined && s.healthcheck === undefined && /^HEALTHCHECK\s+(?!NONE)/m.test(f.dockerfile);
  return own || fromImage || oneShot(f, name) ? [] : [`${name}: add a healthcheck; other services wait for it to be healthy.`];
});

export const checkPorts: Check = (f) => {
  const problems: string[] = [];
  const owners = new Map<number, string>();
  for (const [name, s] of Object.entries(f.compose.services)) {
    for (const p of published(s)) {
      if (!Number.isInteger(p.host)) problems.push(`${name}: publish a fixed host port ("127.0.0.1:<host>:${p.container}").`);
      else if (owners.has(p.host)) problems.push(`${name}: host port ${p.host} is already published by ${owners.get(p.host)}.`);
      else owners.set(p.host, name);
    }
  }
  for (const [name, port] of Object.entries(HOST_PORTS)) {
    if (owners.get(port) !== name) problems.push(`${name}: publish host port ${port}, the port users and the docs expect.`);
  }
  return problems;
};

export const checkDependencies: Check = (f) => {
  const needs: Record<string, string[]> = {
    connect: ['kafka'], 'connect-init': ['connect', 'postgres'], unics: ['kafka', 'connect', 'postgres', 'redis'],
  };
  return Object.entries(needs).flatMap(([name, deps]) => deps.filter((dep) => dependsOn(svc(f, name))[dep] !== 'service_healthy')
    .map((dep) => `${name}: add depends_on: { ${dep}: { condition: service_healthy } }.`));
};
