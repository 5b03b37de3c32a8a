// The FAQ knowledge file (faq.yaml): read and validated once, at load time (ASSIST_ERR_FAQ_INVALID names the entry
// and the field), patterns compiled then. Size-limited: a knowledge file is small by nature.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { assistErr } from './error-catalogue.ts';
import type { Language } from './intent-plugin.ts';

export const DEFAULT_FAQ_FILE = new URL('./faq.yaml', import.meta.url);
const MAX_FAQ_BYTES = 256 * 1024;

const languages = z.object({ en: z.array(z.string().min(1)).optional(), zh: z.array(z.string().min(1)).optional() }).strict();
const answers = z.object({ en: z.string().min(1), zh: z.string().min(1).optional() }).strict();
const fileSchema = z
  .object({
    entries: z
      .array(
        z
          .object({
            topic: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits and underscores, like "return_policy"'),
            match: languages,
            answer: answers,
            handover: z.boolean().default(false),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export interface FaqEntry {
  readonly topic: string;
  readonly patterns: readonly RegExp[];
  readonly answer: Readonly<Partial<Record<Language, string>>> & { readonly en: string };
  readonly handover: boolean;
}

/** Validates a parsed FAQ document; `source` names it in messages. */
export function parseFaq(doc: unknown, source: string): FaqEntry[] {
  const result = fileSchema.safeParse(doc);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw assistErr.ASSIST_ERR_FAQ_INVALID(`${source} is not a valid FAQ file:\n${lines.join('\n')}`);
  }
  const seen = new Set<string>();
  return result.data.entries.map((e, index) => {
    if (seen.has(e.topic)) throw assistErr.ASSIST_ERR_FAQ_INVALID(`${source}: entries.${index}.topic "${e.topic}" appears twice; each topic once`);
    seen.add(e.topic);
    const patterns = [...(e.match.en ?? []), ...(e.match.zh ?? [])].map((p, i) => {
      try {
        return new RegExp(p, 'u');
      } catch (err) {
        throw assistErr.ASSIST_ERR_FAQ_INVALID(`${source}: entries.${index} (${e.topic}) has pattern #${i + 1} ${JSON.stringify(p)}, which is not a regular expression: ${(err as Error).message}`, { cause: err });
      }
    });
    if (patterns.length === 0) throw assistErr.ASSIST_ERR_FAQ_INVALID(`${source}: entries.${index} (${e.topic}) has no match patterns; add some under match.en or match.zh`);
    return Object.freeze({ topic: e.topic, patterns, answer: e.answer, handover: e.handover });
  });
}

/** Reads and validates a FAQ file (default: the built-in assistant/faq.yaml). */
export function loadFaq(file: string | URL = DEFAULT_FAQ_FILE): FaqEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw assistErr.ASSIST_ERR_FAQ_INVALID(`the FAQ file ${String(file)} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (Buffer.byteLength(text) > MAX_FAQ_BYTES) throw assistErr.ASSIST_ERR_FAQ_INVALID(`the FAQ file ${String(file)} is larger than ${MAX_FAQ_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 10 });
  } catch (err) {
    throw assistErr.ASSIST_ERR_FAQ_INVALID(`the FAQ file ${String(file)} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  return parseFaq(doc, String(file));
}
