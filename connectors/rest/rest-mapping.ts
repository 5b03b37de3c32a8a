// The rest adapter's pure core (STYLE.md 8): building requests from the declarative config and mapping answers
// back to one result per requested key. No I/O here; the fixtures in fixtures/ are real CRM simulator answers.
import type { UnicsError } from '../../common/errors.ts';
import { alignByKey, notFound, ok, failed, type KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import type { HttpRequest } from '../http/http-client.ts';
import { placeholders, type HttpMethod, type RestBatchConfig, type RestCommandConfig, type RestSingleConfig } from './rest-config.ts';

/** Who is asking, for messages: `connector "crm": entity "contact"`. */
export interface Subject {
  readonly connector: string;
  /** `entity "contact"` or `command "updateContact"`. */
  readonly what: string;
}

export type PlannedRequest = Omit<HttpRequest, 'signal'> & { readonly method: HttpMethod };

const label = (s: Subject) => `connector "${s.connector}": ${s.what}`;

export function splitPath(dotPath: string): string[] {
  return dotPath === '' ? [] : dotPath.split('.');
}

/** Follows a dot path; undefined as soon as a step is missing or not an object. */
export function getPath(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const step of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, step)) return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o = target;
  path.slice(0, -1).forEach((step) => {
    const next = o[step];
    o = next !== null && typeof next === 'object' ? (next as Record<string, unknown>) : (o[step] = {});
  });
  o[path.at(-1)!] = value;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

const where = (path: string) => (path === '' ? 'the top level' : `"${path}"`);

/** Parses an answer as JSON; an empty body is null. */
export function parseJson(subject: Subject, text: string, url: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(
      `${label(subject)}: ${url} answered with invalid JSON (${(err as Error).message}); expected a JSON document`,
      { cause: err },
    );
  }
}

/**
 * Splits keys into those a batch request can carry and per-key answers for the rest: an empty key is not_found
 * without asking; a GET batch cannot carry a key containing a comma (the separator).
 */
export function screenKeys(subject: Subject, batch: Pick<RestBatchConfig, 'method'>, keys: readonly string[]): { send: string[]; answered: Map<string, KeyResult> } {
  const send: string[] = [];
  const answered = new Map<string, KeyResult>();
  for (const key of keys) {
    if (key === '') answered.set(key, notFound);
    else if (batch.method === 'GET' && key.includes(',')) {
      answered.set(key, failed(connErr.CONN_ERR_REJECTED(`${label(subject)}: key ${JSON.stringify(key)} contains a comma, which a comma-joined batch request cannot carry`)));
    } else send.push(key);
  }
  return { send, answered };
}

export function buildBatchRequest(batch: RestBatchConfig, keys: readonly string[]): PlannedRequest {
  const headers = { accept: 'application/json' };
  if (batch.method === 'GET') {
    return { method: 'GET', path: batch.path, query: { ...batch.query, [batch.keysParam]: keys.join(',') }, headers };
  }
  const body: Record<string, unknown> = {};
  setPath(body, splitPath(batch.keysParam), keys);
  return { method: 'POST', path: batch.path, query: batch.query, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Extracts the records of a batch answer and aligns them to the requested keys by their key field. */
export function mapBatchResponse(subject: Subject, batch: RestBatchConfig, many: boolean, keys: readonly string[], body: unknown): Map<string, KeyResult> {
  const items = getPath(body, splitPath(batch.itemsPath));
  if (!Array.isArray(items)) {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(
      `${label(subject)}: expected an array of records at ${where(batch.itemsPath)} of the answer, but found ${describeValue(items)}. Check batch.itemsPath.`,
    );
  }
  const keyPath = splitPath(batch.keyField);
  items.forEach((record, i) => {
    const key = getPath(record, keyPath);
    if (typeof key !== 'string' && !(typeof key === 'number' && Number.isFinite(key))) {
      throw connErr.CONN_ERR_MALFORMED_RESPONSE(
        `${label(subject)}: record ${i} at ${where(batch.itemsPath)} has ${describeValue(key)} at its key field "${batch.keyField}"; expected a string or number. Check batch.keyField.`,
      );
    }
  });
  return alignByKey(keys, items as unknown[], (record) => String(getPath(record, keyPath) as string | number), many) as Map<string, KeyResult>;
}

/** Fills {name} placeholders with URL-encoded values; `what` names the source of a missing value. */
export function fillPath(subject: Subject, template: string, values: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    const v = Object.hasOwn(values, name) ? values[name] : undefined;
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw connErr.CONN_ERR_REJECTED(`${label(subject)}: the path ${template} needs input field "${name}" as a string or number, but got ${describeValue(v)}`);
    }
    return encodeURIComponent(String(v));
  });
}

export function buildSingleRequest(subject: Subject, single: RestSingleConfig, key: string): PlannedRequest {
  return { method: 'GET', path: fillPath(subject, single.path, { key }), query: single.query, headers: { accept: 'application/json' } };
}

/** Maps the answer for one key: a record, or a list (empty: not_found; `many`: the whole list). */
export function mapSingleResponse(subject: Subject, single: RestSingleConfig, many: boolean, body: unknown): KeyResult {
  const value = getPath(body, splitPath(single.resultPath));
  if (value === null || value === undefined) {
    if (single.resultPath !== '' && value === undefined) {
      throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${label(subject)}: expected a record or a list at ${where(single.resultPath)} of the answer, but found nothing. Check single.resultPath.`);
    }
    return many ? ok([]) : notFound;
  }
  if (Array.isArray(value)) {
    if (many) return ok(value);
    return value.length === 0 ? notFound : ok(value[0]);
  }
  if (typeof value !== 'object') {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${label(subject)}: expected a record or a list at ${where(single.resultPath)} of the answer, but found ${describeValue(value)}`);
  }
  return ok(many ? [value] : value);
}

/** Builds a command's request: path placeholders, query fields and the JSON body from the input. */
export function buildCommandRequest(subject: Subject, command: RestCommandConfig, input: Readonly<Record<string, unknown>>): PlannedRequest {
  const path = fillPath(subject, command.path, input);
  const query: Record<string, string> = {};
  for (const field of command.queryFields) {
    const v = input[field];
    if (v === undefined || v === null) continue;
    if (typeof v === 'object') throw connErr.CONN_ERR_REJECTED(`${label(subject)}: query field "${field}" must be a string, number or boolean, but got ${describeValue(v)}`);
    query[field] = String(v);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  const hasBody = command.method === 'POST' || command.method === 'PUT' || command.method === 'PATCH';
  if (!hasBody) return { method: command.method, path, query, headers };
  const used = new Set([...placeholders(command.path), ...command.queryFields]);
  const fields = command.bodyFields ?? Object.keys(input).filter((k) => !used.has(k));
  const body: Record<string, unknown> = {};
  for (const field of fields) if (Object.hasOwn(input, field) && input[field] !== undefined) body[field] = input[field];
  return { method: command.method, path, query, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function mapCommandResponse(subject: Subject, command: RestCommandConfig, body: unknown): unknown {
  if (command.resultPath === '' || body === null) return body;
  const value = getPath(body, splitPath(command.resultPath));
  if (value === undefined) {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${label(subject)}: expected a value at ${where(command.resultPath)} of the answer, but found nothing. Check resultPath.`);
  }
  return value;
}

/** The result for one key of a per-key request that failed: 404 is not_found (or an empty list), the rest errors. */
export function singleFailure(err: UnicsError, many: boolean): KeyResult {
  if (err.code === 'CONN_ERR_NOT_FOUND') return many ? ok([]) : notFound;
  return failed(err);
}
