import { describe, expect, it } from 'vitest';
import { commonErrors } from './error-catalogue.ts';
import { createLogger, type LoggerOptions } from './logger.ts';

const capture = (options: Omit<LoggerOptions, 'destination'> = {}) => {
  const chunks: string[] = [];
  const log = createLogger({ ...options, destination: { write: (s: string) => void chunks.push(s) } });
  const raw = () => chunks.join('');
  const lines = () => raw().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, raw, lines };
};

const SECRET = 'hunter2-do-not-log';

describe('createLogger', () => {
  it('writes JSON lines with level, name and message, at info by default', () => {
    const { log, lines } = capture({ name: 'unics' });
    log.debug('hidden');
    log.info({ port: 4000 }, 'listening');
    expect(lines()).toEqual([expect.objectContaining({ level: 30, name: 'unics', port: 4000, msg: 'listening' })]);
  });

  it('honours the configured level', () => {
    const { log, lines } = capture({ level: 'warn' });
    log.info('no');
    log.warn('yes');
    expect(lines().map((l) => l.msg)).toEqual(['yes']);
    expect(log.level).toBe('warn');
  });

  it('refuses an unknown level with COMMON_ERR_CONFIG_INVALID and the valid ones', () => {
    expect(() => createLogger({ level: 'verbose' as 'info' })).toThrow(
      'log level must be one of fatal, error, warn, info, debug, trace, silent, but got "verbose". ' +
        'Write "info" for normal operation or "debug" when investigating.',
    );
    try {
      createLogger({ level: 'loud' as 'info' });
    } catch (err) {
      expect(commonErrors.errors.COMMON_ERR_CONFIG_INVALID.is(err)).toBe(true);
    }
  });

  it('never writes secrets, wherever they are in the logged object', () => {
    const { log, raw, lines } = capture();
    log.info(
      {
        password: SECRET,
        config: { connectors: { crm: { oauth: { clientSecret: SECRET, tokenUrl: 'https://crm/token' } } } },
        headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}`, 'x-api-key': SECRET },
        upstream: { apiKey: SECRET, accessToken: SECRET, nested: [{ secret: SECRET }] },
        databaseUrl: `postgres://unics:${SECRET}@127.0.0.1:5432/shop`,
      },
      'config loaded',
    );
    expect(raw()).not.toContain(SECRET);
    const [line] = lines();
    expect(line?.password).toBe('[redacted]');
    expect(line?.config).toEqual({
      connectors: { crm: { oauth: { clientSecret: '[redacted]', tokenUrl: 'https://crm/token' } } },
    });
    expect(line?.databaseUrl).toBe('postgres://unics:[redacted]@127.0.0.1:5432/shop');
  });

  it('redacts secrets in child bindings, at every generation', () => {
    const { log, raw, lines } = capture();
    log.child({ connector: 'crm', auth: { token: SECRET } }).child({ session: { cookie: SECRET } }).info('hi');
    expect(raw()).not.toContain(SECRET);
    expect(lines()[0]).toMatchObject({ connector: 'crm', auth: { token: '[redacted]' }, session: { cookie: '[redacted]' } });
  });

  it('keeps errors useful (type, code, stack, details) while redacting their secrets', () => {
    const { log, raw, lines } = capture();
    const err = commonErrors.errors.COMMON_ERR_TIMEOUT(`no answer from redis://:${SECRET}@cache:6379`, {
      details: { accessToken: SECRET, connector: 'crm' },
      cause: new Error(`dial postgres://u:${SECRET}@db/shop`),
    });
    log.error(err);
    log.error({ err }, 'refresh failed');
    expect(raw()).not.toContain(SECRET);
    const [first, second] = lines();
    expect(first?.msg).toBe('no answer from redis://:[redacted]@cache:6379');
    expect(first?.err).toMatchObject({
      type: 'UnicsError',
      code: 'COMMON_ERR_TIMEOUT',
      details: { accessToken: '[redacted]', connector: 'crm' },
    });
    expect(String((first?.err as { stack: string }).stack)).toContain('caused by: Error: dial postgres://u:[redacted]@db');
    expect(second?.msg).toBe('refresh failed');
  });

  it('redacts URL passwords in message strings and interpolation arguments', () => {
    const { log, raw } = capture();
    log.warn(`retrying postgres://u:${SECRET}@db/shop`);
    log.warn('retrying %s', `redis://:${SECRET}@cache`);
    expect(raw()).not.toContain(SECRET);
    expect(raw()).toContain('retrying redis://:[redacted]@cache');
  });

  it('redacts headers that request serializers produce from request objects', () => {
    // A class instance, like Node's IncomingMessage: only its serializer's output is logged.
    class FakeRequest {
      readonly method = 'GET';
      readonly headers = { authorization: `Bearer ${SECRET}`, host: 'x' };
    }
    const { log, raw } = capture();
    const serializers = { req: (r: FakeRequest) => ({ method: r.method, headers: { ...r.headers } }) };
    log.child({}, { serializers }).info({ req: new FakeRequest() }, 'request');
    expect(raw()).not.toContain(SECRET);
    expect(raw()).toContain('"req":{"method":"GET","headers":{"authorization":"[redacted]","host":"x"}}');
  });

  it('redacts extra keys given by the caller', () => {
    const { log, raw } = capture({ redactKeys: ['iban'] });
    log.info({ customer: { iban: 'DE89370400440532013000' } });
    expect(raw()).not.toContain('DE89370400440532013000');
  });

  it('writes readable lines when pretty, still redacted', () => {
    const { log, raw } = capture({ pretty: true, name: 'gateway' });
    log.info({ port: 4000, token: SECRET }, 'listening');
    expect(raw()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}gateway: listening port=4000 token=\[redacted\]\n$/);
  });
});
