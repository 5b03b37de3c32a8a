// What the CRM and helpdesk change pages have in common once read (pure): records with their stamps checked, the
// source's cursor and whether more follow. Each protocol's reader (crm-change-page.ts, helpdesk-change-page.ts) turns
// its answer into this shape, or throws CONN_ERR_MALFORMED_RESPONSE saying what was expected and what arrived.
import { connErr } from '../../connectors/error-catalogue.ts';
import type { ChangeRecord } from './change-source.ts';
import { isoToMicros } from './watermark-position.ts';

export interface SourcePage {
  readonly records: readonly ChangeRecord[];
  readonly cursor: string;
  readonly hasMore: boolean;
}

export const describeValue = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}` : typeof v;

export function malformed(source: string, where: string, problem: string): Error {
  return connErr.CONN_ERR_MALFORMED_RESPONSE(`change source "${source}": ${where}: ${problem}`, { details: { source } });
}

/** Checks one record (an object with a string id and ISO updatedAt, createdAt optional) and reads its stamps. */
export function toChangeRecord(item: unknown, index: number, source: string, where: string): ChangeRecord {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw malformed(source, where, `item ${index} should be an object, but is ${describeValue(item)}`);
  }
  const record = item as Record<string, unknown>;
  const { id, updatedAt, createdAt } = record;
  if (typeof id !== 'string' || id === '') throw malformed(source, where, `item ${index} should have a string "id", but has ${describeValue(id)}`);
  const updatedAtUs = typeof updatedAt === 'string' ? isoToMicros(updatedAt) : undefined;
  if (updatedAtUs === undefined) {
    throw malformed(source, where, `item ${index} (id ${id}) should have an ISO date-time "updatedAt", but has ${describeValue(updatedAt)}`);
  }
  const createdAtMs = typeof createdAt === 'string' ? Date.parse(createdAt) : NaN;
  return {
    id,
    updatedAtMs: Math.floor(updatedAtUs / 1000),
    updatedAtUs,
    ...(Number.isNaN(createdAtMs) ? {} : { createdAtMs }),
    record,
  };
}

/** Refuses a page that says more follow but brought nothing: asking again with the same cursor would loop forever. */
export function checkProgress(page: SourcePage, source: string, where: string): SourcePage {
  if (page.hasMore && page.records.length === 0) {
    throw malformed(source, where, 'it says more changes follow but returned none, so paging could never end');
  }
  return page;
}
