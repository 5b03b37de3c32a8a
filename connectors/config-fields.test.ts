import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationField, sizeField } from './config-fields.ts';

const schema = z.object({
  timeout: durationField('timeout', { minMs: 1, maxMs: 600_000 }).prefault('5s'),
  maxResponseSize: sizeField('maxResponseSize', { minBytes: 1024 }).prefault('8mb'),
});

const issues = (input: unknown) => {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected the config to be refused');
  return result.error.issues.map((i) => ({ path: i.path, message: i.message, whole: (i as { params?: { whole?: boolean } }).params?.whole }));
};

describe('durationField and sizeField', () => {
  it('parse values written with their unit into milliseconds and bytes, defaults written the same way', () => {
    expect(schema.parse({ timeout: '250ms', maxResponseSize: '64kb' })).toEqual({ timeout: 250, maxResponseSize: 64 * 1024 });
    expect(schema.parse({})).toEqual({ timeout: 5_000, maxResponseSize: 8 * 1024 * 1024 });
  });

  it('refuse a bad value with the parser\'s message as one whole issue naming the setting and the fix', () => {
    expect(issues({ timeout: '3x', maxResponseSize: 8 })).toEqual([
      { path: ['timeout'], whole: true, message: 'timeout must be a duration like "3s", but got "3x". Write a number followed by ms, s, m, h or d, such as "3s".' },
      { path: ['maxResponseSize'], whole: true, message: 'maxResponseSize must be a size like "1mb", but got 8. Write "8kb" or "8b".' },
    ]);
  });

  it('apply the limits', () => {
    expect(issues({ timeout: '0ms' })).toEqual([{ path: ['timeout'], whole: true, message: 'timeout must be at least 1ms, but got "0ms". Write at least "1ms".' }]);
    expect(issues({ maxResponseSize: '10b' })[0]?.message).toMatch(/^maxResponseSize must be at least 1kb, but got "10b"/);
  });
});
