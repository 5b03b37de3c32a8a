import { describe, expect, it } from 'vitest';
import { mapPgError } from './map-pg-error.ts';
import { alignRows, commandValues, parseInt8, placeholdersOf, timestamptzToIso } from './sql-mapping.ts';

const where = { connector: 'shopdb', entity: 'orders' };

describe('sql mapping', () => {
  it('finds $n parameters outside literals, quoted names and comments', () => {
    expect(placeholdersOf('select * from t where a = any($1) and b = $3 -- $9\n and c = \'$7\' and "$8" = 1 /* $6 */ and d = $1')).toEqual([1, 3]);
    expect(placeholdersOf('select 1')).toEqual([]);
  });

  it('aligns rows to keys by the key column, whatever order they come in', () => {
    const rows = [
      { id: 'O2', customer_no: 'K2' },
      { id: 'O1', customer_no: 'K1' },
      { id: 'O3', customer_no: 'K1' },
    ];
    const many = alignRows(where, ['K1', 'K9', 'K2'], rows, ['id', 'customer_no'], 'customer_no', true);
    expect([...many]).toEqual([
      ['K1', { status: 'ok', value: [rows[1], rows[2]] }],
      ['K9', { status: 'ok', value: [] }],
      ['K2', { status: 'ok', value: [rows[0]] }],
    ]);
    const one = alignRows(where, ['O3', 'O9'], rows, ['id', 'customer_no'], 'id', false);
    expect([...one]).toEqual([['O3', { status: 'ok', value: rows[2] }], ['O9', { status: 'not_found' }]]);
    // Keys compare as text: an integer key column matches the string keys.
    expect(alignRows(where, ['7'], [{ n: 7 }], ['n'], 'n', false).get('7')).toEqual({ status: 'ok', value: { n: 7 } });
  });

  it('refuses a key column the query does not return, naming the columns it does', () => {
    expect(() => alignRows(where, ['K1'], [], ['id', 'customer_no'], 'customerNo', true)).toThrow(
      'connector "shopdb": entity "orders": keyColumn "customerNo" is not a column of the query\'s result; it has id, customer_no',
    );
  });

  it('takes command values from named input fields, refusing missing ones before sending anything', () => {
    expect(commandValues('db', 'refund', ['orderId', 'amount'], { amount: 5, orderId: 'O1', extra: true })).toEqual(['O1', 5]);
    expect(() => commandValues('db', 'refund', ['orderId', 'amount'], { amount: 5 })).toThrow('connector "db": command "refund" needs the input field(s) orderId, but got amount');
  });

  it('converts bigint to numbers only when exact, and timestamptz to ISO UTC', () => {
    expect(parseInt8('49150')).toBe(49_150);
    expect(parseInt8('9223372036854775807')).toBe('9223372036854775807');
    const iso = timestamptzToIso((t) => new Date(t));
    expect(iso('2026-11-01 13:00:00+01')).toBe('2026-11-01T12:00:00.000Z');
    expect(timestamptzToIso(() => Number.POSITIVE_INFINITY)('infinity')).toBe('infinity');
  });
});

describe('mapPgError', () => {
  const at = { connector: 'shopdb', what: 'entity "orders"' };
  it('SQL errors are CONN_ERR_REJECTED with the SQLSTATE in the details', () => {
    const err = mapPgError(Object.assign(new Error('column "nope" does not exist'), { code: '42703', position: '8' }), at);
    expect(err).toMatchObject({ code: 'CONN_ERR_REJECTED', retriable: false, details: { sqlstate: '42703', position: 8 } });
    expect(err.message).toBe('connector "shopdb": entity "orders" failed: column "nope" does not exist (SQLSTATE 42703)');
  });

  it('serialization failures and deadlocks are retriable; shutdowns, connection and resource errors are unavailable', () => {
    expect(mapPgError(Object.assign(new Error('deadlock detected'), { code: '40P01' }), at)).toMatchObject({ code: 'CONN_ERR_REJECTED', retriable: true });
    expect(mapPgError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), at)).toMatchObject({ code: 'CONN_ERR_UNAVAILABLE', retriable: true });
    expect(mapPgError(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }), at).code).toBe('CONN_ERR_UNAVAILABLE');
    expect(mapPgError(Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' }), at).code).toBe('CONN_ERR_UNAUTHORIZED');
    expect(mapPgError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), at)).toMatchObject({ code: 'CONN_ERR_TIMEOUT', retriable: true });
  });

  it('network failures are CONN_ERR_UNAVAILABLE, also when Node aggregates them', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(mapPgError(refused, at).message).toBe('connector "shopdb": entity "orders": could not use the database (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)');
    const aggregate = new AggregateError([refused, refused], '');
    expect(mapPgError(aggregate, at)).toMatchObject({ code: 'CONN_ERR_UNAVAILABLE', details: { errno: 'ECONNREFUSED' } });
    expect(mapPgError(new Error('Connection terminated unexpectedly'), at).code).toBe('CONN_ERR_UNAVAILABLE');
  });
});
