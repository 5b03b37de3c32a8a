// Maps node-postgres failures to the CONN catalogue (STYLE.md 4, 8: pure). SQL errors carry their SQLSTATE in the
// details; connection failures never carry the connection URL (it holds the password).
import { isUnicsError, type UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';

/** SQLSTATE classes and codes that mean "the database is not usable right now", not "this statement is wrong". */
const UNAVAILABLE_CLASSES = ['08', '53', '58'];
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '3D000']);
/** Retrying the same statement can succeed: serialization failure, deadlock. */
const RETRIABLE_CODES = new Set(['40001', '40P01']);

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  position?: unknown;
}

/** `what`: the work that failed, for messages ('entity "orders"', 'command "refund"', 'check'). */
export function mapPgError(err: unknown, where: { connector: string; what: string }): UnicsError {
  if (isUnicsError(err)) return err;
  const e = (err ?? {}) as PgLikeError;
  // Connecting to "localhost" tries ::1 and 127.0.0.1; Node reports both failures in an AggregateError.
  const inner = Array.isArray(e.errors) ? ((e.errors as PgLikeError[])[0] ?? {}) : {};
  const code = typeof e.code === 'string' ? e.code : typeof inner.code === 'string' ? inner.code : '';
  const message = String(e.message || inner.message || err).split('\n')[0];
  const prefix = `connector "${where.connector}": ${where.what}`;

  if (/^[0-9A-Z]{5}$/.test(code)) {
    const details: Record<string, unknown> = { sqlstate: code };
    if (typeof e.position === 'string' && e.position !== '') details.position = Number(e.position);
    const text = `${prefix} failed: ${message} (SQLSTATE ${code})`;
    if (UNAVAILABLE_CLASSES.includes(code.slice(0, 2)) || UNAVAILABLE_CODES.has(code)) return connErr.CONN_ERR_UNAVAILABLE(text, { details, cause: err });
    if (code.startsWith('28')) return connErr.CONN_ERR_UNAUTHORIZED(text, { details, cause: err });
    if (code === '57014') return connErr.CONN_ERR_TIMEOUT(`${prefix} was cancelled by the database (statement_timeout or an administrator) (SQLSTATE 57014)`, { details, cause: err });
    return connErr.CONN_ERR_REJECTED(text, { details, cause: err, retriable: RETRIABLE_CODES.has(code) });
  }
  // No SQLSTATE: the connection itself failed (refused, reset, closed, no free connection in time).
  const what = code ? `${code}: ${message}` : message;
  return connErr.CONN_ERR_UNAVAILABLE(`${prefix}: could not use the database (${what})`, { cause: err, ...(code ? { details: { errno: code } } : {}) });
}
