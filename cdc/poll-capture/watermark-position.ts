// The position of a source with an inclusive `updated_since` filter and an opaque paging cursor (the CRM's and the
// helpdesk's change APIs both work this way). Pure: reading, writing and advancing a position.
//
// Within one poll the source's cursor pages exactly (it orders by (updatedAt, id), so many records sharing one stamp
// still page). When a poll reaches the end, the cursor is dropped and the next poll asks again with
// `updated_since` = the newest stamp seen minus the overlap: the filter is inclusive, so records stamped in the same
// millisecond as the last one seen (written after that read) are not missed; the capture skips the ones it already
// produced.
import { cdcErr } from '../error-catalogue.ts';

export interface WatermarkPosition {
  /** The window's start, inclusive (ms since epoch). */
  readonly sinceMs: number;
  /** The source's cursor inside the window; absent at a window's start. */
  readonly cursor?: string;
  /** The newest stamp seen in this window so far (ms). */
  readonly seenMs?: number;
}

/** Where an initial load starts: before every stamp. */
export const START_OF_TIME: WatermarkPosition = Object.freeze({ sinceMs: 0 });

const iso = (ms: number) => new Date(ms).toISOString();

/** Encodes a position as the JSON string the capture stores, e.g. {"since":"2026-11-23T19:34:34.123Z"}. */
export function writeWatermark(p: WatermarkPosition): string {
  return JSON.stringify({
    since: iso(p.sinceMs),
    ...(p.cursor === undefined ? {} : { cursor: p.cursor }),
    ...(p.seenMs === undefined ? {} : { seen: iso(p.seenMs) }),
  });
}

function invalid(source: string, position: string, problem: string): Error {
  const shown = position.length > 120 ? `${position.slice(0, 117)}...` : position;
  return cdcErr.CDC_ERR_POSITION_INVALID(
    `change source "${source}": the stored position ${JSON.stringify(shown)} ${problem}; expected JSON like ` +
      '{"since":"2026-11-01T12:00:00.000Z"} written by this source. Delete the position key to load everything again.',
    { details: { source } },
  );
}

/** Decodes a stored position (null: the start). Throws CDC_ERR_POSITION_INVALID naming what is wrong. */
export function readWatermark(position: string | null, source: string): WatermarkPosition {
  if (position === null) return START_OF_TIME;
  let value: unknown;
  try {
    value = JSON.parse(position);
  } catch {
    throw invalid(source, position, 'is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(source, position, 'is not a JSON object');
  const { since, cursor, seen } = value as { since?: unknown; cursor?: unknown; seen?: unknown };
  const sinceMs = typeof since === 'string' ? Date.parse(since) : NaN;
  if (Number.isNaN(sinceMs)) throw invalid(source, position, 'has no ISO date-time "since"');
  if (cursor !== undefined && (typeof cursor !== 'string' || cursor === '')) throw invalid(source, position, 'has a "cursor" that is not a non-empty string');
  const seenMs = seen === undefined ? undefined : typeof seen === 'string' ? Date.parse(seen) : NaN;
  if (seenMs !== undefined && Number.isNaN(seenMs)) throw invalid(source, position, 'has a "seen" that is not an ISO date-time');
  return { sinceMs, ...(cursor === undefined ? {} : { cursor }), ...(seenMs === undefined ? {} : { seenMs }) };
}

/**
 * The position after a page: inside the window (the source's cursor) while it has more, else the next window,
 * starting at the newest stamp seen minus `overlapMs` (never before the current window's start).
 */
export function advanceWatermark(
  p: WatermarkPosition,
  page: { readonly stampsMs: readonly number[]; readonly cursor: string; readonly hasMore: boolean },
  overlapMs: number,
): WatermarkPosition {
  let seen = p.seenMs;
  for (const ms of page.stampsMs) if (seen === undefined || ms > seen) seen = ms;
  if (page.hasMore) return { sinceMs: p.sinceMs, cursor: page.cursor, ...(seen === undefined ? {} : { seenMs: seen }) };
  return { sinceMs: seen === undefined ? p.sinceMs : Math.max(p.sinceMs, seen - overlapMs) };
}

/** Microseconds since epoch of an ISO stamp, keeping up to 6 fractional digits (Date.parse keeps 3). */
export function isoToMicros(stamp: string): number | undefined {
  const ms = Date.parse(stamp);
  if (Number.isNaN(ms)) return undefined;
  const fraction = /T\d\d:\d\d:\d\d\.(\d+)/.exec(stamp)?.[1] ?? '';
  const extra = fraction.length > 3 ? Number(fraction.slice(3, 6).padEnd(3, '0')) : 0;
  return ms * 1000 + extra;
}
