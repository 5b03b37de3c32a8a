// The pure projection (STYLE.md 8): one decoded change event in, the row operation a view store applies out. The
// row's record is projected by the definition's field specs; its position becomes a key that sorts like the source's
// log, so a store ignores a replayed or older version with one string comparison.
import type { ChangeEvent, ChangePosition } from '../cdc/decode-change-event.ts';
import type { FieldSpec, RecordSpec, TableRole } from './view-definition.ts';

type Row = Readonly<Record<string, unknown>>;

interface OpBase {
  /** The row's position key (positionKey()); '' when the event carried none (then the change always applies). */
  readonly pos: string;
  /** The source's name (crm, shop, helpdesk). */
  readonly source: string;
  /** When the source committed the change (ms since epoch); null when unknown. */
  readonly tsMs: number | null;
  /** The projected record as JSON; null for a delete. */
  readonly record: string | null;
  /** Record fields whose columns Debezium could not read (TOAST): the stored values of these fields are kept. */
  readonly keep: readonly string[];
}

export type RowOp =
  | (OpBase & { readonly target: 'root'; readonly id: string; readonly links: Readonly<Record<string, string | null>> })
  | (OpBase & { readonly target: 'part'; readonly part: string; readonly id: string; readonly link: string | null })
  | (OpBase & {
      readonly target: 'child';
      readonly part: string;
      readonly child: string;
      readonly parentId: string;
      readonly id: string;
      /** The parent the row had before this change, when it moved to another parent. */
      readonly fromParentId: string | null;
    });

const PAD = 20; // digits of the largest unsigned 64-bit number

/** A string that sorts as comparePositions() orders: (commit LSN or LSN, LSN, snapshot reads first). */
export function positionKey(p: ChangePosition | null): string {
  if (p === null) return '';
  const commit = (p.commitLsn ?? p.lsn).toString().padStart(PAD, '0');
  return `${commit}:${p.lsn.toString().padStart(PAD, '0')}:${p.snapshot ? '0' : '1'}`;
}

const ZONED_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,9}Z$/;

function convert(value: unknown, as: 'text' | 'int' | 'iso-time' | 'lower'): unknown {
  if (value === null || value === undefined) return null;
  switch (as) {
    case 'text':
      return typeof value === 'string' ? value.trim() : String(value);
    case 'lower':
      return typeof value === 'string' ? value.toLowerCase() : value;
    case 'int': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      return n;
    }
    case 'iso-time': {
      // Debezium sends timestamptz as ISO text with microseconds (its ZonedTimestamp, UTC): cut to milliseconds
      // without parsing; timestamp (without zone) comes as epoch numbers; anything else is parsed.
      if (typeof value === 'string' && value.length >= 24 && value.endsWith('Z') && ZONED_UTC.test(value)) return `${value.slice(0, 23)}Z`;
      const ms = typeof value === 'number' ? (value > 1e14 ? value / 1000 : value) : Date.parse(String(value));
      return Number.isFinite(ms) ? new Date(ms).toISOString() : value;
    }
  }
}

function fieldValue(row: Row, spec: FieldSpec): unknown {
  if (typeof spec === 'string') return row[spec] ?? null;
  return convert(row[spec.column], spec.as);
}

/** A record spec's fields as a list, built once per spec (the projection runs per change). */
const compiled = new WeakMap<object, ReadonlyArray<{ field: string; column: string; spec: FieldSpec }>>();
function fieldsOf(fields: Readonly<Record<string, FieldSpec>>) {
  let list = compiled.get(fields);
  if (list === undefined) {
    list = Object.entries(fields).map(([field, spec]) => ({ field, column: typeof spec === 'string' ? spec : spec.column, spec }));
    compiled.set(fields, list);
  }
  return list;
}

/** The record of a row, and the record fields a set of unavailable columns feeds. */
export function projectRecord(spec: RecordSpec, row: Row, unavailable: readonly string[] = []): { record: Row; keep: string[] } {
  if (spec.fields === '*') return { record: row, keep: [...unavailable] };
  const record: Record<string, unknown> = {};
  const keep: string[] = [];
  const check = unavailable.length > 0;
  for (const f of fieldsOf(spec.fields)) {
    if (check && unavailable.includes(f.column)) keep.push(f.field);
    else record[f.field] = fieldValue(row, f.spec);
  }
  return { record, keep };
}

const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : typeof v === 'string' ? v : String(v));

function idIn(columns: readonly string[], row: Row | null): string | null {
  if (row === null) return null;
  if (columns.length === 1) return text(row[columns[0]!]);
  const values = columns.map((c) => text(row[c]));
  return values.every((v) => v !== null) ? values.join('|') : null;
}

function idOf(columns: readonly string[], ...rows: Array<Row | null>): string | null {
  for (const row of rows) {
    const id = idIn(columns, row);
    if (id !== null) return id;
  }
  return null;
}

export class ProjectionError extends Error {}

const NO_FIELDS: readonly string[] = Object.freeze([]);

/**
 * The row operation for one change of a table the view reads (root, part or child). Throws ProjectionError when the
 * event lacks what the view needs (no key, no parent); the pipeline dead-letters it. Truncates are not row changes:
 * the caller handles them.
 */
export function projectChange(role: TableRole, event: ChangeEvent): RowOp {
  const deleted = event.op === 'delete';
  const row = deleted ? event.before : event.after;
  const keyRow = event.key;
  const pos = positionKey(event.position);
  const source = role.source;
  const tsMs = event.sourceTsMs;
  const where = () => `${event.schema ?? '?'}.${event.table ?? '?'}`;
  const projected = deleted || row === null ? null : projectRecord(role.spec, row, event.unavailable);
  const record = projected === null ? null : JSON.stringify(projected.record);
  const keep = projected === null ? NO_FIELDS : projected.keep;

  switch (role.kind) {
    case 'root': {
      const id = idOf([role.spec.key], keyRow, row, event.before);
      if (id === null) throw new ProjectionError(`${where()}: no value for the view's key column ${role.spec.key}`);
      const links: Record<string, string | null> = {};
      // A delete's links are the stored ones (the store knows them); an update's come from the new row.
      if (!deleted && row !== null) for (const [name, column] of Object.entries(role.spec.links)) links[name] = text(row[column]);
      return { pos, source, tsMs, record, keep, target: 'root', id, links };
    }
    case 'part': {
      const id = idOf(role.spec.key, keyRow, row, event.before);
      if (id === null) throw new ProjectionError(`${where()}: no value for the key columns ${role.spec.key.join(', ')}`);
      const link = deleted || row === null ? null : text(row[role.spec.linkColumn]);
      return { pos, source, tsMs, record, keep, target: 'part', part: role.spec.name, id, link };
    }
    case 'child': {
      const id = idOf(role.spec.key, keyRow, row, event.before);
      if (id === null) throw new ProjectionError(`${where()}: no value for the key columns ${role.spec.key.join(', ')}`);
      const parentId = text(row?.[role.spec.parentColumn]) ?? text(event.before?.[role.spec.parentColumn]) ?? text(keyRow?.[role.spec.parentColumn]);
      if (parentId === null) throw new ProjectionError(`${where()}: no value for the parent column ${role.spec.parentColumn}`);
      const before = text(event.before?.[role.spec.parentColumn]);
      const fromParentId = !deleted && before !== null && before !== parentId ? before : null;
      return { pos, source, tsMs, record, keep, target: 'child', part: role.part.name, child: role.spec.name, parentId, id, fromParentId };
    }
  }
}
