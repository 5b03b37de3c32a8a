import { describe, expect, it } from 'vitest';
import * as common from './index.ts';

describe('common public surface', () => {
  it('exports the kernel factories and registers the COMMON catalogue on import', () => {
    for (const name of [
      'defineErrors',
      'toPublicError',
      'createEmitter',
      'createLifecycle',
      'createFakeClock',
      'createLogger',
      'createStateMachine',
      'parseDuration',
      'parseSize',
      'redactSecrets',
    ] as const) {
      expect(typeof common[name], name).toBe('function');
    }
    expect(common.listErrorCatalogues().map((c) => c.area)).toContain('COMMON');
    expect(Object.isFrozen(common.systemClock)).toBe(true);
  });
});
