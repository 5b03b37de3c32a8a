// The sql adapter's I/O shell: a pg pool, one query per batch (keys as a text[] in $1), and cancellation that
// reaches the server: when the caller's signal aborts, the call rejects at once with the abort reason and the
// running statement is cancelled with pg_cancel_backend from a separate connection (a busy pool cannot delay it).
// The connection that ran it is discarded rather than reused, so a late cancel can never hit the next statement.
import pg from 'pg';
import type { TimerHandle } from '../../common/clock.ts';
import type { BatchResult, CommandInfo, Connector, ConnectorDeps, EntityInfo, KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { abortError } from '../http/http-client.ts';
import { loadInChunks } from '../load-in-chunks.ts';
import type { SqlConfig } from './sql-config.ts';
import { mapPgError } from './map-pg-error.ts';
import { alignRows, commandValues, parseInt8, timestamptzToIso } from './sql-mapping.ts';

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;
/** How long a cancelled statement may take to stop before its connection is closed anyway. */
const CANCEL_GRACE_MS = 5_000;

interface QueryOutcome {
  readonly rows: Record<string, unknown>[];
  readonly columns: string[];
  readonly rowCount: number;
}

export function createSqlConnector(config: SqlConfig, deps: ConnectorDeps): Connector {
  const name = config.name;
  const connection = {
    connectionString: config.databaseUrl,
    connectionTimeoutMillis: config.connectTimeout,
    application_name: `unics:${name}`.slice(0, 63),
  };
  const pool = new pg.Pool({ ...connection, max: config.poolSize });
  // A pooled connection that dies while idle (a server restart) is replaced by the pool; it must not crash us.
  pool.on('error', (err) => deps.log.warn({ err: { message: err.message } }, 'sql connector: an idle connection failed'));

  const toIso = timestamptzToIso(pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => unknown);
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8_OID) return parseInt8;
      if (oid === TIMESTAMPTZ_OID) return toIso;
      return pg.types.getTypeParser(oid, format);
    }) as pg.CustomTypesConfig['getTypeParser'],
  };

  const entities = new Map<string, EntityInfo>(Object.entries(config.entities).map(([n, e]) => [n, { name: n, many: e.many, maxBatchSize: e.maxBatchSize }]));
  const commands = new Map<string, CommandInfo>(Object.entries(config.commands).map(([n, c]) => [n, { name: n, idempotent: c.idempotent }]));
  /** Cancellations still finishing in the background; close() waits for them. */
  const cleanups = new Set<Promise<void>>();

  /** Cancels whatever backend `pid` is running, from a connection of its own. */
  async function cancelBackend(pid: number): Promise<void> {
    const client = new pg.Client(connection);
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Takes a pooled connection, or gives up when the signal aborts (a connection arriving later goes back). */
  function connect(signal: AbortSignal, what: string): Promise<pg.PoolClient> {
    const connecting = pool.connect();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        reject(abortError(name, signal));
        connecting.then((c) => c.release(), () => {});
      };
      signal.addEventListener('abort', onAbort, { once: true });
      connecting.then(
        (c) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) c.release();
          else resolve(c);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (!signal.aborted) reject(mapPgError(err, { connector: name, what }));
        },
      );
    });
  }

  async function run(text: string, values: unknown[], signal: AbortSignal, what: string): Promise<QueryOutcome> {
    if (signal.aborted) throw abortError(name, signal);
    const client = await connect(signal, what);
    const pid = (client as unknown as { processID: number }).processID;
    const running = client.query<Record<string, unknown>>({ text, values, types });
    return new Promise<QueryOutcome>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        settled = true;
        reject(abortError(name, signal));
        const done = cancelAndDiscard(client, pid, running);
        cleanups.add(done);
        void done.finally(() => cleanups.delete(done));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      running.then(
        (res) => {
          signal.removeEventListener('abort', onAbort);
          if (settled) return;
          client.release();
          resolve({ rows: res.rows, columns: res.fields.map((f) => f.name), rowCount: res.rowCount ?? res.rows.length });
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (settled) return;
          const mapped = mapPgError(err, { connector: name, what });
          // A statement error leaves the connection usable; a broken connection must not go back to the pool.
          client.release(mapped.code === 'CONN_ERR_UNAVAILABLE' ? (err as Error) : undefined);
          reject(mapped);
        },
      );
    });
  }

  async function cancelAndDiscard(client: pg.PoolClient, pid: number, running: Promise<unknown>): Promise<void> {
    let timer: TimerHandle | undefined;
    try {
      await cancelBackend(pid).catch((err: unknown) =>
        deps.log.warn({ err: { message: (err as Error).message }, pid }, 'sql connector: could not cancel a statement on the server'),
      );
      const grace = new Promise<void>((r) => (timer = deps.clock.setTimeout(r, CANCEL_GRACE_MS)));
      await Promise.race([running.then(() => {}, () => {}), grace]);
    } finally {
      if (timer !== undefined) deps.clock.clearTimeout(timer);
      client.release(true); // closed, never reused
    }
  }

  async function loadChunk(entity: string, keys: readonly string[], signal: AbortSignal): Promise<Map<string, KeyResult>> {
    const e = config.entities[entity]!;
    const res = await run(e.query, [keys], signal, `entity "${entity}"`);
    return alignRows({ connector: name, entity }, keys, res.rows, res.columns, e.keyColumn, e.many);
  }

  return {
    name,
    kind: 'sql',
    entities,
    commands,

    async load(entity, keys, ctx): Promise<BatchResult> {
      const e = config.entities[entity];
      if (!e) throw connErr.CONN_ERR_UNKNOWN_ENTITY(`connector "${name}" has no entity "${entity}"; it has ${[...entities.keys()].join(', ') || 'none'}`);
      if (keys.length === 0) return new Map();
      return loadInChunks(keys, e.maxBatchSize, (c) => loadChunk(entity, c, ctx.signal), { abort: { connector: name, signal: ctx.signal } });
    },

    async call(command, input, ctx) {
      const c = config.commands[command];
      if (!c) throw connErr.CONN_ERR_UNKNOWN_ENTITY(`connector "${name}" has no command "${command}"; it has ${[...commands.keys()].join(', ') || 'none'}`);
      const res = await run(c.query, commandValues(name, command, c.params, input), ctx.signal, `command "${command}"`);
      return { rowCount: res.rowCount, rows: res.rows };
    },

    async check(signal) {
      await run('select 1', [], signal, 'check');
    },

    async close() {
      await Promise.allSettled([...cleanups]);
      await pool.end();
    },
  };
}

