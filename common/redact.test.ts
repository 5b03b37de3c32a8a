import { describe, expect, it } from 'vitest';
import { createSecretMatcher, redactSecrets, redactUrlCredentials, REDACTED } from './redact.ts';

const matcher = createSecretMatcher();
const redact = (value: unknown) => redactSecrets(value, matcher);

describe('createSecretMatcher', () => {
  it.each([
    'password',
    'dbPassword',
    'secret',
    'clientSecret',
    'client_secret',
    'CLIENT-SECRET',
    'token',
    'accessToken',
    'refresh_token',
    'apiKey',
    'x-api-key',
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'privateKey',
    'credentials',
  ])('treats %j as a secret', (key) => {
    expect(matcher.isSecret(key)).toBe(true);
  });

  it.each(['tokenCount', 'maxTokens', 'secretName2', 'passwordPolicyUrl', 'id', 'customerNo', 'cookies_enabled'])(
    'leaves %j alone',
    (key) => {
      expect(matcher.isSecret(key)).toBe(false);
    },
  );

  it('adds extra keys, compared the same normalized way', () => {
    const custom = createSecretMatcher(['ssn', 'Card_Number']);
    expect(custom.isSecret('SSN')).toBe(true);
    expect(custom.isSecret('cardNumber')).toBe(true);
    expect(matcher.isSecret('cardNumber')).toBe(false);
  });
});

describe('redactUrlCredentials', () => {
  it.each([
    ['postgres://unics:s3cret@127.0.0.1:5432/shop', `postgres://unics:${REDACTED}@127.0.0.1:5432/shop`],
    ['redis://:s3cret@localhost:6379', `redis://:${REDACTED}@localhost:6379`],
    ['connect failed: postgres://u:p@ss@db/x timed out', `connect failed: postgres://u:${REDACTED}@db/x timed out`],
    ['http://example.com/a@b', 'http://example.com/a@b'],
    ['user@example.com wrote', 'user@example.com wrote'],
  ])('%s', (input, expected) => {
    expect(redactUrlCredentials(input)).toBe(expected);
  });
});

describe('redactSecrets', () => {
  it('redacts secret keys at any depth, including inside arrays', () => {
    const input = {
      connectors: { crm: { auth: { oauth: { clientId: 'unics', clientSecret: 'cs-1' } } } },
      upstreams: [{ headers: { Authorization: 'Bearer t-1', accept: 'json' } }],
      password: 'p-1',
    };
    expect(redact(input)).toEqual({
      connectors: { crm: { auth: { oauth: { clientId: 'unics', clientSecret: REDACTED } } } },
      upstreams: [{ headers: { Authorization: REDACTED, accept: 'json' } }],
      password: REDACTED,
    });
  });

  it('never mutates the input, and returns the same object when there is nothing to redact', () => {
    const input = { a: { password: 'p' }, b: { ok: 1 } };
    const out = redact(input) as typeof input;
    expect(input.a.password).toBe('p');
    expect(out.b).toBe(input.b);
    const clean = { a: { b: [1, 2, { c: 'd' }] } };
    expect(redact(clean)).toBe(clean);
  });

  it('redacts a whole object stored under a secret key', () => {
    expect(redact({ credentials: { user: 'u', pass: 'p' } })).toEqual({ credentials: REDACTED });
  });

  it('hides passwords in URL-valued fields and URL objects but keeps the rest of the URL', () => {
    expect(redact({ databaseUrl: 'postgres://u:pw@h/db', REDIS_URL: 'redis://:pw@h:6379' })).toEqual({
      databaseUrl: `postgres://u:${REDACTED}@h/db`,
      REDIS_URL: `redis://:${REDACTED}@h:6379`,
    });
    expect(redact({ target: new URL('postgres://u:pw@h/db') })).toEqual({ target: `postgres://u:${REDACTED}@h/db` });
  });

  it('serializes errors so their details and URL-bearing messages are redacted', () => {
    const err = Object.assign(new Error('cannot reach postgres://u:pw@h/db'), { details: { token: 't' } });
    const out = redact({ err }) as { err: Record<string, unknown> };
    expect(out.err.message).toBe(`cannot reach postgres://u:${REDACTED}@h/db`);
    expect(out.err.details).toEqual({ token: REDACTED });
    expect(JSON.stringify(out)).not.toContain(':pw@');
  });

  it('replaces cycles and over-deep branches instead of leaking their unredacted originals', () => {
    const cyclic: Record<string, unknown> = { password: 'p' };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ password: REDACTED, self: '[Circular]' });
    let deep: Record<string, unknown> = { password: 'p' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redact(deep))).not.toContain('"p"');
  });

  it('leaves class instances other than errors and URLs to their serializers', () => {
    const when = new Date(0);
    const buf = Buffer.from('x');
    const input = { when, buf };
    expect(redact(input)).toBe(input);
  });
});
