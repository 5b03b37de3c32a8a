// How failures become catalogued, per-key values. The resilient load answers every key, so whatever an attempt
// threw (a CONN error, the caller's raw abort reason, an adapter bug) is turned into one UnicsError here.
import { commonErrors } from '../../common/error-catalogue.ts';
import { UnicsError } from '../../common/errors.ts';
import { failed, type KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';

/** The error for a call whose signal aborted: the reason itself when it is a CONN error (a timeout), else CONN_ERR_ABORTED. */
export function abortedError(connector: string, signal: AbortSignal): UnicsError {
  const reason: unknown = signal.reason;
  if (reason instanceof UnicsError && reason.code.startsWith('CONN_ERR_')) return reason;
  return connErr.CONN_ERR_ABORTED(`connector "${connector}": the caller gave up before the upstream answered`, { cause: reason });
}

/**
 * Any thrown value as a UnicsError: catalogued errors pass through; after an abort, the abort error; anything else
 * is an adapter bug, reported as COMMON_ERR_UNEXPECTED with the original as `cause` (its message may hold internals,
 * so it is not copied into ours).
 */
export function toConnectorError(connector: string, error: unknown, signal: AbortSignal): UnicsError {
  if (error instanceof UnicsError) return error;
  if (signal.aborted) return abortedError(connector, signal);
  return commonErrors.errors.COMMON_ERR_UNEXPECTED(
    `connector "${connector}": the adapter failed with an error that is not in the CONN catalogue (see the server log)`,
    { cause: error },
  );
}

/** A key the adapter's answer left out: the contract says every requested key is answered. */
export function missingKeyError(connector: string, entity: string, key: string): UnicsError {
  return connErr.CONN_ERR_MALFORMED_RESPONSE(
    `connector "${connector}": the answer for ${entity} had no result for key ${JSON.stringify(key)}; ` +
      'load must answer every requested key (not_found when the upstream does not know it)',
  );
}

/** Every key failed the same way (a chunk that failed as a whole, a caller that gave up). */
export function failAll(keys: Iterable<string>, error: UnicsError, into = new Map<string, KeyResult>()): Map<string, KeyResult> {
  const result = failed(error);
  for (const key of keys) into.set(key, result);
  return into;
}
