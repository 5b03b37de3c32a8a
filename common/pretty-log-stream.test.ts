import { describe, expect, it } from 'vitest';
import { createPrettyStream, formatLogLine } from './pretty-log-stream.ts';

const line = (entry: Record<string, unknown>) => JSON.stringify({ level: 30, time: Date.UTC(2025, 0, 1, 12, 0, 1, 250), ...entry });

describe('formatLogLine', () => {
  it('shows time, level, name, message and remaining fields', () => {
    expect(formatLogLine(line({ pid: 1, hostname: 'h', name: 'gateway', msg: 'listening', port: 4000, host: '127.0.0.1' }))).toBe(
      '12:00:01.250 INFO  gateway: listening port=4000 host=127.0.0.1\n',
    );
  });

  it('quotes values that would be ambiguous and prints objects as JSON', () => {
    expect(formatLogLine(line({ msg: 'x', text: 'two words', view: { lagMs: 12 } }))).toBe(
      '12:00:01.250 INFO  x text="two words" view={"lagMs":12}\n',
    );
  });

  it('prints an error stack indented under the line, with its other fields', () => {
    const out = formatLogLine(
      line({ level: 50, msg: 'boom', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.ts:1:1)', code: 'X' } }),
    );
    expect(out).toBe('12:00:01.250 ERROR boom\n    Error: boom\n        at f (a.ts:1:1)\n    code=X\n');
  });

  it('colours the level only when asked', () => {
    expect(formatLogLine(line({ level: 40, msg: 'w' }), { colors: true })).toBe('12:00:01.250 \u001b[33mWARN \u001b[0m w\n');
  });

  it('passes lines that are not JSON objects through unchanged', () => {
    expect(formatLogLine('plain text')).toBe('plain text\n');
    expect(formatLogLine('[1,2]')).toBe('[1,2]\n');
  });
});

describe('createPrettyStream', () => {
  it('formats each line written to it', () => {
    const out: string[] = [];
    const stream = createPrettyStream({ write: (s: string) => out.push(s) }, { colors: false });
    stream.write(`${line({ msg: 'a' })}\n${line({ msg: 'b' })}\n`);
    expect(out).toEqual(['12:00:01.250 INFO  a\n', '12:00:01.250 INFO  b\n']);
  });

  it('uses colours by default only for a terminal', () => {
    const tty: string[] = [];
    createPrettyStream({ write: (s: string) => tty.push(s), isTTY: true }).write(line({ msg: 'a' }));
    expect(tty[0]).toContain('\u001b[32m');
    const file: string[] = [];
    createPrettyStream({ write: (s: string) => file.push(s) }).write(line({ msg: 'a' }));
    expect(file[0]).not.toContain('\u001b[');
  });
});
