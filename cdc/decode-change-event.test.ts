// The decoder on real Debezium 3.7 events (cdc/fixtures, captured by test/debezium-e2e.int.test.ts) and on the
// shapes real pipelines also produce: flattened records, TOAST placeholders, heartbeats, logical messages, poison.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparePositions, decodeChangeEvent, TOAST_PLACEHOLDER, type ChangeEvent, type RawMessage } from './decode-change-event.ts';

function fixture(name: string): RawMessage {
  const f = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as { topic: string; partition: number; offset: string; key: unknown; value: unknown };
  return {
    topic: f.topic,
    partition: f.partition,
    offset: f.offset,
    key: f.key === null ? null : Buffer.from(JSON.stringify(f.key)),
    value: f.value === null ? null : Buffer.from(JSON.stringify(f.value)),
  };
}

const change = (m: RawMessage) => {
  const e = decodeChangeEvent(m);
  if (e.kind !== 'change') throw new Error(`expected a change, got ${e.kind}`);
  return e;
};

describe('decodeChangeEvent on real Debezium events (plain JSON)', () => {
  it('decodes a create with its row, key, table and position', () => {
    const e = change(fixture('postgres-create.json'));
    expect(e).toMatchObject({ op: 'create', schema: 'smoke', key: { id: 1 }, before: null, snapshot: 'false', flattened: false, unavailable: [] });
    expect(e.after).toMatchObject({ id: 1, customer_no: 'K000001', status: 'pending', total_cents: 12900 });
    expect(e.table).toMatch(/^orders_/);
    expect(typeof e.position?.lsn).toBe('bigint');
    expect(e.sourceTsMs).toBeLessThanOrEqual(e.eventTsMs!);
  });

  it('decodes an update with both images, and a delete with the before image', () => {
    const u = change(fixture('postgres-update.json'));
    expect(u.op).toBe('update');
    expect(u.before).toMatchObject({ status: 'pending' });
    expect(u.after).toMatchObject({ status: 'paid' });
    const d = change(fixture('postgres-delete.json'));
    expect(d).toMatchObject({ op: 'delete', after: null, before: { id: 1, status: 'paid' } });
  });

  it('orders the three changes by position, as they were committed', () => {
    const [c, u, d] = ['postgres-create.json', 'postgres-update.json', 'postgres-delete.json'].map((n) => change(fixture(n)).position!);
    expect(comparePositions(c!, u!)).toBeLessThan(0);
    expect(comparePositions(u!, d!)).toBeLessThan(0);
    expect(comparePositions(d!, c!)).toBeGreaterThan(0);
    expect(comparePositions(u!, u!)).toBe(0);
  });

  it('decodes the tombstone that follows a delete', () => {
    expect(decodeChangeEvent(fixture('postgres-tombstone.json'))).toEqual({ kind: 'tombstone', key: { id: 1 } });
  });
});

describe('decodeChangeEvent on real events with the schema/payload wrapper', () => {
  it('unwraps them to the same shape, including snapshot reads and truncates', () => {
    const r = change(fixture('postgres-schema-read.json'));
    expect(r.op).toBe('read');
    expect(r.snapshot).not.toBe('false');
    expect(r.position?.snapshot).toBe(true);
    expect(r.key).toHaveProperty('id');
    expect(change(fixture('postgres-schema-create.json')).op).toBe('create');
    expect(change(fixture('postgres-schema-update.json')).op).toBe('update');
    expect(change(fixture('postgres-schema-delete.json')).op).toBe('delete');
    const t = change(fixture('postgres-schema-truncate.json'));
    expect(t).toMatchObject({ op: 'truncate', key: null, before: null, after: null, schema: 'smoke' });
  });

  it('sorts a snapshot read before a streamed change at the same LSN', () => {
    const base = { commitLsn: 100n, lsn: 100n, txId: 1 };
    expect(comparePositions({ ...base, snapshot: true }, { ...base, snapshot: false })).toBeLessThan(0);
  });
});

const raw = (value: unknown, key: unknown = { id: 7 }, topic = 'unics.shop.orders'): RawMessage => ({
  topic,
  key: key === null ? null : JSON.stringify(key),
  value: value === null ? null : JSON.stringify(value),
});
const source = { connector: 'postgresql', schema: 'shop', table: 'orders', snapshot: 'false', lsn: 5000, sequence: '["4900","5000"]', txId: 9, ts_ms: 1000 };

describe('decodeChangeEvent on other real-world shapes', () => {
  it('drops TOAST placeholders from the after row and lists them, so stored values are kept', () => {
    const e = change(raw({ op: 'u', source, ts_ms: 1005, before: null, after: { id: 7, status: 'paid', notes: TOAST_PLACEHOLDER, tags: [TOAST_PLACEHOLDER] } })) as ChangeEvent;
    expect(e.after).toEqual({ id: 7, status: 'paid' });
    expect(e.unavailable).toEqual(['notes', 'tags']);
    expect(e.position).toEqual({ commitLsn: 4900n, lsn: 5000n, txId: 9, snapshot: false });
  });

  it('decodes records flattened by ExtractNewRecordState, including __deleted rows', () => {
    const up = change(raw({ id: 7, status: 'paid', __deleted: 'false', __op: 'u', __lsn: 5000, __source_ts_ms: 1000 }));
    expect(up).toMatchObject({ op: 'update', after: { id: 7, status: 'paid' }, flattened: true, schema: 'shop', table: 'orders', sourceTsMs: 1000 });
    expect(up.position?.lsn).toBe(5000n);
    const del = change(raw({ id: 7, status: 'paid', __deleted: 'true' }));
    expect(del).toMatchObject({ op: 'delete', after: null, before: { id: 7, status: 'paid' } });
  });

  it('decodes heartbeats and logical decoding messages', () => {
    expect(decodeChangeEvent(raw({ ts_ms: 1234 }, { serverName: 'unics' }, '__debezium-heartbeat.unics'))).toEqual({ kind: 'heartbeat', tsMs: 1234 });
    expect(decodeChangeEvent(raw({ op: 'm', source, ts_ms: 1, message: { prefix: 'unics', content: 'aGk=' } }, null, 'unics.message'))).toMatchObject({ kind: 'message', prefix: 'unics', content: 'aGk=' });
  });

  it('treats an empty value as a tombstone', () => {
    expect(decodeChangeEvent({ topic: 'unics.shop.orders', key: '{"id":7}', value: Buffer.alloc(0) })).toEqual({ kind: 'tombstone', key: { id: 7 } });
  });
});

describe('poison messages get CDC_ERR_POISON with the reason and the message position', () => {
  const cases: Array<[string, RawMessage, string]> = [
    ['not JSON', { topic: 't.s.x', partition: 2, offset: '41', key: '{"id":1}', value: '{"op": "c", ' }, 'change event t.s.x[2]@41: the value is not JSON'],
    ['an array value', raw([1, 2]), 'the value must be a JSON object, but is an array'],
    ['an unknown op', raw({ op: 'x', source }), 'unknown op "x"; expected one of c, u, d, r, t, m'],
    ['no source', raw({ op: 'c', after: { id: 1 } }), 'op "c" without a source block'],
    ['a create without after', raw({ op: 'c', source, after: null }), 'op "c" without an after row'],
    ['a scalar key', raw({ op: 'c', source, after: { id: 1 } }, 42), 'the key must be a JSON object of key columns, but is number'],
    ['a bare row without key', raw({ id: 1, status: 'x' }, null), 'a record without an envelope (no op, no source) and without a key'],
  ];
  it.each(cases)('%s', (_name, msg, reason) => {
    let caught: unknown;
    try {
      decodeChangeEvent(msg);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'CDC_ERR_POISON', retriable: false });
    expect((caught as Error).message).toContain(reason);
  });
});
