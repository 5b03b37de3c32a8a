// Human durations and sizes in config ("3s", "250ms", "1h30m"; "512kb", "1mb"), parsed once at the edge (STYLE.md 6).
// A bare number is refused on purpose: 3000 could mean ms or s, so the message shows both spellings (STYLE.md 5).
// `name` is the setting as the user wrote it, with any context in front: 'connector "crm": timeout'.
import { commonErrors } from './error-catalogue.ts';

export interface DurationLimits {
  readonly minMs?: number;
  readonly maxMs?: number;
}

export interface SizeLimits {
  readonly minBytes?: number;
  readonly maxBytes?: number;
}

interface Kind {
  readonly noun: string;
  readonly example: string;
  readonly pattern: RegExp;
  readonly units: Readonly<Record<string, number>>;
  readonly unitList: string;
  readonly base: string;
  readonly format: (n: number) => string;
  /** Bare numbers below this are probably in the bigger unit (3 meaning 3s, 512 meaning 512kb). */
  readonly guessBig: { readonly below: number; readonly unit: string };
}

const DURATION_UNITS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
const SIZE_UNITS = { gb: 1024 ** 3, gib: 1024 ** 3, mb: 1024 ** 2, mib: 1024 ** 2, kb: 1024, kib: 1024, b: 1 } as const;
const NUMBER_WITH_UNIT = /(\d+(?:\.\d+)?) ?([a-z]+)/g;

/** Formats ms as the compact form parseDuration accepts: 90_000 -> "1m30s", 250 -> "250ms". */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  if (rest <= 0) return '0ms';
  let out = '';
  for (const [unit, size] of Object.entries(DURATION_UNITS)) {
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return out;
}

/** Formats bytes in the largest unit that stays exact to two decimals: 1_048_576 -> "1mb", 1536 -> "1.5kb". */
export function formatSize(bytes: number): string {
  const n = Math.round(bytes);
  for (const [unit, size] of [['gb', 1024 ** 3], ['mb', 1024 ** 2], ['kb', 1024]] as const) {
    const value = n / size;
    if (value >= 1 && Number.isInteger(value * 100)) return `${value}${unit}`;
  }
  return `${n}b`;
}

const DURATION: Kind = {
  noun: 'a duration',
  example: '"3s"',
  pattern: /^(?:\d+(?:\.\d+)? ?(?:ms|s|m|h|d))+$/,
  units: DURATION_UNITS,
  unitList: 'ms, s, m, h or d',
  base: 'ms',
  format: formatDuration,
  guessBig: { below: 100, unit: 's' },
};

const SIZE: Kind = {
  noun: 'a size',
  example: '"1mb"',
  pattern: /^\d+(?:\.\d+)? ?(?:b|kb|kib|mb|mib|gb|gib)$/,
  units: SIZE_UNITS,
  unitList: 'b, kb, mb or gb (1kb = 1024 bytes)',
  base: 'b',
  format: formatSize,
  guessBig: { below: 1024, unit: 'kb' },
};

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}

const orList = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

// What to tell someone who wrote a bare number: the same amount in the base unit and in a friendlier one.
function suggestFor(n: number, kind: Kind): string {
  if (!Number.isInteger(n) || n < 0) return `a number followed by ${kind.unitList}, such as ${kind.example}`;
  const spellings =
    n > 0 && n < kind.guessBig.below ? [`${n}${kind.guessBig.unit}`, `${n}${kind.base}`] : [kind.format(n), `${n}${kind.base}`];
  return orList([...new Set(spellings)].map((s) => `"${s}"`));
}

function invalid(name: string, kind: Kind, value: unknown, fix: string, problem?: string): Error {
  const what = problem ?? `must be ${kind.noun} like ${kind.example}`;
  return commonErrors.errors.COMMON_ERR_CONFIG_INVALID(`${name} ${what}, but got ${describe(value)}. Write ${fix}.`, {
    details: { setting: name, expected: kind.noun, received: describe(value) },
  });
}

function parse(value: unknown, name: string, kind: Kind, min: number | undefined, max: number | undefined): number {
  if (typeof value === 'number') throw invalid(name, kind, value, suggestFor(value, kind));
  if (typeof value !== 'string') {
    throw invalid(name, kind, value, `${kind.noun} such as ${kind.example}`);
  }
  const text = value.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(text)) throw invalid(name, kind, value, suggestFor(Number(text), kind));
  if (!kind.pattern.test(text)) {
    throw invalid(name, kind, value, `a number followed by ${kind.unitList}, such as ${kind.example}`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(NUMBER_WITH_UNIT)) {
    total += Number(amount) * (kind.units[unit ?? ''] ?? Number.NaN);
  }
  total = Math.round(total);
  if (!Number.isSafeInteger(total)) {
    throw invalid(name, kind, value, `a smaller ${kind.noun.slice(2)}`, 'is too large');
  }
  if (min !== undefined && total < min) {
    throw invalid(name, kind, value, `at least "${kind.format(min)}"`, `must be at least ${kind.format(min)}`);
  }
  if (max !== undefined && total > max) {
    throw invalid(name, kind, value, `at most "${kind.format(max)}"`, `must be at most ${kind.format(max)}`);
  }
  return total;
}

/**
 * Parses "250ms", "3s", "10m", "1h", "1d" or combinations like "1h30m" into milliseconds.
 * Throws COMMON_ERR_CONFIG_INVALID naming the setting, what arrived and how to write it.
 */
export function parseDuration(value: unknown, name: string, limits: DurationLimits = {}): number {
  return parse(value, name, DURATION, limits.minMs, limits.maxMs);
}

/** Parses "512b", "64kb", "1mb", "2gb" (binary: 1kb = 1024 bytes; "kib", "mib", "gib" also accepted) into bytes. */
export function parseSize(value: unknown, name: string, limits: SizeLimits = {}): number {
  return parse(value, name, SIZE, limits.minBytes, limits.maxBytes);
}
