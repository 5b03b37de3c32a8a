// `npx unics views rebuild`: rebuilds the customer views of one tenant from snapshots of their sources while the
// pipeline and the gateway keep running. Tables a capture entry polls (crm.contacts, helpdesk.tickets) are read in
// full through that capture's change source; the others (the shop's) from one consistent PostgreSQL snapshot. Rows
// go in as snapshot reads at the snapshot's position, so a change streamed meanwhile is never overwritten by older
// snapshot data. With --clear the tenant's views are dropped first (reads fall back to live until each is back).
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import { commonErrors, systemClock, type Clock } from '../common/index.ts';
import { createCrmChangeSource, createHelpdeskChangeSource, type ChangeSource } from '../cdc/index.ts';
import { authConfigSchema } from '../connectors/http/upstream-auth.ts';
import {
  changeSourceSnapshot,
  createKafkaViewTopicSink,
  createRedisViewStore,
  customer360,
  indexTables,
  openPgSnapshot,
  rebuildViews,
  type PgSnapshot,
  type RebuildReport,
  type SnapshotSource,
  type ViewDefinition,
} from '../materialized-views/index.ts';
import type { Config } from './config.ts';
import { createProgressBar } from './progress-bar.ts';
import { connectorEndpoint } from './start-captures.ts';

const CAPTURED_TABLE = { crm: 'crm.contacts', helpdesk: 'helpdesk.tickets' } as const;

export interface RebuildCommandOptions {
  readonly tenant?: string;
  readonly clear?: boolean;
  /** Where the progress bar goes (stderr). */
  readonly progress: NodeJS.WritableStream & { isTTY?: boolean };
  readonly clock?: Clock;
  /** The view to rebuild; default customer360 (tests point it at tables of their own). */
  readonly definition?: ViewDefinition;
  /**
   * How the PostgreSQL tables are re-read: "snapshot" (default) reads them here in one consistent snapshot;
   * "debezium" asks the Debezium connector for an incremental snapshot and waits until the running view pipeline
   * applied it (needs Kafka, the connector's signal table and notification topic: config views.debezium).
   */
  readonly via?: 'snapshot' | 'debezium';
  /** --via debezium: give up when Debezium reports no progress for this long. Default 60 s. */
  readonly idleTimeoutMs?: number;
}

const configError = (message: string) => commonErrors.errors.COMMON_ERR_CONFIG_INVALID(message);

export async function runViewsRebuild(config: Config, opts: RebuildCommandOptions): Promise<RebuildReport> {
  const clock = opts.clock ?? systemClock;
  const startedMs = clock.now();
  const { redisUrl, databaseUrl, kafkaBrokers } = config.services;
  if (redisUrl === undefined) throw configError('unics views rebuild: services.redisUrl (REDIS_URL) is not set: the views live in Redis');
  const tenant = opts.tenant ?? config.views.tenant;
  const definition = opts.definition ?? customer360;
  const tables = indexTables(definition);

  // Which table comes from where: a capture's change source, else PostgreSQL.
  const captured = new Map<string, Config['capture'][number]>();
  const rootTable = definition.root.table;
  const ticketsTable = definition.parts.find((p) => p.source === 'helpdesk')?.table ?? CAPTURED_TABLE.helpdesk;
  for (const c of config.capture) captured.set(c.kind === 'crm' ? rootTable : ticketsTable, c);
  const fromPg = [...tables.entries()].filter(([table]) => !captured.has(table));
  const viaDebezium = opts.via === 'debezium';
  if (viaDebezium && kafkaBrokers === undefined) throw configError('unics views rebuild --via debezium: services.kafkaBrokers (KAFKA_BROKERS) is not set: Debezium sends the snapshot through Kafka');
  if (fromPg.length > 0 && databaseUrl === undefined) {
    throw configError(`unics views rebuild: ${fromPg.map(([t]) => t).join(', ')} are read from PostgreSQL, but services.databaseUrl (DATABASE_URL) is not set`);
  }

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const pool = databaseUrl !== undefined && fromPg.length > 0 ? new pg.Pool({ connectionString: databaseUrl, max: 2 }) : undefined;
  const changeSources: ChangeSource[] = [];
  let snapshot: PgSnapshot | undefined;
  let kafka: { producer: Producer } | undefined;
  try {
    const sources: SnapshotSource[] = [];
    const debeziumTables: string[] = [];
    if (pool !== undefined) {
      // A table neither captured nor in PostgreSQL is left out, and said so (its rows keep what the stream gave).
      const present: typeof fromPg = [];
      for (const entry of fromPg) {
        const { rows } = await pool.query<{ found: boolean }>('select to_regclass($1) is not null as found', [entry[0]]);
        if (rows[0]?.found) present.push(entry);
        else opts.progress.write(`${entry[0]}: not in PostgreSQL and no capture entry polls it; skipped\n`);
      }
      if (viaDebezium) {
        debeziumTables.push(...present.map(([table]) => table));
      } else {
        snapshot = await openPgSnapshot(pool, present.map(([table, role]) => ({ table, key: role.kind === 'root' ? [role.spec.key] : role.spec.key })));
        sources.push(...snapshot.sources);
      }
    }
    for (const [table, c] of captured) {
      const { endpoint, auth } = connectorEndpoint(config, c);
      let source: ChangeSource;
      if (c.kind === 'crm') {
        const parsed = authConfigSchema.safeParse(auth);
        if (!parsed.success) throw configError(`unics views rebuild: connector "${c.connector}" needs an auth block the CRM accepts`);
        source = createCrmChangeSource({ baseUrl: endpoint, auth: parsed.data, name: c.name, clock });
      } else {
        source = createHelpdeskChangeSource({ url: endpoint, name: c.name, clock });
      }
      changeSources.push(source);
      sources.push(changeSourceSnapshot(source, table));
    }
    // Parts before the root: rows wait for their contact, and each view is composed once when the contact arrives.
    sources.sort((a, b) => Number(tables.get(a.table)?.kind === 'root') - Number(tables.get(b.table)?.kind === 'root'));

    const store = createRedisViewStore({ redis, definition });
    let onViews: Parameters<typeof rebuildViews>[0]['onViews'];
    if (kafkaBrokers !== undefined && config.views.changefeedTopic !== false) {
      const producer = new Kafka({ clientId: 'unics-views-rebuild', brokers: [...kafkaBrokers], logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      kafka = { producer };
      const sink = createKafkaViewTopicSink(producer, store, config.views.changefeedTopic);
      const appliedAtMs = clock.now();
      onViews = (views) => sink.publish(views.map((v) => ({ tenant, customerId: v.id, version: v.version, deleted: v.deleted, reasons: [], appliedAtMs, sourceTsMs: null })));
    }

    const bar = createProgressBar(opts.progress, () => clock.now());
    let viaDebeziumRows = 0;
    if (debeziumTables.length > 0 && pool !== undefined && kafkaBrokers !== undefined) {
      if (opts.clear) await store.clear(tenant);
      const { rebuildTablesViaDebezium } = await import('./views-rebuild-debezium.ts');
      const dbz = config.views.debezium;
      viaDebeziumRows = (await rebuildTablesViaDebezium({
        pool,
        brokers: kafkaBrokers,
        tables: debeziumTables,
        signalTable: dbz.signalTable,
        notificationTopic: dbz.notificationTopic,
        topicPrefix: dbz.topicPrefix,
        viewsGroupId: config.views.groupId,
        onProgress: (label, done, total) => bar.update(label, done, total),
        ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      })).rows;
    }
    const rebuilt = await rebuildViews({
      store,
      definition,
      tenant,
      sources,
      clear: (opts.clear ?? false) && debeziumTables.length === 0,
      onProgress: (p) => bar.update(p.table, p.done, p.total),
      ...(onViews ? { onViews } : {}),
      now: () => clock.now(),
    });
    const report: RebuildReport = { ...rebuilt, rows: rebuilt.rows + viaDebeziumRows, ms: clock.now() - startedMs };
    bar.done(`rebuilt the ${definition.name} views of tenant ${tenant}: ${report.rows.toLocaleString('en-US')} rows, ${report.viewWrites.toLocaleString('en-US')} view writes, ${report.rejected.length} rows rejected, in ${(report.ms / 1000).toFixed(1)} s`);
    return report;
  } finally {
    await snapshot?.close();
    await pool?.end();
    for (const s of changeSources) await s.close().catch(() => {});
    await kafka?.producer.disconnect().catch(() => {});
    await redis.quit().catch(() => redis.disconnect());
  }
}
