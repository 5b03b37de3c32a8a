// The rule every adapter follows when one load is more keys than one upstream call may carry (STYLE.md 2): the keys
// are split into chunks of at most maxBatchSize, the chunks are called in parallel, and their answers are merged by
// key. A chunk that failed gives its keys its error as a value, so the keys of the calls that worked still load;
// only when every call failed did the load fail as a whole, and then it rejects so resilience sees an upstream that
// is down. The same rule at key level (one call per key) is throwIfEveryKeyFailed.
import { isUnicsError, type UnicsError } from '../common/errors.ts';
import { failed, type KeyResult } from './connector.ts';
import { abortError } from './http/http-client.ts';

/** Splits items into chunks of at most `size`, in order. */
export function splitIntoChunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface LoadInChunksOptions {
  /**
   * The caller's signal and the connector it calls: when the signal has aborted by the time every chunk settled,
   * the load rejects with the abort (abortError) instead of answering keys with it.
   */
  readonly abort?: { readonly connector: string; readonly signal: AbortSignal };
}

/**
 * Loads `keys` as parallel calls of `loadChunk` of at most `maxBatchSize` keys each and merges their answers. A
 * chunk that rejected with a catalogued error gives its keys that error as a value; when every chunk rejected, the
 * load rejects with the first chunk's error. A rejection that is not a UnicsError is a bug, not an upstream failure:
 * the load rejects with it. No keys, no calls.
 */
export async function loadInChunks(
  keys: readonly string[],
  maxBatchSize: number,
  loadChunk: (chunk: readonly string[]) => Promise<ReadonlyMap<string, KeyResult>>,
  opts: LoadInChunksOptions = {},
): Promise<Map<string, KeyResult>> {
  const chunks = splitIntoChunks(keys, maxBatchSize);
  const settled = await Promise.allSettled(chunks.map((chunk) => loadChunk(chunk)));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  for (const reason of failures) if (!isUnicsError(reason)) throw reason;
  if (opts.abort?.signal.aborted) throw abortError(opts.abort.connector, opts.abort.signal);
  if (failures.length > 0 && failures.length === chunks.length) throw failures[0];
  const out = new Map<string, KeyResult>();
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') for (const [k, v] of s.value) out.set(k, v);
    else for (const k of chunks[i]!) out.set(k, failed(s.reason as UnicsError));
  });
  return out;
}

/**
 * The key-level form of the rule: when every key of a load made one call per key failed, the upstream failed as a
 * whole, and the load rejects with the first key's error. Otherwise the failed keys keep their errors as values.
 */
export function throwIfEveryKeyFailed(results: Iterable<KeyResult>): void {
  let first: UnicsError | undefined;
  for (const r of results) {
    if (r.status !== 'error') return;
    first ??= r.error;
  }
  if (first !== undefined) throw first;
}
