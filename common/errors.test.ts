import { describe, expect, it } from 'vitest';
import { defineErrors, isRetriable, isUnicsError, listErrorCatalogues, toPublicError, UnicsError } from './errors.ts';

const sample = defineErrors('SAMPLE', {
  SAMPLE_ERR_SLOW: { description: 'Upstream too slow.', httpStatus: 504, retriable: true, wsClose: 4008 },
  SAMPLE_ERR_BAD: { description: 'Bad input.', httpStatus: 400, retriable: false },
});

describe('defineErrors', () => {
  it('builds factories that carry the code, status, retriable flag, close code, details and cause', () => {
    const cause = new Error('socket hang up');
    const err = sample.errors.SAMPLE_ERR_SLOW('crm did not answer within 3000 ms', { cause, details: { connector: 'crm' } });
    expect(err).toBeInstanceOf(UnicsError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'UnicsError',
      code: 'SAMPLE_ERR_SLOW',
      message: 'crm did not answer within 3000 ms',
      httpStatus: 504,
      retriable: true,
      wsClose: 4008,
      details: { connector: 'crm' },
    });
    expect(err.cause).toBe(cause);
    expect(sample.errors.SAMPLE_ERR_SLOW.code).toBe('SAMPLE_ERR_SLOW');
    expect(sample.errors.SAMPLE_ERR_SLOW.spec.httpStatus).toBe(504);
  });

  it('lets one instance override retriable, and leaves cause unset when none is given', () => {
    const err = sample.errors.SAMPLE_ERR_BAD('upstream said 503', { retriable: true });
    expect(err.retriable).toBe(true);
    expect(sample.errors.SAMPLE_ERR_BAD.spec.retriable).toBe(false);
    expect('cause' in err).toBe(false);
  });

  it('recognises its own errors with is()', () => {
    const err = sample.errors.SAMPLE_ERR_BAD('x');
    expect(sample.errors.SAMPLE_ERR_BAD.is(err)).toBe(true);
    expect(sample.errors.SAMPLE_ERR_SLOW.is(err)).toBe(false);
    expect(sample.errors.SAMPLE_ERR_BAD.is(new Error('x'))).toBe(false);
  });

  it('serializes to code and message, adding details only when present', () => {
    expect(JSON.parse(JSON.stringify(sample.errors.SAMPLE_ERR_BAD('no')))).toEqual({ code: 'SAMPLE_ERR_BAD', message: 'no' });
    expect(sample.errors.SAMPLE_ERR_BAD('no', { details: { field: 'id' } }).toJSON()).toEqual({
      code: 'SAMPLE_ERR_BAD',
      message: 'no',
      details: { field: 'id' },
    });
  });

  it('registers the catalogue and freezes it', () => {
    expect(listErrorCatalogues()).toContain(sample);
    expect(Object.isFrozen(sample.errors)).toBe(true);
    expect(Object.isFrozen(sample.errors.SAMPLE_ERR_BAD.spec)).toBe(true);
  });

  it('refuses a second catalogue for the same area', () => {
    expect(() => defineErrors('SAMPLE', {})).toThrow('area "SAMPLE" is already declared');
  });

  it('refuses malformed areas and codes, naming the expected shape', () => {
    expect(() => defineErrors('conn', {})).toThrow('area must be upper-case letters like "CONN", but got "conn"');
    const spec = { description: 'd', httpStatus: 500, retriable: false };
    expect(() => defineErrors('ALPHA', { BETA_ERR_X: spec })).toThrow('code "BETA_ERR_X" must look like "ALPHA_ERR_NAME"');
    expect(() => defineErrors('GAMMA', { GAMMA_ERR_lower: spec })).toThrow('must look like "GAMMA_ERR_NAME"');
  });

  it('refuses specs that would break docs or clients, at declaration time', () => {
    const ok = { description: 'd', httpStatus: 500, retriable: false };
    expect(() => defineErrors('DELTA', { DELTA_ERR_X: { ...ok, description: ' ' } })).toThrow(
      'DELTA_ERR_X needs a description',
    );
    expect(() => defineErrors('EPSILON', { EPSILON_ERR_X: { ...ok, httpStatus: 200 } })).toThrow(
      'EPSILON_ERR_X httpStatus must be 400–599, but got 200',
    );
    expect(() => defineErrors('ZETA', { ZETA_ERR_X: { ...ok, retriable: 'yes' as unknown as boolean } })).toThrow(
      'ZETA_ERR_X retriable must be true or false',
    );
    expect(() => defineErrors('ETA', { ETA_ERR_X: { ...ok, wsClose: 1006 } })).toThrow(
      'ETA_ERR_X wsClose must be a sendable WebSocket close code',
    );
    expect(() => defineErrors('THETA', { THETA_ERR_X: { ...ok, wsClose: 5000 } })).toThrow('but got 5000');
  });

  it('does not register a catalogue whose declaration failed', () => {
    expect(listErrorCatalogues().map((c) => c.area)).not.toContain('EPSILON');
  });
});

describe('isRetriable and isUnicsError', () => {
  it('reads retriable from catalogued errors and treats everything else as not retriable', () => {
    expect(isRetriable(sample.errors.SAMPLE_ERR_SLOW('x'))).toBe(true);
    expect(isRetriable(sample.errors.SAMPLE_ERR_BAD('x'))).toBe(false);
    expect(isRetriable(Object.assign(new Error('ECONNRESET'), { retriable: true }))).toBe(false);
    expect(isRetriable('boom')).toBe(false);
    expect(isUnicsError(sample.errors.SAMPLE_ERR_BAD('x'))).toBe(true);
    expect(isUnicsError({ code: 'SAMPLE_ERR_BAD', message: 'x' })).toBe(false);
  });
});

describe('toPublicError', () => {
  it('keeps code, message, status and details of catalogued errors', () => {
    const err = sample.errors.SAMPLE_ERR_BAD('ids must be C followed by 6 digits', { details: { field: 'ids' } });
    expect(toPublicError(err)).toEqual({
      code: 'SAMPLE_ERR_BAD',
      message: 'ids must be C followed by 6 digits',
      httpStatus: 400,
      details: { field: 'ids' },
    });
    expect(toPublicError(sample.errors.SAMPLE_ERR_BAD('x'))).not.toHaveProperty('details');
  });

  it('masks anything else, so SQL, stacks and upstream bodies never reach clients', () => {
    const masked = toPublicError(new Error('relation "shop.orders" does not exist'));
    expect(masked).toEqual({ code: 'COMMON_ERR_UNEXPECTED', message: 'Unexpected error', httpStatus: 500 });
    expect(JSON.stringify(masked)).not.toContain('shop.orders');
    expect(toPublicError(undefined).code).toBe('COMMON_ERR_UNEXPECTED');
    // A look-alike object is not trusted: only real UnicsErrors keep their message.
    expect(toPublicError({ code: 'SAMPLE_ERR_BAD', message: 'secret' }).message).toBe('Unexpected error');
  });
});
