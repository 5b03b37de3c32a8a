// The position of updated_since + cursor sources: round trips, how a window advances, and the refusal of positions
// the source did not write.
import { describe, expect, it } from 'vitest';
import { isUnicsError } from '../../common/errors.ts';
import { advanceWatermark, isoToMicros, readWatermark, START_OF_TIME, writeWatermark } from './watermark-position.ts';

const T = Date.parse('2026-11-23T10:00:00.000Z');

describe('readWatermark / writeWatermark', () => {
  it('starts at the beginning of time without a position, and round-trips every field', () => {
    expect(readWatermark(null, 'crm')).toEqual(START_OF_TIME);
    const p = { sinceMs: T, cursor: 'abc', seenMs: T + 5 };
    const text = writeWatermark(p);
    expect(JSON.parse(text)).toEqual({ since: '2026-11-23T10:00:00.000Z', cursor: 'abc', seen: '2026-11-23T10:00:00.005Z' });
    expect(readWatermark(text, 'crm')).toEqual(p);
    expect(readWatermark(writeWatermark({ sinceMs: T }), 'crm')).toEqual({ sinceMs: T });
  });

  it.each([
    ['not JSON', 'is not JSON'],
    ['[1]', 'is not a JSON object'],
    ['{"cursor":"x"}', 'has no ISO date-time "since"'],
    ['{"since":"yesterday"}', 'has no ISO date-time "since"'],
    ['{"since":"2026-11-23T10:00:00Z","cursor":""}', 'has a "cursor" that is not a non-empty string'],
    ['{"since":"2026-11-23T10:00:00Z","seen":5}', 'has a "seen" that is not an ISO date-time'],
  ])('refuses %s with CDC_ERR_POSITION_INVALID saying %s and how to recover', (text, problem) => {
    let caught: unknown;
    try {
      readWatermark(text, 'crm');
    } catch (err) {
      caught = err;
    }
    expect(isUnicsError(caught) && caught.code).toBe('CDC_ERR_POSITION_INVALID');
    expect((caught as Error).message).toContain(`change source "crm": the stored position ${JSON.stringify(text)} ${problem}`);
    expect((caught as Error).message).toContain('Delete the position key to load everything again.');
  });
});

describe('advanceWatermark', () => {
  it('keeps the window and follows the cursor while more follow, remembering the newest stamp seen', () => {
    const p1 = advanceWatermark({ sinceMs: T }, { stampsMs: [T + 1, T + 7, T + 3], cursor: 'c1', hasMore: true }, 0);
    expect(p1).toEqual({ sinceMs: T, cursor: 'c1', seenMs: T + 7 });
    const p2 = advanceWatermark(p1, { stampsMs: [T + 2], cursor: 'c2', hasMore: true }, 0);
    expect(p2).toEqual({ sinceMs: T, cursor: 'c2', seenMs: T + 7 });
  });

  it('starts the next window at the newest stamp seen (inclusive, so that millisecond is read again), minus the overlap', () => {
    expect(advanceWatermark({ sinceMs: T, cursor: 'c', seenMs: T + 7 }, { stampsMs: [T + 9], cursor: 'c3', hasMore: false }, 0)).toEqual({ sinceMs: T + 9 });
    expect(advanceWatermark({ sinceMs: T }, { stampsMs: [T + 900], cursor: 'c', hasMore: false }, 100)).toEqual({ sinceMs: T + 800 });
  });

  it('never moves the window back, and stands still when nothing came', () => {
    expect(advanceWatermark({ sinceMs: T }, { stampsMs: [T + 10], cursor: 'c', hasMore: false }, 1000)).toEqual({ sinceMs: T });
    expect(advanceWatermark({ sinceMs: T }, { stampsMs: [], cursor: 'c', hasMore: false }, 0)).toEqual({ sinceMs: T });
  });
});

describe('isoToMicros', () => {
  it('keeps microseconds that Date.parse drops, and scales millisecond stamps by 1000', () => {
    expect(isoToMicros('2026-11-23T10:00:00.123456Z')).toBe(T * 1000 + 123_456);
    expect(isoToMicros('2026-11-23T10:00:00.1234Z')).toBe(T * 1000 + 123_400);
    expect(isoToMicros('2026-11-23T10:00:00.123Z')).toBe(T * 1000 + 123_000);
    expect(isoToMicros('2026-11-23T10:00:00Z')).toBe(T * 1000);
    expect(isoToMicros('2026-11-23T11:00:00.5+01:00')).toBe(T * 1000 + 500_000);
    expect(isoToMicros('soon')).toBeUndefined();
  });
});
