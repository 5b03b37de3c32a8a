// The pure core of the soap adapter (STYLE.md 8): arguments from keys, records from results by dot paths, results
// normalised by the WSDL's own type description, and the soap package's errors mapped to the CONN catalogue.
import { isUnicsError, type UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';

/**
 * A type description as the soap package's `client.describe()` gives it: an XSD type name ("xsd:long") for a
 * simple element, an object of child descriptions for a complex one; a child repeated by maxOccurs ends in "[]".
 */
export type TypeDescription = string | { readonly [child: string]: TypeDescription };

/**
 * The soap package's `customDeserializer` option that keeps every simple value as the text that arrived:
 * normaliseResult converts it by the XSD type and names the field when it cannot (the soap package would turn
 * "12x" into 12 and a bad date into Invalid Date).
 */
export const SOAP_TEXT_DESERIALIZERS: Readonly<Record<string, (text: string) => string>> = Object.freeze(
  Object.fromEntries(
    ['int', 'integer', 'long', 'short', 'byte', 'double', 'float', 'decimal', 'bool', 'boolean', 'dateTime', 'date'].map((t) => [t, (text: string) => text]),
  ),
);

const META_KEYS = new Set(['targetNSAlias', 'targetNamespace']);

/** `{ a: { b: value } }` for path "a.b". */
export function argsAt(path: string, value: unknown): Record<string, unknown> {
  const parts = path.split('.');
  let out: unknown = value;
  for (let i = parts.length - 1; i >= 0; i--) out = { [parts[i]!]: out };
  return out as Record<string, unknown>;
}

/** The value at a dot path ("" is the value itself); undefined when any step is missing. */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '') return value;
  let cur = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Absent or null is an empty list, one element is a list of one: the soap package's "one vs many" quirk. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export class MappingError extends Error {
  override readonly name = 'MappingError';
}

const INTEGER_TYPES = new Set(['int', 'integer', 'long', 'short', 'byte', 'unsignedInt', 'unsignedLong', 'unsignedShort', 'unsignedByte', 'nonNegativeInteger', 'positiveInteger', 'negativeInteger', 'nonPositiveInteger']);
const FLOAT_TYPES = new Set(['double', 'float']);

function scalar(value: unknown, type: string, path: string): unknown {
  if (value !== null && typeof value === 'object' && '$value' in value) return scalar((value as { $value: unknown }).$value, type, path);
  const local = type.slice(type.indexOf(':') + 1);
  // An empty element of type string is the empty string (the soap package reads it so; the lean reader gives null).
  if (value === null && local === 'string') return '';
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (INTEGER_TYPES.has(local)) {
    if (!/^[+-]?\d+$/.test(text)) throw new MappingError(`${path} should be an ${type}, but is ${JSON.stringify(value.slice(0, 40))}`);
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text; // beyond 2^53 a number would silently change: keep the digits
  }
  if (FLOAT_TYPES.has(local)) {
    const n = Number(text);
    if (text === '' || Number.isNaN(n)) throw new MappingError(`${path} should be an ${type}, but is ${JSON.stringify(value.slice(0, 40))}`);
    return n;
  }
  if (local === 'boolean') {
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    throw new MappingError(`${path} should be an ${type}, but is ${JSON.stringify(value.slice(0, 40))}`);
  }
  return value; // strings, dates (kept as their ISO text), decimals (kept exact as text)
}

/**
 * Normalises a parsed result by its type description: integers and booleans become numbers and booleans, repeated
 * children are always lists (absent or empty: []), and an empty complex element still carries its lists.
 * Fields the description does not know are kept as they came. Throws MappingError naming the path of a bad value.
 */
export function normaliseResult(value: unknown, desc: TypeDescription | undefined, path = 'result'): unknown {
  if (desc === undefined) return value;
  if (typeof desc === 'string') return scalar(value, desc, path);
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string') {
    // An empty element (<items/>) or whitespace where a complex type belongs: keep its lists, as empty lists.
    const lists: Record<string, unknown[]> = {};
    for (const key of Object.keys(desc)) if (key.endsWith('[]')) lists[key.slice(0, -2)] = [];
    return Object.keys(lists).length > 0 ? lists : null;
  }
  if (Array.isArray(value) || typeof value !== 'object') {
    throw new MappingError(`${path} should be one element of a complex type, but ${Array.isArray(value) ? `${value.length} arrived` : `is ${typeof value}`}`);
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const [key, childDesc] of Object.entries(desc)) {
    if (META_KEYS.has(key)) continue;
    const list = key.endsWith('[]');
    const name = list ? key.slice(0, -2) : key;
    known.add(name);
    const child = Object.hasOwn(source, name) ? source[name] : undefined;
    if (list) out[name] = asList(child).map((item, i) => normaliseResult(item, childDesc, `${path}.${name}[${i}]`));
    else if (child !== undefined) out[name] = normaliseResult(child, childDesc, `${path}.${name}`);
  }
  for (const [name, child] of Object.entries(source)) if (!known.has(name) && !META_KEYS.has(name)) out[name] = child;
  return out;
}

/** The description at a dot path of element names, looking through "[]" lists; undefined when it does not exist. */
export function descriptionAt(desc: TypeDescription | undefined, path: string): { desc: TypeDescription; list: boolean } | undefined {
  let cur: { desc: TypeDescription; list: boolean } | undefined = desc === undefined ? undefined : { desc, list: false };
  if (path === '') return cur;
  for (const part of path.split('.')) {
    if (cur === undefined || typeof cur.desc === 'string') return undefined;
    const d: Record<string, TypeDescription> = cur.desc;
    if (Object.hasOwn(d, part)) cur = { desc: d[part]!, list: false };
    else if (Object.hasOwn(d, `${part}[]`)) cur = { desc: d[`${part}[]`]!, list: true };
    else return undefined;
  }
  return cur;
}

/** Element names of a complex description, for messages ("orders, total"). */
export function childNames(desc: TypeDescription | undefined): string {
  if (desc === undefined || typeof desc === 'string') return '(none)';
  return Object.keys(desc).filter((k) => !META_KEYS.has(k)).map((k) => k.replace(/\[\]$/, '')).join(', ') || '(none)';
}

export interface SoapFaultInfo {
  readonly faultcode: string;
  readonly faultstring: string;
  /** An application code from the detail (an element named "code"/"errorCode"), or from "Client.<code>". */
  readonly detailCode: string | undefined;
  /** A Server (SOAP 1.2: Receiver) fault: the service failed, not the request. */
  readonly server: boolean;
}

function findCode(detail: unknown, depth = 0): string | undefined {
  if (detail === null || typeof detail !== 'object' || depth > 4) return undefined;
  for (const [k, v] of Object.entries(detail)) {
    if (/^(?:error)?code$/i.test(k) && (typeof v === 'string' || typeof v === 'number')) return String(v);
  }
  for (const v of Object.values(detail)) {
    const found = findCode(v, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The fault inside an error the soap package raised for a Fault answer, or undefined when it is not one. */
export function faultOf(err: unknown): SoapFaultInfo | undefined {
  const fault = (err as { root?: { Envelope?: { Body?: { Fault?: Record<string, unknown> } } } } | null)?.root?.Envelope?.Body?.Fault;
  if (!fault || typeof fault !== 'object') return undefined;
  const text = (v: unknown): string => (v !== null && typeof v === 'object' && '$value' in v ? text((v as { $value: unknown }).$value) : v == null ? '' : String(v));
  // SOAP 1.1 faultcode/faultstring; SOAP 1.2 Code.Value/Reason.Text.
  const code12 = fault.Code as { Value?: unknown; Subcode?: { Value?: unknown } } | undefined;
  const faultcode = text(fault.faultcode ?? code12?.Value);
  const faultstring = text(fault.faultstring ?? (fault.Reason as { Text?: unknown } | undefined)?.Text);
  const local = faultcode.slice(faultcode.indexOf(':') + 1);
  const dotted = /^[A-Za-z]+\.(.+)$/.exec(local)?.[1];
  const sub = code12?.Subcode?.Value === undefined ? undefined : text(code12.Subcode.Value).replace(/^[^:]*:/, '');
  return {
    faultcode,
    faultstring,
    detailCode: findCode(fault.detail ?? fault.Detail) ?? dotted ?? sub,
    server: /^(?:Server|Receiver)\b/.test(local),
  };
}

export interface ErrorContext {
  readonly connector: string;
  /** The operation called, for messages. */
  readonly operation: string;
}

/**
 * Maps whatever the soap package rejected with to the CONN catalogue. Errors that are already catalogued (from the
 * HTTP layer: timeouts, sizes, forbidden XML, HTTP statuses) pass through.
 */
export function mapSoapError(err: unknown, ctx: ErrorContext): UnicsError {
  if (isUnicsError(err)) return err;
  const who = `connector "${ctx.connector}": ${ctx.operation}`;
  const fault = faultOf(err);
  if (fault) {
    const details: Record<string, string> = { faultcode: fault.faultcode, faultstring: fault.faultstring };
    if (fault.detailCode !== undefined) details.detailCode = fault.detailCode;
    return connErr.CONN_ERR_SOAP_FAULT(`${who} answered a SOAP fault ${fault.faultcode}: ${fault.faultstring}`, { details, retriable: fault.server, cause: err });
  }
  // The soap package throws a plain { Fault: { faultstring: 'Invalid XML', detail } } when sax cannot parse.
  const invalid = (err as { Fault?: { faultstring?: unknown; detail?: unknown } } | null)?.Fault;
  if (invalid && invalid.faultstring === 'Invalid XML') {
    const why = String(invalid.detail ?? '').split('\n')[0]?.replace(/^Error: /, '') ?? '';
    return connErr.CONN_ERR_MALFORMED_RESPONSE(`${who} answered XML that could not be parsed (${why})`, { cause: err });
  }
  if (err instanceof MappingError) return connErr.CONN_ERR_MALFORMED_RESPONSE(`${who} answered an unexpected shape: ${err.message}`, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return connErr.CONN_ERR_MALFORMED_RESPONSE(`${who} could not be read: ${message.slice(0, 200)}`, { cause: err });
}

/** Whether a fault means "no such key" for an entity whose not-found code is `notFoundFault`. */
export function isNotFoundFault(err: UnicsError, notFoundFault: string): boolean {
  if (err.code !== 'CONN_ERR_SOAP_FAULT') return false;
  const d = err.details as { faultcode?: string; detailCode?: string } | undefined;
  return d?.detailCode === notFoundFault && !/(?:^|:)(?:Server|Receiver)\b/.test(d.faultcode ?? '');
}
