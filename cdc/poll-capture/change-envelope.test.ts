// The envelopes and heartbeats the capture writes decode with the same decodeChangeEvent as Debezium's own output.
import { describe, expect, it } from 'vitest';
import { comparePositions, decodeChangeEvent, type ChangeEvent } from '../decode-change-event.ts';
import { changeMessage, changeOp, heartbeatMessage, type ChangeMessageInput } from './change-envelope.ts';

const contact = { id: 'C000001', firstName: 'Fang', customerNo: 'K0000003', helpdeskUserId: 'U0000008', createdAt: '2023-12-07T13:58:02.478Z', updatedAt: '2026-11-23T10:00:00.123Z' };
const updatedMs = Date.parse(contact.updatedAt);
const base: ChangeMessageInput = {
  capture: 'crm',
  system: 'crm',
  table: 'contacts',
  id: 'C000001',
  op: 'u',
  snapshot: 'false',
  before: { ...contact, tier: 'silver' },
  afterJson: JSON.stringify(contact),
  sourceTsMs: updatedMs,
  lsn: updatedMs * 1000,
  nowMs: updatedMs + 40,
};

describe('changeMessage', () => {
  it('writes the contract: key {"id"}, {before, after, op, source, ts_ms} with the unics-poll source block', () => {
    const m = changeMessage(base);
    expect(JSON.parse(m.key)).toEqual({ id: 'C000001' });
    expect(JSON.parse(m.value)).toEqual({
      before: { ...contact, tier: 'silver' },
      after: contact,
      op: 'u',
      source: { version: 'unics-poll/1', connector: 'unics-poll', name: 'crm', ts_ms: updatedMs, snapshot: 'false', db: 'crm', schema: 'crm', table: 'contacts', lsn: updatedMs * 1000 },
      ts_ms: updatedMs + 40,
    });
  });

  it('decodes with decodeChangeEvent into a change with its position, for every op and snapshot flag', () => {
    const cases = [
      { op: 'r', snapshot: 'true', want: 'read' },
      { op: 'r', snapshot: 'last', want: 'read' },
      { op: 'c', snapshot: 'false', want: 'create' },
      { op: 'u', snapshot: 'false', want: 'update' },
    ] as const;
    for (const { op, snapshot, want } of cases) {
      const m = changeMessage({ ...base, op, snapshot, before: op === 'u' ? base.before : null });
      const event = decodeChangeEvent({ topic: 'unics.crm.contacts', partition: 0, offset: '7', ...m }) as ChangeEvent;
      expect(event).toMatchObject({
        kind: 'change',
        op: want,
        schema: 'crm',
        table: 'contacts',
        key: { id: 'C000001' },
        after: contact,
        snapshot,
        sourceTsMs: updatedMs,
        eventTsMs: updatedMs + 40,
        flattened: false,
        unavailable: [],
      });
      expect(event.position).toEqual({ commitLsn: null, lsn: BigInt(updatedMs * 1000), txId: null, snapshot: snapshot !== 'false' });
    }
  });

  it('gives later versions of a record later positions, as downstream compares them', () => {
    const decode = (lsn: number) => (decodeChangeEvent({ topic: 'unics.crm.contacts', ...changeMessage({ ...base, lsn }) }) as ChangeEvent).position!;
    expect(comparePositions(decode(updatedMs * 1000), decode(updatedMs * 1000 + 1))).toBeLessThan(0);
    // A read from the initial load sorts before a streamed change at the same position.
    const read = decodeChangeEvent({ topic: 'unics.crm.contacts', ...changeMessage({ ...base, op: 'r', snapshot: 'last', before: null }) }) as ChangeEvent;
    expect(comparePositions(read.position!, decode(updatedMs * 1000))).toBeLessThan(0);
  });

  it('keeps `after` byte for byte as the source sent it, non-ASCII included', () => {
    const ticket = '{"id":"T0000003","userId":"U0000006","subject":"退款什么时候到账？","status":"OPEN","priority":"HIGH","createdAt":"2026-05-12T13:30:45.037Z","updatedAt":"2026-06-02T08:05:51.787Z"}';
    const m = changeMessage({ ...base, system: 'helpdesk', table: 'tickets', id: 'T0000003', afterJson: ticket, op: 'r', snapshot: 'true', before: null });
    expect(m.value).toContain(`"after":${ticket}`);
    expect((decodeChangeEvent({ topic: 'unics.helpdesk.tickets', ...m }) as ChangeEvent).after).toEqual(JSON.parse(ticket));
  });
});

describe('heartbeatMessage', () => {
  it('is Debezium\'s heartbeat, which decodeChangeEvent reads as {kind: heartbeat, tsMs}', () => {
    const m = heartbeatMessage('crm', 1_795_000_000_000);
    expect(JSON.parse(m.key)).toEqual({ serverName: 'crm' });
    expect(JSON.parse(m.value)).toEqual({ ts_ms: 1_795_000_000_000 });
    expect(decodeChangeEvent({ topic: '__debezium-heartbeat.crm', ...m })).toEqual({ kind: 'heartbeat', tsMs: 1_795_000_000_000 });
  });
});

describe('changeOp', () => {
  it('is "c" only for a record never produced before and created inside the poll window', () => {
    const window = 1000;
    expect(changeOp(false, 1000, window)).toBe('c');
    expect(changeOp(false, 1500, window)).toBe('c');
    expect(changeOp(true, 1500, window)).toBe('u');
    expect(changeOp(false, 999, window)).toBe('u');
    expect(changeOp(false, undefined, window)).toBe('u');
    expect(changeOp(false, 1500, undefined)).toBe('u');
  });
});
