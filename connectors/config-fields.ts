// Config fields written with their unit, shared by the kinds' schemas (STYLE.md 6): a duration like "3s" or a size
// like "8mb", parsed once at load time by common/durations.ts into milliseconds or bytes. The parser's message already
// names the setting, says what arrived and how to write it, so it becomes one custom issue marked `params.whole`:
// describeIssues (connector-config.ts) then prints it as it is, after `connector "<name>": `.
import { z } from 'zod';
import { parseDuration, parseSize, type DurationLimits, type SizeLimits } from '../common/durations.ts';

/** Any value parsed by `parse`; z.unknown, so a bare number reaches the parser, whose message shows how to write it. */
function measured(parse: (value: unknown) => number) {
  return z.unknown().transform((value, ctx) => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message, params: { whole: true } });
      return z.NEVER;
    }
  });
}

/** A duration setting ("3s", "250ms") in milliseconds. Chain `.prefault("3s")` for a default written the same way. */
export const durationField = (setting: string, limits: DurationLimits = {}) => measured((value) => parseDuration(value, setting, limits));

/** A size setting ("8mb", "64kb") in bytes. Chain `.prefault("8mb")` for a default written the same way. */
export const sizeField = (setting: string, limits: SizeLimits = {}) => measured((value) => parseSize(value, setting, limits));
