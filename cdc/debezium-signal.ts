// Asking Debezium for an incremental snapshot (its source signal channel) and reading its progress (its sink
// notification channel). The signal is a row in the signal table; Debezium answers with notifications on a topic,
// carrying the signal's id: STARTED, IN_PROGRESS per chunk, TABLE_SCAN_COMPLETED per table (with the rows scanned),
// COMPLETED or ABORTED. The snapshot's rows arrive on the tables' usual topics as reads (`op: "r"`,
// `source.snapshot: "incremental"`), interleaved with the stream, so the view pipeline applies them like any change.
import { randomUUID } from 'node:crypto';
import { cdcErr } from './error-catalogue.ts';

/** The part of a pg Pool (or client) this needs. */
export interface SignalQueryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

const QUALIFIED = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

function checkTable(table: string, what: string): string {
  if (!QUALIFIED.test(table)) {
    throw cdcErr.CDC_ERR_SIGNAL_FAILED(`${what} must be a lower-case "schema.table" name like "public.debezium_signal", but got ${JSON.stringify(table)}`);
  }
  return table;
}

/** Creates Debezium's signal table when it does not exist (the layout Debezium requires: id, type, data). */
export async function ensureSignalTable(db: SignalQueryable, table: string): Promise<void> {
  const t = checkTable(table, 'the signal table');
  const [schema] = t.split('.') as [string, string];
  await db.query(`create schema if not exists ${schema}`);
  await db.query(`create table if not exists ${t} (id varchar(42) primary key, type varchar(32) not null, data varchar(2048) null)`);
}

/** Inserts an execute-snapshot signal for `collections` ("schema.table"); returns the signal's id. */
export async function requestIncrementalSnapshot(db: SignalQueryable, table: string, collections: readonly string[]): Promise<string> {
  const t = checkTable(table, 'the signal table');
  if (collections.length === 0) throw cdcErr.CDC_ERR_SIGNAL_FAILED('an incremental snapshot needs at least one "schema.table" to read');
  for (const c of collections) checkTable(c, 'each data collection');
  const id = `unics-${randomUUID()}`.slice(0, 42);
  const data = JSON.stringify({ 'data-collections': collections, type: 'incremental' });
  try {
    await db.query(`insert into ${t} (id, type, data) values ($1, 'execute-snapshot', $2)`, [id, data]);
  } catch (err) {
    throw cdcErr.CDC_ERR_SIGNAL_FAILED(`could not write the snapshot signal into ${t}: ${(err as Error).message}`, { cause: err });
  }
  return id;
}

export type SnapshotNotification =
  | { readonly kind: 'started'; readonly id: string; readonly collections: readonly string[] }
  | { readonly kind: 'in_progress'; readonly id: string; readonly collection: string | null }
  | { readonly kind: 'table_done'; readonly id: string; readonly collection: string; readonly rows: number | null; readonly status: string | null }
  | { readonly kind: 'completed'; readonly id: string }
  | { readonly kind: 'aborted'; readonly id: string }
  | { readonly kind: 'other'; readonly id: string; readonly type: string };

/**
 * One message of the notification topic, or null when it is not an incremental snapshot's (initial snapshots and
 * other aggregates share the topic). Accepts JsonConverter's {schema, payload} wrapping too.
 */
export function parseSnapshotNotification(value: string | Buffer | null): SnapshotNotification | null {
  if (value === null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(value.toString());
  } catch {
    return null;
  }
  if (doc !== null && typeof doc === 'object' && 'payload' in doc && 'schema' in doc) doc = (doc as { payload: unknown }).payload;
  if (doc === null || typeof doc !== 'object') return null;
  const n = doc as { id?: unknown; aggregate_type?: unknown; type?: unknown; additional_data?: Record<string, unknown> };
  if (n.aggregate_type !== 'Incremental Snapshot' || typeof n.id !== 'string' || typeof n.type !== 'string') return null;
  const data = n.additional_data ?? {};
  const text = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : null);
  const list = (k: string) => (text(k) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  switch (n.type) {
    case 'STARTED':
      return { kind: 'started', id: n.id, collections: list('data_collections') };
    case 'IN_PROGRESS':
      return { kind: 'in_progress', id: n.id, collection: text('current_collection_in_progress') };
    case 'TABLE_SCAN_COMPLETED': {
      const rows = Number(text('total_rows_scanned'));
      return { kind: 'table_done', id: n.id, collection: text('scanned_collection') ?? text('data_collection') ?? '', rows: Number.isFinite(rows) ? rows : null, status: text('status') };
    }
    case 'COMPLETED':
      return { kind: 'completed', id: n.id };
    case 'ABORTED':
      return { kind: 'aborted', id: n.id };
    default:
      return { kind: 'other', id: n.id, type: n.type };
  }
}
