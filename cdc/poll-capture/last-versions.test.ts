// The memory of produced versions: `before`, skipping re-reads, the lsn tie-breaker and the LRU bound.
import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from './change-source.ts';
import { createLastVersions, type PlannedVersion } from './last-versions.ts';

const T = Date.parse('2026-11-23T10:00:00.000Z');
const rec = (id: string, ms: number, extra: Record<string, unknown> = {}, us?: number): ChangeRecord => ({
  id,
  updatedAtMs: ms,
  ...(us === undefined ? {} : { updatedAtUs: us }),
  record: { id, updatedAt: new Date(ms).toISOString(), ...extra },
});

describe('createLastVersions', () => {
  it('plans a first version with before null and lsn = updatedAt in µs, then skips it once produced', () => {
    const v = createLastVersions();
    const first = v.plan(rec('C1', T, { tier: 'gold' }), new Map())!;
    expect(first).toMatchObject({ lsn: T * 1000, before: null, json: JSON.stringify(rec('C1', T, { tier: 'gold' }).record) });
    v.remember([first]);
    expect(v.plan(rec('C1', T, { tier: 'gold' }), new Map())).toBeUndefined();
  });

  it('gives the next version the previous one as before and its own, larger lsn', () => {
    const v = createLastVersions();
    v.remember([v.plan(rec('C1', T, { tier: 'gold' }), new Map())!]);
    const next = v.plan(rec('C1', T + 5, { tier: 'silver' }), new Map())!;
    expect(next.before).toEqual(rec('C1', T, { tier: 'gold' }).record);
    expect(next.lsn).toBe((T + 5) * 1000);
  });

  it('breaks ties: a new version in the same stamp (or an earlier one) gets last lsn + 1', () => {
    const v = createLastVersions();
    v.remember([v.plan(rec('C1', T, { tier: 'gold' }), new Map())!]);
    const same = v.plan(rec('C1', T, { tier: 'silver' }), new Map())!;
    expect(same.lsn).toBe(T * 1000 + 1);
    v.remember([same]);
    const back = v.plan(rec('C1', T - 100, { tier: 'platinum' }), new Map())!;
    expect(back.lsn).toBe(T * 1000 + 2);
    // A µs stamp is used as it is.
    expect(v.plan(rec('C2', T, {}, T * 1000 + 417), new Map())!.lsn).toBe(T * 1000 + 417);
  });

  it('compares against versions planned in the same batch, before any acknowledgement', () => {
    const v = createLastVersions();
    const pending = new Map<string, PlannedVersion>();
    const a = v.plan(rec('C1', T, { n: 1 }), pending)!;
    expect(v.plan(rec('C1', T, { n: 1 }), pending)).toBeUndefined();
    const b = v.plan(rec('C1', T, { n: 2 }), pending)!;
    expect(b.lsn).toBe(a.lsn + 1);
    expect(b.before).toEqual({ id: 'C1', updatedAt: new Date(T).toISOString(), n: 1 });
    expect(v.size).toBe(0); // nothing remembered until Kafka acknowledged
  });

  it('forgets the least recently produced ids beyond its bound (a forgotten id is produced again, before null)', () => {
    const v = createLastVersions(2);
    for (const id of ['A', 'B', 'C']) v.remember([v.plan(rec(id, T), new Map())!]);
    expect(v.size).toBe(2);
    expect(v.plan(rec('A', T), new Map())).toMatchObject({ before: null, lsn: T * 1000 });
    expect(v.plan(rec('C', T), new Map())).toBeUndefined();
  });
});
