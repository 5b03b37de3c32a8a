// `unics new intent <name> [--dir <dir>]`: writes a working intent plugin, its test and a README into <dir>/<name>/
// (default assistant/custom/<name>/). Refuses to overwrite anything.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { renderIntentFiles } from './intent-templates.ts';
import { repoRoot, ScaffoldError } from './new-connector.ts';

export interface NewIntentOptions {
  readonly name: string | undefined;
  /** Parent directory (relative to cwd); default assistant/custom. */
  readonly dir?: string | undefined;
  readonly cwd: string;
}

export function newIntent(opts: NewIntentOptions): { dir: string; files: string[] } {
  const { name } = opts;
  if (!name || !/^[a-z][a-z0-9-]{0,62}$/.test(name)) {
    throw new ScaffoldError(`the intent plugin name must be lower-case letters, digits and dashes, starting with a letter (e.g. "loyalty-tier"), but got ${JSON.stringify(name ?? '')}`);
  }
  const target = resolve(opts.cwd, opts.dir ?? join(repoRoot, 'assistant', 'custom'), name);
  if (existsSync(target)) {
    throw new ScaffoldError(`${relative(opts.cwd, target) || target} already exists; choose another name or --dir, or remove it first`);
  }
  const files = renderIntentFiles(name, relative(target, repoRoot) || '.');
  mkdirSync(target, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(target, file), text, { flag: 'wx' });
  return { dir: target, files: Object.keys(files) };
}
