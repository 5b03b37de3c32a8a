// The xml adapter's response mapping (pure): records found at `recordPath`, matched to the requested keys by the
// text at `keyField` (never by position), each mapped through `fields` to a flat object. A record whose fields do
// not fit (a date that is not a date) fails only its own key.
import type { UnicsError } from '../../common/errors.ts';
import { alignByKey, failed, ok, type KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import type { FieldSpec, XmlEntityConfig } from './xml-config.ts';
import type { XmlDocument, XmlNode } from './safe-xml.ts';
import { selectAll, selectText, textOf } from './xml-path.ts';

export type MappedRecord = Readonly<Record<string, unknown>>;

/** What the mapping needs of an entity (a subset of its config, so tests can build one by hand). */
export type RecordMapping = Pick<XmlEntityConfig, 'recordPath' | 'keyField' | 'fields' | 'many'>;

export interface MappingContext {
  readonly connector: string;
  readonly entity: string;
}

const who = (ctx: MappingContext) => `connector "${ctx.connector}": entity "${ctx.entity}"`;
const show = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The repeated record elements of a document; rejects a document whose root is not the one recordPath starts at. */
export function extractRecords(doc: XmlDocument, mapping: RecordMapping, ctx: MappingContext): XmlNode[] {
  const rootName = mapping.recordPath.steps[0]?.name ?? '';
  if (!Object.hasOwn(doc, rootName)) {
    const actual = Object.keys(doc)[0] ?? '(none)';
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(
      `${who(ctx)}: expected a <${rootName}> document (recordPath ${mapping.recordPath.text}), but the upstream answered <${actual}>`,
    );
  }
  return selectAll(doc, mapping.recordPath);
}

/** The key of a record (trimmed text at keyField), or undefined when it has none. */
export function recordKey(record: XmlNode, mapping: RecordMapping): string | undefined {
  const key = selectText(record, mapping.keyField)?.trim();
  return key === '' ? undefined : key;
}

/** Maps one record through `fields`; without fields the record is returned as parsed. Throws CONN_ERR_MALFORMED_RESPONSE. */
export function mapRecord(record: XmlNode, mapping: RecordMapping, ctx: MappingContext): unknown {
  if (mapping.fields === undefined) return record;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(mapping.fields)) {
    Object.defineProperty(out, name, { value: fieldValue(record, name, spec, ctx), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function fieldValue(record: XmlNode, name: string, spec: FieldSpec, ctx: MappingContext): unknown {
  if (spec.list) {
    return selectAll(record, spec.path).flatMap((node) => {
      const text = textOf(node);
      return text === undefined ? [] : [convert(text, undefined, name, spec, ctx)];
    });
  }
  const text = selectText(record, spec.path);
  if (text === undefined) return null;
  const time = spec.time === undefined ? undefined : selectText(record, spec.time);
  return convert(text, time, name, spec, ctx);
}

function convert(text: string, time: string | undefined, name: string, spec: FieldSpec, ctx: MappingContext): unknown {
  if (spec.values !== undefined && Object.hasOwn(spec.values, text)) return spec.values[text];
  const bad = (expected: string) =>
    connErr.CONN_ERR_MALFORMED_RESPONSE(`${who(ctx)}: field "${name}" (${spec.path.text}) must be ${expected}, but the upstream sent ${show(text)}`);
  switch (spec.type) {
    case 'string':
      return text;
    case 'number':
    case 'integer': {
      if (text.trim() === '') return null;
      // SAP writes negative amounts with a trailing minus ("12.50-").
      const normal = /^\s*\d+(?:\.\d+)?-\s*$/.test(text) ? `-${text.trim().slice(0, -1)}` : text.trim();
      const n = Number(normal);
      if (!Number.isFinite(n) || (spec.type === 'integer' && !Number.isInteger(n))) throw bad(spec.type === 'integer' ? 'a whole number' : 'a number');
      return n;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'x' || t === 'true' || t === '1') return true;
      if (t === '' || t === 'false' || t === '0') return false;
      throw bad('a flag (X, true, 1, empty, false or 0)');
    }
    case 'sap-date':
      return sapDate(text, time, bad);
  }
}

/** "20261101" + "134500" -> "2026-11-01T13:45:00.000Z"; a date alone -> "2026-11-01"; SAP's empty date (00000000) -> null. */
export function sapDate(date: string, time: string | undefined, bad: (expected: string) => UnicsError): string | null {
  const d = date.trim();
  if (d === '' || /^0{8}$/.test(d)) return null;
  const dm = /^(\d{4})(\d{2})(\d{2})$/.exec(d);
  if (!dm) throw bad('a SAP date YYYYMMDD');
  const [y, mo, da] = [Number(dm[1]), Number(dm[2]), Number(dm[3])];
  const t = time?.trim() ?? '';
  const tm = t === '' ? ['', '00', '00', '00'] : /^(\d{2})(\d{2})(\d{2})$/.exec(t);
  if (!tm) throw bad(`a SAP time HHMMSS with the date (the time was ${show(t)})`);
  const [h, mi, s] = [Number(tm[1]), Number(tm[2]), Number(tm[3])];
  const ms = Date.UTC(y, mo - 1, da, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== da || h > 23 || mi > 59 || s > 59) {
    throw bad('a real calendar date and time (YYYYMMDD, HHMMSS)');
  }
  return time === undefined ? back.toISOString().slice(0, 10) : back.toISOString();
}

/**
 * Aligns a parsed answer to the requested keys: every key exactly once, `not_found` (or [] for a many entity) when
 * no record has it, a per-key error when its record does not map. Rejects only when the document is not the
 * expected kind at all.
 */
export function mapResponse(doc: XmlDocument, keys: readonly string[], mapping: RecordMapping, ctx: MappingContext): Map<string, KeyResult> {
  const records = extractRecords(doc, mapping, ctx);
  const aligned = alignByKey(keys, records, (r) => recordKey(r, mapping), mapping.many);
  const out = new Map<string, KeyResult>();
  for (const [key, result] of aligned) {
    if (result.status !== 'ok') {
      out.set(key, result);
      continue;
    }
    try {
      const value = mapping.many
        ? (result.value as XmlNode[]).map((r) => mapRecord(r, mapping, ctx))
        : mapRecord(result.value as XmlNode, mapping, ctx);
      out.set(key, ok(value));
    } catch (err) {
      if (!connErr.CONN_ERR_MALFORMED_RESPONSE.is(err)) throw err;
      out.set(key, failed(err));
    }
  }
  return out;
}
