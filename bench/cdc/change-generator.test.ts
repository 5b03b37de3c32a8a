import { readFileSync } from 'node:fs';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeChangeEvent } from '../../cdc/decode-change-event.ts';
import { createChangeGenerator, zonedTimestamp, type GeneratedChange } from './change-generator.ts';

interface Fixture { topic: string; partition: number; key: string; value: string; headers: Record<string, string> }
const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;

/** The shape of a JSON text: key order and value types, recursively (strings inside `sequence` included). */
function shape(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => [k, k === 'sequence' ? shape(JSON.parse(x as string)) : shape(x)]);
  return typeof v;
}
/** Shape with first-transaction nulls normalised (the fixture's first transaction has no previous commit LSN). */
const valueShape = (text: string) => JSON.stringify(shape(JSON.parse(text))).replace(/\["null","string"\]/g, '["string","string"]');

function generate(count: number): GeneratedChange[] {
  const g = createChangeGenerator({ topicPrefix: 'bench', database: 'bench_db', seed: 7 });
  const out: GeneratedChange[] = [];
  while (out.length < count) out.push(...g.next());
  return out;
}

describe('change generator', () => {
  const events = generate(20_000);
  const find = (table: string, op: string) => events.find((e) => e.table === table && e.op === op)!;

  it.each([
    ['orders', 'c', 'shop-orders-create'],
    ['orders', 'u', 'shop-orders-update'],
    ['order_items', 'c', 'shop-order-items-create'],
    ['payments', 'c', 'shop-payments-create'],
    ['payments', 'u', 'shop-payments-update'],
  ])('writes %s/%s events shaped exactly like the captured Debezium ones', (table, op, name) => {
    const real = fixture(name);
    const ours = find(table, op);
    expect(valueShape(ours.value)).toBe(valueShape(real.value));
    expect(JSON.stringify(shape(JSON.parse(ours.key)))).toBe(JSON.stringify(shape(JSON.parse(real.key))));
    expect(Object.keys(ours.headers)).toEqual(Object.keys(real.headers));
    // Same serialisation: no whitespace, ts_ns as exact 19-digit integers, ZonedTimestamp with six fraction digits.
    expect(ours.value).not.toMatch(/\s"|":\s/);
    expect(ours.value).toMatch(/"ts_ns":\d{19}}$/);
    if (table !== 'order_items') expect(ours.value).toMatch(/"updated_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"/);
    expect(ours.topic).toBe(`bench.shop.${table}`);
  });

  it('decodes with the CDC decoder, with positions in commit order and before-images that match the previous after', () => {
    let last: bigint[] = [0n, 0n];
    const rows = new Map<string, string>();
    for (const e of events.slice(0, 5_000)) {
      const d = decodeChangeEvent({ topic: e.topic, key: e.key, value: e.value });
      if (d.kind !== 'change') throw new Error('expected a change');
      const pos = [d.position!.commitLsn ?? 0n, d.position!.lsn];
      expect(pos[0]! > last[0]! || (pos[0] === last[0] && pos[1]! > last[1]!)).toBe(true);
      last = pos;
      if (e.op === 'u') expect(JSON.stringify(d.before)).toBe(rows.get(`${e.table}${e.key}`));
      rows.set(`${e.table}${e.key}`, JSON.stringify(d.after));
    }
  });

  it('spreads keys over the customers and mixes the tables like a shop', () => {
    const customers = new Set(events.filter((e) => e.table === 'orders' && e.op === 'c').map((e) => (JSON.parse(e.value) as { after: { customer_no: string } }).after.customer_no));
    expect(customers.size).toBeGreaterThan(1_500);
    const share = (t: string) => events.filter((e) => e.table === t).length / events.length;
    expect(share('orders')).toBeGreaterThan(0.35);
    expect(share('order_items')).toBeGreaterThan(0.2);
    expect(share('payments')).toBeGreaterThan(0.08);
  });

  it('is deterministic for a seed', () => {
    expect(generate(500).map((e) => e.value)).toEqual(generate(500).map((e) => e.value));
  });

  it("partitions keys like Debezium's Java producer (kafkajs' default partitioner is its murmur2)", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    for (const name of ['shop-orders-create', 'shop-order-items-create', 'shop-payments-create']) {
      const f = fixture(name);
      expect(partitioner({ topic: f.topic, partitionMetadata, message: { key: f.key, value: f.value } })).toBe(f.partition);
    }
  });

  it('formats timestamps like ZonedTimestamp', () => {
    expect(zonedTimestamp(1_795_462_866_504_758)).toBe('2026-11-23T19:41:06.504758Z');
    expect(zonedTimestamp(1_795_462_866_000_000)).toBe('2026-11-23T19:41:06.000000Z');
  });
});
