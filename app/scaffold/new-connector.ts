// `unics new connector <name> --kind <kind> [--dir <dir>]`: writes a working connector definition, its contract test
// and a README into <dir>/<name>/ (default connectors/custom/<name>/). Refuses to overwrite anything.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isScaffoldKind, renderConnectorFiles, SCAFFOLD_KINDS } from './connector-templates.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface NewConnectorOptions {
  readonly name: string | undefined;
  readonly kind: string | undefined;
  /** Parent directory (relative to cwd); default connectors/custom. */
  readonly dir?: string | undefined;
  readonly cwd: string;
}

export class ScaffoldError extends Error {}

export function newConnector(opts: NewConnectorOptions): { dir: string; files: string[] } {
  const { name, kind } = opts;
  if (!name || !/^[a-z][a-z0-9-]{0,62}$/.test(name)) {
    throw new ScaffoldError(`the connector name must be lower-case letters, digits and dashes, starting with a letter (e.g. "acme-crm"), but got ${JSON.stringify(name ?? '')}`);
  }
  if (!kind || !isScaffoldKind(kind)) {
    throw new ScaffoldError(`--kind must be one of ${SCAFFOLD_KINDS.join(', ')}, but got ${JSON.stringify(kind ?? '')}`);
  }
  const target = resolve(opts.cwd, opts.dir ?? join(repoRoot, 'connectors', 'custom'), name);
  if (existsSync(target)) {
    throw new ScaffoldError(`${relative(opts.cwd, target) || target} already exists; choose another name or --dir, or remove it first`);
  }
  const rootFromTarget = relative(target, repoRoot) || '.';
  const files = renderConnectorFiles(name, kind, rootFromTarget);
  mkdirSync(target, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(target, file), text, { flag: 'wx' });
  return { dir: target, files: Object.keys(files) };
}
