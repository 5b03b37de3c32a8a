// The sql connector's failure when there is no database to reach (unit tier: nothing listens on the port).
// Behaviour against the real PostgreSQL is in sql-connector.int.test.ts.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../../common/index.ts';
import { sqlKind } from './index.ts';

describe('sql connector without a database', () => {
  it('connection refused is CONN_ERR_UNAVAILABLE, and the password never appears in the message', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const config = sqlKind.configSchema.parse({ name: 'shopdb', databaseUrl: `postgres://unics:s3cret@127.0.0.1:${port}/shop`, entities: { o: { query: 'select id from t where id = any($1)', keyColumn: 'id' } } });
    const c = sqlKind.create(config, { log: createLogger({ level: 'silent' }), clock: systemClock });
    try {
      const err = (await c.load('o', ['1'], { tenant: 't', signal: AbortSignal.timeout(5_000) }).catch((e: unknown) => e)) as Error & { code: string };
      expect(err.code).toBe('CONN_ERR_UNAVAILABLE');
      expect(err.message).toMatch(/^connector "shopdb": entity "o": could not use the database \(ECONNREFUSED/);
      expect(err.message).not.toContain('s3cret');
      await expect(c.check(AbortSignal.timeout(5_000))).rejects.toMatchObject({ code: 'CONN_ERR_UNAVAILABLE' });
    } finally {
      await c.close();
    }
  });
});
