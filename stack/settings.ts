// The settings of the real local services, in one place. stack/ starts processes from them, and the
// docker-compose.yml test checks that the Docker services use the same versions and the settings that matter.
// Pure data and pure builders only: no I/O here.

export const versions = Object.freeze({
  /** Apache Kafka broker (KRaft) and Kafka Connect; must match stack/maven/kafka/pom.xml. */
  kafka: '4.3.1',
  /** Debezium PostgreSQL connector; must match stack/maven/debezium-postgres/pom.xml. Built against Kafka 4.3.1. */
  debezium: '3.7.0.Final',
  /** Minimum Java feature version: Kafka 4 brokers and Debezium 3 need Java 17. */
  javaMin: 17,
});

/** Debian packages that provide each native service, installed with apt-get when missing. */
export const debianPackages = Object.freeze({
  postgres: ['postgresql'],
  redis: ['redis-server'],
  java: ['openjdk-17-jre-headless'],
  maven: ['maven'],
});

/** Names the rest of the project relies on (the demo, the tests and the CDC pipeline). */
export const names = Object.freeze({
  database: 'unics',
  databaseUser: 'postgres',
  /** Loopback-only development password (pg_hba trusts loopback; Debezium and URLs still carry one). */
  databasePassword: 'postgres',
  connectGroupId: 'unics-connect',
  debeziumConnector: 'unics-postgres',
  /** Debezium topics are `<topicPrefix>.<schema>.<table>`, e.g. `unics.shop.orders`. */
  topicPrefix: 'unics',
  slotName: 'unics_debezium',
  publicationName: 'unics_publication',
  /** Debezium's signal table (source channel): `npx unics views rebuild --via debezium` asks it for incremental
   * snapshots there (it creates the table when missing). */
  signalTable: 'public.debezium_signal',
  /** Where Debezium reports snapshot progress (its sink notification channel). */
  notificationTopic: '__debezium-notification.unics',
});

/** PostgreSQL server settings (postgresql.conf); logical decoding for Debezium, short WAL writer delay for latency. */
export const postgresSettings: Readonly<Record<string, string>> = Object.freeze({
  listen_addresses: "'127.0.0.1'",
  wal_level: 'logical',
  max_wal_senders: '10',
  max_replication_slots: '10',
  // Logical walsenders decode only flushed WAL. With synchronous_commit=on (the default, left as it is) COMMIT
  // flushes and wakes the walsender at once: commit -> Debezium event 1-2 ms p50 (npm run bench -- cdc --tune).
  // A writer with synchronous_commit=off waits for the WAL writer instead: +~10 ms p50 at this delay (default 200 ms).
  wal_writer_delay: '10ms',
  max_connections: '200',
  shared_buffers: '128MB',
  // A CDC slot that falls far behind must not fill the disk of a developer machine.
  max_slot_wal_keep_size: '2GB',
  log_min_messages: 'warning',
  log_line_prefix: "'%m [%p] '",
});

/** Redis server arguments: loopback only, no persistence unless asked. */
export function redisArgs(opts: { port: number; dir: string; persist?: boolean }): string[] {
  const persistence = opts.persist ? ['--appendonly', 'yes'] : ['--save', '', '--appendonly', 'no'];
  return [
    '--bind', '127.0.0.1',
    '--port', String(opts.port),
    '--dir', opts.dir,
    '--protected-mode', 'yes',
    '--daemonize', 'no',
    ...persistence,
  ];
}

/** Kafka broker + controller in one process (KRaft, single node), formatted with `--standalone`. */
export function kafkaServerProperties(opts: { brokerPort: number; controllerPort: number; logDir: string }): Record<string, string> {
  return {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': `127.0.0.1:${opts.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${opts.brokerPort},CONTROLLER://127.0.0.1:${opts.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${opts.brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': opts.logDir,
    'num.partitions': '1',
    'auto.create.topics.enable': 'true',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '4',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    // No 3 s wait for more members before the first rebalance: tests and the demo start one consumer at a time.
    'group.initial.rebalance.delay.ms': '0',
    'log.retention.hours': '24',
    'log.segment.bytes': String(64 * 1024 * 1024),
  };
}

/** Kafka Connect distributed worker (one node): connector configs survive a worker restart in Kafka topics. */
export function connectWorkerProperties(opts: { brokers: string; restPort: number; pluginPath: string }): Record<string, string> {
  return {
    'bootstrap.servers': opts.brokers,
    'group.id': names.connectGroupId,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    // Plain JSON without the schema/payload wrapper: about a third of the bytes. cdc/ decodes both forms.
    'key.converter.schemas.enable': 'false',
    'value.converter.schemas.enable': 'false',
    'config.storage.topic': '_unics_connect_configs',
    'offset.storage.topic': '_unics_connect_offsets',
    'status.storage.topic': '_unics_connect_status',
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'offset.storage.partitions': '5',
    'status.storage.partitions': '1',
    // Committing source offsets is when Debezium confirms the LSN to PostgreSQL, which may then drop the WAL:
    // every second instead of Connect's 60 s keeps little WAL retained. It runs beside the send path; the latency
    // per second of a run shows no stall at each flush.
    'offset.flush.interval.ms': '1000',
    listeners: `http://127.0.0.1:${opts.restPort}`,
    'rest.advertised.host.name': '127.0.0.1',
    'rest.advertised.port': String(opts.restPort),
    'plugin.path': opts.pluginPath,
    'plugin.discovery': 'hybrid_warn',
    // Send each change as soon as Debezium hands it over. Kafka 4 changed the producer's default linger.ms from 0
    // to 5 (KIP-1030): measured at 1,000 changes/s, Debezium event -> broker append 4.1 ms p50 with 0 and 9.2 ms
    // with 5, and no CPU saved worth it (the batches Debezium hands over every poll interval already group records).
    'producer.linger.ms': '0',
    // No compression: kafkajs decodes only gzip without extra codecs, and on loopback compression only adds latency.
    'producer.compression.type': 'none',
    'scheduled.rebalance.max.delay.ms': '0',
  };
}

/** The Debezium PostgreSQL connector the stack registers: every table, pgoutput, tuned for low latency. */
export function debeziumConnectorConfig(opts: { pgPort: number; pgHost?: string }): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'plugin.name': 'pgoutput',
    'database.hostname': opts.pgHost ?? '127.0.0.1',
    'database.port': String(opts.pgPort),
    'database.user': names.databaseUser,
    'database.password': names.databasePassword,
    'database.dbname': names.database,
    'topic.prefix': names.topicPrefix,
    'slot.name': names.slotName,
    'publication.name': names.publicationName,
    'publication.autocreate.mode': 'all_tables',
    // The chat core keeps conversations and messages in schemas named chat* (chat/db) in the same database: they are
    // not change data for views, and a busy chat would otherwise stream every message through Debezium and Kafka.
    'schema.exclude.list': 'chat.*',
    'snapshot.mode': 'initial',
    // How long Debezium's streaming loop sleeps when PostgreSQL has nothing new, and how long Connect's poll waits
    // for a batch to fill: each change waits up to this twice. Debezium's default, 500 ms, is where published
    // Debezium pipelines' ~500 ms goes: measured here at 1,000 changes/s, commit -> consumed 569 ms p50 with 500.
    // Lower costs CPU even when idle: Debezium's queue poll spins through the last sub-millisecond of every
    // interval (ChangeEventQueue.poll waits remaining().toMillis(), 0 below 1 ms), so one idle connector burns
    // ~370 ms of CPU per second at 1 ms, ~120-140 at 5, ~86 at 10, ~37 at 25 (jcmd thread times). 10 ms: commit ->
    // consumed 10 ms p50 (7-8 ms at 5), at two thirds of the idle CPU of 5 ms, on 2-core machines every test shares.
    'poll.interval.ms': '10',
    // A poll returns early only when a batch is full; at steady rates batches stay small, in bursts and snapshots
    // they fill (2,048 records) and the queue (8,192) absorbs Connect being slower for a moment.
    'max.batch.size': '2048',
    'max.queue.size': '8192',
    // How often Debezium reports its flushed LSN to PostgreSQL (the default is 10 s).
    'status.update.interval.ms': '1000',
    // Views compute their freshness from the newest heartbeat (__debezium-heartbeat.<prefix>): at 100 ms an idle,
    // healthy source reads at most ~110 ms stale, well inside the 300 ms freshness budget (250 ms would come
    // close to it). Cost measured: ~10 small records/s on the heartbeat topic; the connector's CPU did not move
    // measurably (it runs on the same poll loop).
    'heartbeat.interval.ms': '100',
    'tombstones.on.delete': 'true',
    // Incremental snapshots on request (npx unics views rebuild --via debezium): signals are rows of the signal table,
    // which Debezium also uses for its snapshot windows; progress goes to the notification topic.
    'signal.enabled.channels': 'source',
    'signal.data.collection': names.signalTable,
    'notification.enabled.channels': 'sink',
    'notification.sink.topic.name': names.notificationTopic,
    'decimal.handling.mode': 'string',
    'topic.creation.default.replication.factor': '1',
    'topic.creation.default.partitions': '4',
    'topic.creation.default.cleanup.policy': 'delete',
  };
}

/** Renders a Java properties file. Values here never contain newlines; backslashes are escaped. */
export function renderProperties(props: Record<string, string>): string {
  return Object.entries(props)
    .map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\')}`)
    .join('\n') + '\n';
}
