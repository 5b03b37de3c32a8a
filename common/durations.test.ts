import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize, parseDuration, parseSize } from './durations.ts';
import { commonErrors } from './error-catalogue.ts';

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(commonErrors.errors.COMMON_ERR_CONFIG_INVALID.is(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a COMMON_ERR_CONFIG_INVALID error');
};

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['3s', 3000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['0s', 0],
    ['250 ms', 250],
    [' 3S ', 3000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text, 'timeout')).toBe(ms);
  });

  // The wording is part of the product (STYLE.md 5): these messages are what an operator reads at startup.
  it('refuses a bare number, showing both spellings of what it probably meant', () => {
    expect(messageOf(() => parseDuration(3000, 'timeout'))).toBe(
      'timeout must be a duration like "3s", but got 3000. Write "3s" or "3000ms".',
    );
    expect(messageOf(() => parseDuration(250, 'timeout'))).toBe(
      'timeout must be a duration like "3s", but got 250. Write "250ms".',
    );
    expect(messageOf(() => parseDuration(3, 'timeout'))).toBe(
      'timeout must be a duration like "3s", but got 3. Write "3s" or "3ms".',
    );
    expect(messageOf(() => parseDuration('90000', 'connector "crm": timeout'))).toBe(
      'connector "crm": timeout must be a duration like "3s", but got "90000". Write "1m30s" or "90000ms".',
    );
  });

  it('refuses unknown units and other types, listing the units', () => {
    expect(messageOf(() => parseDuration('3 seconds', 'timeout'))).toBe(
      'timeout must be a duration like "3s", but got "3 seconds". ' +
        'Write a number followed by ms, s, m, h or d, such as "3s".',
    );
    expect(messageOf(() => parseDuration('-3s', 'timeout'))).toContain('but got "-3s". Write a number followed by');
    expect(messageOf(() => parseDuration(-5, 'timeout'))).toBe(
      'timeout must be a duration like "3s", but got -5. Write a number followed by ms, s, m, h or d, such as "3s".',
    );
    expect(messageOf(() => parseDuration(undefined, 'timeout'))).toBe(
      'timeout must be a duration like "3s", but got undefined. Write a duration such as "3s".',
    );
    expect(messageOf(() => parseDuration({ seconds: 3 }, 'timeout'))).toContain('but got a value of type object.');
  });

  it('enforces limits, saying the limit in the same notation', () => {
    expect(parseDuration('1s', 'poll interval', { minMs: 1000, maxMs: 3_600_000 })).toBe(1000);
    expect(messageOf(() => parseDuration('10ms', 'poll interval', { minMs: 1000 }))).toBe(
      'poll interval must be at least 1s, but got "10ms". Write at least "1s".',
    );
    expect(messageOf(() => parseDuration('2h', 'freshness budget', { maxMs: 3_600_000 }))).toBe(
      'freshness budget must be at most 1h, but got "2h". Write at most "1h".',
    );
  });

  it('refuses values too large to be exact', () => {
    expect(messageOf(() => parseDuration('999999999999999d', 'ttl'))).toBe(
      'ttl is too large, but got "999999999999999d". Write a smaller duration.',
    );
  });

  it('carries the setting and both values as details', () => {
    try {
      parseDuration(3000, 'timeout');
    } catch (err) {
      expect((err as { details: unknown }).details).toEqual({ setting: 'timeout', expected: 'a duration', received: '3000' });
    }
    expect.assertions(1);
  });
});

describe('parseSize', () => {
  it.each([
    ['512b', 512],
    ['512kb', 524_288],
    ['1mb', 1_048_576],
    ['1MB', 1_048_576],
    ['1mib', 1_048_576],
    ['2gb', 2_147_483_648],
    ['1.5kb', 1536],
  ])('reads %j as %i bytes', (text, bytes) => {
    expect(parseSize(text, 'maxBody')).toBe(bytes);
  });

  it('refuses bare numbers and unknown units with the fix', () => {
    expect(messageOf(() => parseSize(1_048_576, 'maxBody'))).toBe(
      'maxBody must be a size like "1mb", but got 1048576. Write "1mb" or "1048576b".',
    );
    expect(messageOf(() => parseSize(512, 'maxBody'))).toBe(
      'maxBody must be a size like "1mb", but got 512. Write "512kb" or "512b".',
    );
    expect(messageOf(() => parseSize('1 megabyte', 'maxBody'))).toBe(
      'maxBody must be a size like "1mb", but got "1 megabyte". ' +
        'Write a number followed by b, kb, mb or gb (1kb = 1024 bytes), such as "1mb".',
    );
    expect(messageOf(() => parseSize('2mb', 'maxBody', { maxBytes: 1_048_576 }))).toBe(
      'maxBody must be at most 1mb, but got "2mb". Write at most "1mb".',
    );
  });
});

describe('formatDuration and formatSize', () => {
  it('write the shortest exact form, which parses back to the same number', () => {
    for (const ms of [0, 1, 250, 1000, 90_000, 3_600_000, 5_400_000, 90_061_001]) {
      expect(parseDuration(formatDuration(ms), 'x')).toBe(ms);
    }
    expect(formatDuration(90_061_001)).toBe('1d1h1m1s1ms');
    for (const bytes of [0, 100, 1024, 1536, 1_048_576, 3 * 1024 ** 3]) {
      expect(parseSize(formatSize(bytes), 'x')).toBe(bytes);
    }
    expect(formatSize(1536)).toBe('1.5kb');
    expect(formatSize(1000)).toBe('1000b');
  });
});
