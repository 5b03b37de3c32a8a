// Pure decoding of Debezium-format change events (STYLE.md 8): one Kafka message in, one typed event out, or a
// CDC_ERR_POISON error saying why it can never be applied. Handles JSON with and without the schema/payload wrapper,
// records flattened by ExtractNewRecordState (with __deleted), ops c/u/d/r/t/m, tombstones, snapshot markers, TOAST
// placeholders (never to overwrite stored values) and heartbeats.
import { cdcErr } from './error-catalogue.ts';

export interface RawMessage {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly partition?: number;
  readonly offset?: string;
}

export type ChangeOp = 'create' | 'update' | 'delete' | 'read' | 'truncate';

/** Where a change sits in the source's log. The LSN alone is not unique: snapshot reads share one, and so can the
 * events of one transaction, so positions compare by (commit LSN, LSN) and snapshot reads sort before streamed
 * changes at the same LSN. */
export interface ChangePosition {
  readonly commitLsn: bigint | null;
  readonly lsn: bigint;
  readonly txId: number | null;
  readonly snapshot: boolean;
}

export interface ChangeEvent {
  readonly kind: 'change';
  readonly op: ChangeOp;
  readonly schema: string | null;
  readonly table: string | null;
  /** The row key (primary key columns); null for a truncate. */
  readonly key: Readonly<Record<string, unknown>> | null;
  readonly before: Readonly<Record<string, unknown>> | null;
  /** The new row, without TOAST placeholder columns (listed in `unavailable`: keep their stored values). */
  readonly after: Readonly<Record<string, unknown>> | null;
  readonly unavailable: readonly string[];
  readonly position: ChangePosition | null;
  /** Debezium's source.snapshot: "false" when streamed, else "true", "first", "last", "incremental", ... */
  readonly snapshot: string;
  /** When the source committed the change (ms since epoch); null when unknown (some flattened records). */
  readonly sourceTsMs: number | null;
  /** When Debezium processed it (ms since epoch). */
  readonly eventTsMs: number | null;
  /** True when it came flattened by ExtractNewRecordState. */
  readonly flattened: boolean;
}

export interface TombstoneEvent {
  readonly kind: 'tombstone';
  readonly key: Readonly<Record<string, unknown>> | null;
}

export interface HeartbeatEvent {
  readonly kind: 'heartbeat';
  readonly tsMs: number;
}

export interface LogicalMessageEvent {
  readonly kind: 'message';
  readonly prefix: string;
  readonly content: string | null;
  readonly position: ChangePosition | null;
  readonly sourceTsMs: number | null;
}

export type DecodedEvent = ChangeEvent | TombstoneEvent | HeartbeatEvent | LogicalMessageEvent;

/** Debezium writes this in place of an unchanged TOASTed value it could not read (unavailable.value.placeholder). */
export const TOAST_PLACEHOLDER = '__debezium_unavailable_value';
const TOAST_PLACEHOLDER_BASE64 = Buffer.from(TOAST_PLACEHOLDER).toString('base64');

const OPS: Readonly<Record<string, ChangeOp | 'message'>> = { c: 'create', u: 'update', d: 'delete', r: 'read', t: 'truncate', m: 'message' };

type Json = Record<string, unknown>;

function poison(msg: RawMessage, reason: string): Error {
  const where = `${msg.topic}${msg.partition !== undefined ? `[${msg.partition}]` : ''}${msg.offset !== undefined ? `@${msg.offset}` : ''}`;
  return cdcErr.CDC_ERR_POISON(`change event ${where}: ${reason}`, { details: { topic: msg.topic, partition: msg.partition, offset: msg.offset, reason } });
}

function parseJson(msg: RawMessage, raw: Buffer | string, what: 'key' | 'value'): unknown {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw poison(msg, `the ${what} is not JSON (${(err as Error).message}); expected a Debezium JSON ${what}`);
  }
}

/** Unwraps JsonConverter's {schema, payload} form (schemas.enable=true); leaves plain JSON as it is. */
export function unwrapPayload(value: unknown): unknown {
  // The key list is only built for objects that have both fields (rare: schemas.enable=true), not per message.
  if (value !== null && typeof value === 'object' && 'payload' in value && 'schema' in value && !Array.isArray(value) && Object.keys(value).length === 2) {
    return (value as { payload: unknown }).payload;
  }
  return value;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const DIGITS = /^\d+$/;

function toBigInt(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && DIGITS.test(v)) return BigInt(v);
  return null;
}

/** Debezium's source.sequence as PostgreSQL writes it: ["<commit LSN of the last transaction>","<LSN>"]. */
const SEQUENCE = /^\["(\d+)",/;

function positionOf(source: Json, snapshot: boolean): ChangePosition | null {
  const lsn = toBigInt(source.lsn);
  if (lsn === null) return null;
  let commitLsn: bigint | null = null;
  const sequence = source.sequence;
  if (typeof sequence === 'string') {
    // The usual shape without a JSON parse; anything else (numbers, null first entry) the general way.
    const m = SEQUENCE.exec(sequence);
    if (m !== null) commitLsn = BigInt(m[1]!);
    else {
      try {
        const seq = JSON.parse(sequence) as unknown;
        if (Array.isArray(seq)) commitLsn = toBigInt(seq[0]);
      } catch {
        /* an unreadable sequence leaves the commit LSN unknown; the LSN still orders the event */
      }
    }
  }
  return { commitLsn, lsn, txId: typeof source.txId === 'number' ? source.txId : null, snapshot };
}

/** Orders two positions: negative when `a` comes first. */
export function comparePositions(a: ChangePosition, b: ChangePosition): number {
  const ca = a.commitLsn ?? a.lsn;
  const cb = b.commitLsn ?? b.lsn;
  if (ca !== cb) return ca < cb ? -1 : 1;
  if (a.lsn !== b.lsn) return a.lsn < b.lsn ? -1 : 1;
  if (a.snapshot !== b.snapshot) return a.snapshot ? -1 : 1;
  return 0;
}

function isPlaceholder(v: unknown): boolean {
  if (v === TOAST_PLACEHOLDER || v === TOAST_PLACEHOLDER_BASE64) return true;
  return Array.isArray(v) && v.length === 1 && (v[0] === TOAST_PLACEHOLDER || v[0] === TOAST_PLACEHOLDER_BASE64);
}

const NONE: readonly string[] = Object.freeze([]);

function withoutPlaceholders(row: Json | null): { row: Json | null; unavailable: readonly string[] } {
  if (!row) return { row, unavailable: NONE };
  let unavailable: string[] | undefined;
  for (const k in row) {
    const v = row[k];
    // Only strings and one-element arrays can be placeholders: the common row costs one typeof per column.
    if ((typeof v === 'string' || Array.isArray(v)) && isPlaceholder(v)) (unavailable ??= []).push(k);
  }
  if (unavailable === undefined) return { row, unavailable: NONE };
  const clean: Json = {};
  for (const [k, v] of Object.entries(row)) if (!unavailable.includes(k)) clean[k] = v;
  return { row: clean, unavailable };
}

const topicTables = new Map<string, { schema: string | null; table: string | null }>();

function tableFromTopic(topic: string): { schema: string | null; table: string | null } {
  let known = topicTables.get(topic);
  if (known === undefined) {
    const parts = topic.split('.');
    known = parts.length >= 3 ? { schema: parts[parts.length - 2]!, table: parts[parts.length - 1]! } : { schema: null, table: null };
    if (topicTables.size < 10_000) topicTables.set(topic, known);
  }
  return known;
}

function decodeFlattened(msg: RawMessage, key: Json | null, row: Json): ChangeEvent {
  const deleted = row.__deleted === true || row.__deleted === 'true';
  const opCode = typeof row.__op === 'string' ? row.__op : undefined;
  const op = opCode !== undefined ? OPS[opCode] : deleted ? 'delete' : 'update';
  if (op === undefined || op === 'message') throw poison(msg, `unknown __op ${JSON.stringify(opCode)} in a flattened record; expected c, u, d or r`);
  const data: Json = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('__')) data[k] = v;
  const { row: after, unavailable } = withoutPlaceholders(data);
  const lsn = toBigInt(row.__lsn);
  const snapshotFlag = typeof row.__source_snapshot === 'string' ? row.__source_snapshot : 'false';
  const { schema, table } = tableFromTopic(msg.topic);
  return {
    kind: 'change',
    op: deleted ? 'delete' : op,
    schema: typeof row.__source_schema === 'string' ? row.__source_schema : schema,
    table: typeof row.__table === 'string' ? row.__table : table,
    key,
    before: deleted ? after : null,
    after: deleted ? null : after,
    unavailable,
    position: lsn === null ? null : { commitLsn: null, lsn, txId: null, snapshot: snapshotFlag !== 'false' },
    snapshot: snapshotFlag,
    sourceTsMs: typeof row.__source_ts_ms === 'number' ? row.__source_ts_ms : null,
    eventTsMs: typeof row.__ts_ms === 'number' ? row.__ts_ms : null,
    flattened: true,
  };
}

/** Decodes one Kafka message. Throws CDC_ERR_POISON for anything that can never be applied. */
export function decodeChangeEvent(msg: RawMessage): DecodedEvent {
  const key = msg.key === null || msg.key === undefined ? null : unwrapPayload(parseJson(msg, msg.key, 'key'));
  if (key !== null && !isObject(key)) throw poison(msg, `the key must be a JSON object of key columns, but is ${Array.isArray(key) ? 'an array' : typeof key}`);

  if (msg.value === null || msg.value === undefined || (typeof msg.value !== 'string' && msg.value.length === 0)) {
    return { kind: 'tombstone', key };
  }
  const value = unwrapPayload(parseJson(msg, msg.value, 'value'));
  if (!isObject(value)) throw poison(msg, `the value must be a JSON object, but is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);

  // Heartbeats: {"ts_ms": ...} on __debezium-heartbeat.<prefix>, keyed by {"serverName": ...}.
  if (msg.topic.startsWith('__debezium-heartbeat') || (typeof value.ts_ms === 'number' && !('op' in value) && Object.keys(value).length === 1)) {
    if (typeof value.ts_ms !== 'number') throw poison(msg, 'a heartbeat without ts_ms');
    return { kind: 'heartbeat', tsMs: value.ts_ms };
  }

  if (!('op' in value) && !('source' in value)) {
    if (key === null) throw poison(msg, 'a record without an envelope (no op, no source) and without a key; expected a Debezium envelope or an ExtractNewRecordState record with its key');
    return decodeFlattened(msg, key, value);
  }

  const op = typeof value.op === 'string' ? OPS[value.op] : undefined;
  if (op === undefined) throw poison(msg, `unknown op ${JSON.stringify(value.op)}; expected one of c, u, d, r, t, m`);
  if (!isObject(value.source)) throw poison(msg, `op ${JSON.stringify(value.op)} without a source block`);
  const source = value.source;
  const snapshot = typeof source.snapshot === 'string' ? source.snapshot : source.snapshot === true ? 'true' : 'false';
  const position = positionOf(source, snapshot !== 'false');
  const sourceTsMs = typeof source.ts_ms === 'number' ? source.ts_ms : null;

  if (op === 'message') {
    const message = isObject(value.message) ? value.message : {};
    return {
      kind: 'message',
      prefix: typeof message.prefix === 'string' ? message.prefix : '',
      content: typeof message.content === 'string' ? message.content : null,
      position,
      sourceTsMs,
    };
  }

  const before = value.before === null || value.before === undefined ? null : value.before;
  const afterRaw = value.after === null || value.after === undefined ? null : value.after;
  if ((before !== null && !isObject(before)) || (afterRaw !== null && !isObject(afterRaw))) throw poison(msg, 'before and after must be JSON objects or null');
  if ((op === 'create' || op === 'read' || op === 'update') && afterRaw === null) throw poison(msg, `op ${JSON.stringify(value.op)} without an after row`);
  if (op === 'delete' && before === null && key === null) throw poison(msg, 'a delete with neither a before row nor a key: nothing says which row went');
  const { row: after, unavailable } = withoutPlaceholders(afterRaw);
  const { schema, table } = tableFromTopic(msg.topic);
  return {
    kind: 'change',
    op,
    schema: typeof source.schema === 'string' ? source.schema : schema,
    table: typeof source.table === 'string' ? source.table : table,
    key: op === 'truncate' ? null : key,
    before,
    after,
    unavailable,
    position,
    snapshot,
    sourceTsMs,
    eventTsMs: typeof value.ts_ms === 'number' ? value.ts_ms : null,
    flattened: false,
  };
}
