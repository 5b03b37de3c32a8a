import { describe, expect, it } from 'vitest';
import { commonErrors } from './error-catalogue.ts';
import { listErrorCatalogues, toPublicError } from './errors.ts';

describe('COMMON error catalogue', () => {
  it('is registered under the COMMON area', () => {
    expect(commonErrors.area).toBe('COMMON');
    expect(listErrorCatalogues()).toContain(commonErrors);
  });

  it('declares the masked error exactly as toPublicError returns it', () => {
    const masked = toPublicError(new TypeError('cannot read properties of undefined'));
    const spec = commonErrors.errors.COMMON_ERR_UNEXPECTED;
    expect(masked.code).toBe(spec.code);
    expect(masked.httpStatus).toBe(spec.spec.httpStatus);
    expect(spec.spec.retriable).toBe(false);
  });

  it('maps each kernel failure to the status and retry advice clients act on', () => {
    const summary = Object.fromEntries(
      Object.values(commonErrors.errors).map((f) => [f.code, [f.spec.httpStatus, f.spec.retriable, f.spec.wsClose]]),
    );
    expect(summary).toEqual({
      COMMON_ERR_UNEXPECTED: [500, false, 1011],
      COMMON_ERR_CONFIG_INVALID: [500, false, undefined],
      // Retrying the same closed instance cannot work; the 503 lets a load balancer try another instance.
      COMMON_ERR_CLOSED: [503, false, 1001],
      COMMON_ERR_INVALID_TRANSITION: [500, false, undefined],
      COMMON_ERR_TIMEOUT: [504, true, undefined],
    });
  });
});
