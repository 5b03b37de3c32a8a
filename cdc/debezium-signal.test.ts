// Debezium's incremental snapshot signal and its notifications (formats from Debezium's notification docs).
import { describe, expect, it } from 'vitest';
import { ensureSignalTable, parseSnapshotNotification, requestIncrementalSnapshot } from './debezium-signal.ts';

const recorder = () => {
  const calls: Array<{ text: string; params?: unknown[] }> = [];
  return { calls, db: { query: async (text: string, params?: unknown[]) => void calls.push({ text, ...(params ? { params } : {}) }) } };
};

describe('incremental snapshot signal', () => {
  it('creates the signal table in the layout Debezium requires', async () => {
    const { calls, db } = recorder();
    await ensureSignalTable(db, 'public.debezium_signal');
    expect(calls.map((c) => c.text)).toEqual([
      'create schema if not exists public',
      'create table if not exists public.debezium_signal (id varchar(42) primary key, type varchar(32) not null, data varchar(2048) null)',
    ]);
  });

  it('inserts an execute-snapshot signal for the tables and returns its id', async () => {
    const { calls, db } = recorder();
    const id = await requestIncrementalSnapshot(db, 'public.debezium_signal', ['shop.orders', 'shop.payments']);
    expect(id).toMatch(/^unics-[0-9a-f-]+$/);
    expect(id.length).toBeLessThanOrEqual(42);
    expect(calls[0]!.params).toEqual([id, '{"data-collections":["shop.orders","shop.payments"],"type":"incremental"}']);
  });

  it('refuses names that are not schema.table, before writing anything', async () => {
    const { calls, db } = recorder();
    await expect(requestIncrementalSnapshot(db, 'debezium_signal', ['shop.orders'])).rejects.toMatchObject({ code: 'CDC_ERR_SIGNAL_FAILED' });
    await expect(requestIncrementalSnapshot(db, 'public.s', ['shop.orders; drop table x'])).rejects.toThrow(/schema\.table/);
    await expect(requestIncrementalSnapshot(db, 'public.s', [])).rejects.toThrow(/at least one/);
    expect(calls).toEqual([]);
  });
});

describe('parseSnapshotNotification', () => {
  const note = (type: string, additional: Record<string, string>, aggregate = 'Incremental Snapshot') =>
    JSON.stringify({ id: 'sig-1', aggregate_type: aggregate, type, additional_data: { connector_name: 'unics', ...additional }, timestamp: '1695817046353' });

  it('reads the incremental snapshot lifecycle', () => {
    expect(parseSnapshotNotification(note('STARTED', { data_collections: 'shop.orders, shop.payments' }))).toEqual({ kind: 'started', id: 'sig-1', collections: ['shop.orders', 'shop.payments'] });
    expect(parseSnapshotNotification(note('IN_PROGRESS', { current_collection_in_progress: 'shop.orders', maximum_key: '100', last_processed_key: '42' }))).toEqual({ kind: 'in_progress', id: 'sig-1', collection: 'shop.orders' });
    expect(parseSnapshotNotification(note('TABLE_SCAN_COMPLETED', { scanned_collection: 'shop.orders', total_rows_scanned: '1234', status: 'SUCCEEDED' }))).toEqual({ kind: 'table_done', id: 'sig-1', collection: 'shop.orders', rows: 1234, status: 'SUCCEEDED' });
    expect(parseSnapshotNotification(note('COMPLETED', {}))).toEqual({ kind: 'completed', id: 'sig-1' });
    expect(parseSnapshotNotification(note('ABORTED', {}))).toEqual({ kind: 'aborted', id: 'sig-1' });
  });

  it('unwraps {schema, payload} and ignores what is not an incremental snapshot notification', () => {
    expect(parseSnapshotNotification(JSON.stringify({ schema: {}, payload: JSON.parse(note('COMPLETED', {})) }))).toEqual({ kind: 'completed', id: 'sig-1' });
    expect(parseSnapshotNotification(note('COMPLETED', {}, 'Initial Snapshot'))).toBeNull();
    expect(parseSnapshotNotification('not json')).toBeNull();
    expect(parseSnapshotNotification(null)).toBeNull();
  });
});
