// Human-readable log lines for a developer's terminal (createLogger({ pretty: true })), without another dependency.
// Production keeps JSON lines: they are what log shippers parse.

export interface PrettyOptions {
  /** ANSI colours for the level. Default: when the output is a terminal. */
  readonly colors?: boolean;
}

export interface TextSink {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

const LEVELS: Readonly<Record<number, readonly [label: string, color: string]>> = {
  10: ['TRACE', '\u001b[90m'],
  20: ['DEBUG', '\u001b[36m'],
  30: ['INFO ', '\u001b[32m'],
  40: ['WARN ', '\u001b[33m'],
  50: ['ERROR', '\u001b[31m'],
  60: ['FATAL', '\u001b[35m'],
};
const RESET = '\u001b[0m';
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err']);

function formatValue(value: unknown): string {
  return typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

/** Turns one pino JSON line into "12:00:01.250 INFO  gateway: listening port=4000". Non-JSON lines pass through. */
export function formatLogLine(line: string, options: PrettyOptions = {}): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line.endsWith('\n') ? line : `${line}\n`;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '--:--:--.---';
  const [label, color] = LEVELS[Number(entry.level)] ?? [String(entry.level).padEnd(5), ''];
  const level = options.colors === true && color !== '' ? `${color}${label}${RESET}` : label;
  const name = typeof entry.name === 'string' ? `${entry.name}: ` : '';
  const fields = Object.keys(entry)
    .filter((key) => !HIDDEN.has(key))
    .map((key) => `${key}=${formatValue(entry[key])}`);
  let out = `${time} ${level} ${name}${typeof entry.msg === 'string' ? entry.msg : ''}`;
  if (fields.length > 0) out += ` ${fields.join(' ')}`;
  const err = entry.err as { stack?: unknown; message?: unknown } | undefined;
  if (err !== undefined && err !== null) {
    const text = typeof err.stack === 'string' ? err.stack : typeof err.message === 'string' ? err.message : JSON.stringify(err);
    out += `\n    ${text.replace(/\n/g, '\n    ')}`;
    const extra = Object.entries(err).filter(([key]) => !['stack', 'message', 'type'].includes(key));
    if (extra.length > 0) out += `\n    ${extra.map(([key, value]) => `${key}=${formatValue(value)}`).join(' ')}`;
  }
  return `${out}\n`;
}

/** A pino destination that writes formatted lines to `out` (default: standard output). */
export function createPrettyStream(out: TextSink = process.stdout, options: PrettyOptions = {}): { write(line: string): void } {
  const colors = options.colors ?? out.isTTY === true;
  return {
    write(chunk: string) {
      // pino writes one complete line per call; split anyway in case a caller batches.
      for (const line of chunk.split('\n')) {
        if (line !== '') out.write(formatLogLine(line, { colors }));
      }
    },
  };
}
