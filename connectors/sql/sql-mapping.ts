// The pure core of the sql adapter (STYLE.md 8): parameters of a statement, command values from input fields, rows
// aligned to keys, and the value conversions applied to every result.
import { alignByKey, type KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';

/** The distinct $n parameters a statement uses, ascending; string literals, quoted names and comments are skipped. */
export function placeholdersOf(sql: string): number[] {
  const code = sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
  return [...new Set([...code.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

/** The values for $1..$n, from the named input fields; a missing field is refused before anything is sent. */
export function commandValues(connector: string, command: string, params: readonly string[], input: Readonly<Record<string, unknown>>): unknown[] {
  const missing = params.filter((p) => input[p] === undefined);
  if (missing.length > 0) {
    throw connErr.CONN_ERR_REJECTED(`connector "${connector}": command "${command}" needs the input field(s) ${missing.join(', ')}, but got ${Object.keys(input).join(', ') || 'none'}`, {
      details: { missing },
    });
  }
  return params.map((p) => input[p]);
}

/**
 * Matches rows to the requested keys by the key column (never by position). The key column must be in the result:
 * a typo there would otherwise turn every key into not_found.
 */
export function alignRows(
  where: { connector: string; entity: string },
  keys: readonly string[],
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  keyColumn: string,
  many: boolean,
): Map<string, KeyResult> {
  if (!columns.includes(keyColumn)) {
    throw connErr.CONN_ERR_CONFIG(`connector "${where.connector}": entity "${where.entity}": keyColumn "${keyColumn}" is not a column of the query's result; it has ${columns.join(', ') || 'no columns'}`);
  }
  return alignByKey(keys, rows, (r) => {
    const k = r[keyColumn];
    return k === null || k === undefined ? undefined : String(k);
  }, many);
}

/** bigint (int8): a number when exact, else its digits (pg's default is always a string). */
export function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** timestamptz: ISO 8601 in UTC, like every other adapter's dates; "infinity" and such stay as they are. */
export function timestamptzToIso(parseDate: (text: string) => unknown): (text: string) => string {
  return (text) => {
    const d = parseDate(text);
    return d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : text;
  };
}
