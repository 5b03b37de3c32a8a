// What the capture remembers of the versions it produced (a bounded LRU, id -> last produced JSON and lsn): it gives
// `before`, skips a version it already produced (each poll re-reads the newest stamp it saw), and keeps `lsn` growing
// per record when two versions share a stamp.
//
// lsn rule: the version's updatedAt in µs (ms × 1000 for millisecond stamps). When that is not above the lsn last
// produced for the same id (two versions in one stamp, or a source clock that stepped back), lsn = last + 1, so
// downstream, which ignores a version whose position is not newer than the stored one, still applies it.
import { LRUCache } from 'lru-cache';
import type { ChangeRecord } from './change-source.ts';

interface Produced {
  readonly json: string;
  readonly lsn: number;
}

export interface PlannedVersion {
  readonly record: ChangeRecord;
  readonly json: string;
  readonly lsn: number;
  /** The version produced before this one, when remembered. */
  readonly before: Readonly<Record<string, unknown>> | null;
}

export interface LastVersions {
  /**
   * The version to produce for a record, or undefined when it is the version last produced (or planned in
   * `pending`, the batch being built) for that id.
   */
  plan(record: ChangeRecord, pending: Map<string, PlannedVersion>): PlannedVersion | undefined;
  /** Records versions Kafka acknowledged. */
  remember(versions: Iterable<PlannedVersion>): void;
  readonly size: number;
}

export const DEFAULT_MAX_REMEMBERED = 10_000;

export function createLastVersions(max = DEFAULT_MAX_REMEMBERED): LastVersions {
  const cache = new LRUCache<string, Produced>({ max });
  return {
    plan(record, pending) {
      const json = JSON.stringify(record.record);
      const last = pending.get(record.id) ?? cache.get(record.id);
      if (last !== undefined && last.json === json) return undefined;
      const stamp = record.updatedAtUs ?? record.updatedAtMs * 1000;
      const lsn = last !== undefined && stamp <= last.lsn ? last.lsn + 1 : stamp;
      const planned: PlannedVersion = { record, json, lsn, before: last === undefined ? null : (JSON.parse(last.json) as Record<string, unknown>) };
      pending.set(record.id, planned);
      return planned;
    },
    remember(versions) {
      for (const v of versions) cache.set(v.record.id, { json: v.json, lsn: v.lsn });
    },
    get size() {
      return cache.size;
    },
  };
}
