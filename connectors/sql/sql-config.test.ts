import { describe, expect, it } from 'vitest';
import { sqlConfigSchema } from './sql-config.ts';

describe('sql config', () => {
  const base = { name: 'shopdb', databaseUrl: 'postgres://u:secret@127.0.0.1:5432/shop' };
  const issues = (input: unknown) => {
    const r = sqlConfigSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('fills defaults', () => {
    const c = sqlConfigSchema.parse({ ...base, entities: { o: { query: 'select * from t where id = any($1)', keyColumn: 'id' } }, commands: { c: { query: 'select 1' } } });
    expect(c).toMatchObject({ poolSize: 10, connectTimeout: 5_000, entities: { o: { many: false, maxBatchSize: 1_000 } }, commands: { c: { params: [], idempotent: false } } });
  });

  it('says how the keys and parameters must be used', () => {
    expect(issues({ ...base, entities: { o: { query: 'select * from t where id = $2', keyColumn: 'id' } } })).toEqual([
      'entities.o.query: must use exactly one parameter, $1 (the keys as a text[]), as in "where id = any($1)", but uses $2',
    ]);
    expect(issues({ ...base, commands: { r: { query: 'update t set s = $2 where id = $1', params: ['orderId'] } } })).toEqual([
      'commands.r.params: names 1 input field(s), but the query uses $2; list one input field per parameter',
    ]);
    expect(issues({ ...base, databaseUrl: 'mysql://x' })).toEqual(['databaseUrl: must be a PostgreSQL URL like "postgres://user:password@host:5432/db"']);
    expect(issues({ ...base, pool: 3 })).toEqual([': Unrecognized key: "pool"']);
  });
});
