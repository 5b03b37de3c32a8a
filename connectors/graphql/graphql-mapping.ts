// From a GraphQL answer to per-key results (pure). Records are found by walking `resultPath` under `data`
// (lists met on the way are flattened), matched to the requested keys by `keyField` with alignByKey, never by
// position. GraphQL errors are sorted by their `path`:
//  - inside a record that arrived (["ticketsByUsers", 3, "assignee"]): tied to that record's key, which gets an
//    error value (for a `many` entity the key's whole list: it is incomplete);
//  - on the way to the records but not inside one (["tickets", 2] with a null item, or no path at all): cannot be
//    tied to a key without guessing by position, so every key that may be affected gets an error value: keys with
//    no record for single entities, every key for `many` entities. A failure never turns into not_found or an
//    empty list, which a cache would keep and a console would show as "no tickets";
//  - elsewhere (another root field of the same document): does not touch the records; reported as ignored.
// An answer without data, or with errors and not one record, rejects the whole call with CONN_ERR_UPSTREAM_GRAPHQL.
import type { UnicsError } from '../../common/errors.ts';
import { alignByKey, failed, type KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import type { GraphqlCommandConfig, GraphqlEntityConfig } from './graphql-config.ts';
import { upstreamGraphqlError, type GraphqlAnswer, type UpstreamGraphqlError } from './graphql-response.ts';

type Path = readonly (string | number)[];

interface FoundRecord {
  readonly path: Path;
  readonly value: Readonly<Record<string, unknown>>;
  readonly key: string | undefined;
}

export interface MappedBatch {
  readonly results: Map<string, KeyResult>;
  /** Errors that did not affect the records (for a log line). */
  readonly ignoredErrors: readonly UpstreamGraphqlError[];
}

export interface MappedCommand {
  readonly value: unknown;
  /** Errors inside a result that did arrive, or elsewhere in the answer (for a log line). */
  readonly ignoredErrors: readonly UpstreamGraphqlError[];
}

const show = (path: Path) => ['data', ...path].join('.');
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);

function malformed(connector: string, what: string, problem: string): UnicsError {
  return connErr.CONN_ERR_MALFORMED_RESPONSE(`connector "${connector}": ${what}: ${problem}`);
}

/** Walks `segments` under data; lists anywhere are flattened; null items and null fields yield nothing. */
function collectRecords(connector: string, entity: GraphqlEntityConfig, data: Readonly<Record<string, unknown>>): FoundRecord[] {
  const what = `entity "${entity.name}"`;
  const segments = entity.resultPath;
  const records: FoundRecord[] = [];
  const walk = (value: unknown, depth: number, path: Path): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, depth, [...path, i]));
      return;
    }
    if (typeof value !== 'object') {
      throw malformed(connector, what, `expected ${depth === segments.length ? 'a record (an object)' : 'an object or a list'} at ${show(path)} (resultPath "${segments.join('.')}"), but got ${describe(value)}`);
    }
    const obj = value as Readonly<Record<string, unknown>>;
    if (depth === segments.length) {
      records.push({ path, value: obj, key: keyOf(connector, entity, obj, path) });
      return;
    }
    const field = segments[depth]!;
    if (!(field in obj)) {
      const fields = Object.keys(obj).slice(0, 10).join(', ') || 'none';
      throw malformed(connector, what, `expected a field "${field}" at ${show(path)} (resultPath "${segments.join('.')}"), but the answer has only: ${fields}. Check resultPath against the query's field names and aliases`);
    }
    walk(obj[field], depth + 1, [...path, field]);
  };
  walk(data, 0, []);
  return records;
}

function keyOf(connector: string, entity: GraphqlEntityConfig, record: Readonly<Record<string, unknown>>, path: Path): string | undefined {
  let v: unknown = record;
  for (const seg of entity.keyField) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v === null) return undefined; // a record without a key cannot belong to any requested key
  throw malformed(
    connector,
    `entity "${entity.name}"`,
    `expected keyField "${entity.keyField.join('.')}" (a string or number) in the record at ${show(path)}, but got ${v === undefined ? 'no such field' : describe(v)}. Select the key field in the query`,
  );
}

const pathId = (path: Path) => JSON.stringify(path);

/** Field names of `path` (indexes dropped) agree with `segments` as far as both go. */
function onResultPath(path: Path, segments: readonly string[]): boolean {
  const names = path.filter((p): p is string => typeof p === 'string');
  for (let i = 0; i < Math.min(names.length, segments.length); i++) if (names[i] !== segments[i]) return false;
  return true;
}

/** Maps an answer for `keys` to one result per key (see the rules at the top of this file). */
export function mapEntityAnswer(connector: string, entity: GraphqlEntityConfig, keys: readonly string[], answer: GraphqlAnswer): MappedBatch {
  const what = `entity "${entity.name}"`;
  if (!answer.data) {
    if (answer.errors.length > 0) throw upstreamGraphqlError(connector, `the upstream answered ${what} with GraphQL errors and no data`, answer.errors);
    throw malformed(connector, what, 'expected "data" in the answer, but it is null and there are no errors');
  }
  const records = collectRecords(connector, entity, answer.data);
  const byPath = new Map(records.map((r) => [pathId(r.path), r]));
  const perKey = new Map<string, UpstreamGraphqlError[]>();
  const unattributed: UpstreamGraphqlError[] = [];
  const ignoredErrors: UpstreamGraphqlError[] = [];
  for (const err of answer.errors) {
    if (!err.path) {
      unattributed.push(err);
      continue;
    }
    let owner: FoundRecord | undefined;
    for (let n = err.path.length; n > 0 && !owner; n--) owner = byPath.get(pathId(err.path.slice(0, n)));
    if (owner?.key !== undefined) {
      const list = perKey.get(owner.key);
      if (list) list.push(err);
      else perKey.set(owner.key, [err]);
    } else if (owner || onResultPath(err.path, entity.resultPath)) unattributed.push(err);
    else ignoredErrors.push(err);
  }
  if (unattributed.length > 0 && records.length === 0) {
    throw upstreamGraphqlError(connector, `the upstream answered ${what} with GraphQL errors and no records`, [...unattributed, ...[...perKey.values()].flat()]);
  }

  const aligned = alignByKey(keys, records, (r) => r.key, entity.many);
  const results = new Map<string, KeyResult>();
  for (const [key, result] of aligned) {
    if (result.status !== 'ok') results.set(key, result);
    else results.set(key, { status: 'ok', value: Array.isArray(result.value) ? result.value.map((r) => r.value) : result.value.value });
  }
  for (const [key, errors] of perKey) {
    if (!results.has(key)) continue;
    const scope = entity.many ? `key "${key}" of ${what} (its list is incomplete)` : `key "${key}" of ${what}`;
    results.set(key, failed(upstreamGraphqlError(connector, `the upstream reported GraphQL errors for ${scope}`, errors)));
  }
  if (unattributed.length > 0) {
    const shared = failed(
      upstreamGraphqlError(
        connector,
        `the upstream left out records of ${what} with GraphQL errors that cannot be tied to a key, so ${entity.many ? "this key's list may be incomplete" : "this key's record may be among them"}`,
        unattributed,
      ),
    );
    for (const [key, result] of results) {
      if (result.status === 'error') continue;
      if (entity.many || result.status === 'not_found') results.set(key, shared);
    }
  }
  return { results, ignoredErrors };
}

/** Maps a command's answer to the value at resultPath; rejects when that value is missing because of errors. */
export function mapCommandAnswer(connector: string, command: GraphqlCommandConfig, answer: GraphqlAnswer): MappedCommand {
  const what = `command "${command.name}"`;
  if (!answer.data) {
    if (answer.errors.length > 0) throw upstreamGraphqlError(connector, `the upstream answered ${what} with GraphQL errors and no data`, answer.errors);
    throw malformed(connector, what, 'expected "data" in the answer, but it is null and there are no errors');
  }
  let value: unknown = answer.data;
  const path: string[] = [];
  for (const field of command.resultPath) {
    if (value === null) break;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw malformed(connector, what, `expected an object at ${show(path)} (resultPath "${command.resultPath.join('.')}"), but got ${describe(value)}`);
    }
    if (!(field in value)) {
      const fields = Object.keys(value).slice(0, 10).join(', ') || 'none';
      throw malformed(connector, what, `expected a field "${field}" at ${show(path)} (resultPath "${command.resultPath.join('.')}"), but the answer has only: ${fields}`);
    }
    value = (value as Record<string, unknown>)[field];
    path.push(field);
  }
  const relevant = answer.errors.filter((e) => !e.path || onResultPath(e.path, command.resultPath));
  if ((value === null || value === undefined) && relevant.length > 0) {
    throw upstreamGraphqlError(connector, `the upstream answered ${what} with GraphQL errors and no result`, relevant);
  }
  return { value: value ?? null, ignoredErrors: answer.errors };
}

/** Checks the answer to `{ __typename }`: data with a type name, no errors. */
export function checkTypenameAnswer(connector: string, answer: GraphqlAnswer): void {
  if (answer.errors.length > 0) throw upstreamGraphqlError(connector, 'the upstream answered the readiness check { __typename } with GraphQL errors', answer.errors);
  if (typeof answer.data?.__typename !== 'string') {
    throw malformed(connector, 'readiness check', `expected data.__typename to be the query type's name, but got ${describe(answer.data?.__typename)}`);
  }
}
