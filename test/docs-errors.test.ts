// Keeps docs/errors.md and the error catalogues in step (STYLE.md 4). Catalogues are discovered, not listed, so a
// new module's `error-catalogue.ts` (or `*-errors.ts`) is checked the moment it exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { listErrorCatalogues, type ErrorCatalogue, type ErrorFactory, type ErrorSpec } from '../common/errors.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const DOC = 'docs/errors.md';
// Not code folders: dependencies, build output, docs, and test fixtures.
const SKIP_DIRS = new Set(['node_modules', 'dist', 'docs', 'test', 'coverage']);

const isCatalogueFile = (name: string) =>
  (name === 'error-catalogue.ts' || name.endsWith('-errors.ts')) && !name.endsWith('.test.ts');

function findCatalogueFiles(dir: string, depth = 0): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 8) found.push(...findCatalogueFiles(path, depth + 1));
    else if (entry.isFile() && depth > 0 && isCatalogueFile(entry.name)) found.push(path);
  }
  return found.sort();
}

function isCatalogue(value: unknown): value is ErrorCatalogue<string> {
  if (typeof value !== 'object' || value === null) return false;
  const { area, errors } = value as Partial<ErrorCatalogue<string>>;
  return typeof area === 'string' && typeof errors === 'object' && errors !== null;
}

interface DocRow {
  readonly code: string;
  readonly httpStatus: string;
  readonly retriable: string;
  readonly line: number;
  /** Area of the `## AREA ...` heading the row sits under, if any. */
  readonly section: string | undefined;
}

/** Reads every table row whose first cell is an error code, remembering the `## AREA` section it is in. */
function parseDoc(text: string): DocRow[] {
  const rows: DocRow[] = [];
  let section: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const heading = /^##\s+([A-Z]+)\b/.exec(raw);
    if (heading) section = heading[1];
    else if (raw.startsWith('## ')) section = undefined;
    const cells = raw.split('|').map((c) => c.trim().replace(/^`|`$/g, ''));
    // "| `CODE` | 500 | no | meaning |" splits into ['', CODE, 500, no, meaning, ''].
    if (cells.length >= 6 && /^[A-Z]+_ERR_[A-Z0-9_]+$/.test(cells[1] ?? '')) {
      rows.push({ code: cells[1] ?? '', httpStatus: cells[2] ?? '', retriable: cells[3] ?? '', line: index + 1, section });
    }
  });
  return rows;
}

interface DeclaredCatalogue {
  readonly catalogue: ErrorCatalogue<string>;
  /** Repository-relative file that declares it, or undefined when no discovered file exports it. */
  readonly file: string | undefined;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** Every disagreement between the catalogues and the doc, each phrased as the edit that fixes it. */
function findDrift(declared: readonly DeclaredCatalogue[], docText: string): string[] {
  const problems: string[] = [];
  const rows = parseDoc(docText);
  const byCode = new Map<string, DocRow>();
  for (const row of rows) {
    const earlier = byCode.get(row.code);
    if (earlier) problems.push(`${DOC} lists ${row.code} twice (lines ${earlier.line} and ${row.line}); remove line ${row.line}.`);
    else byCode.set(row.code, row);
  }
  const sections = new Set(rows.map((r) => r.section));
  const declaredCodes = new Set<string>();

  for (const { catalogue, file } of declared) {
    const where = file ?? `the ${catalogue.area} catalogue`;
    if (file === undefined) {
      problems.push(
        `defineErrors('${catalogue.area}') is declared in a file this test does not discover; ` +
          `move it to <module>/error-catalogue.ts (or <module>/<name>-errors.ts) and export it.`,
      );
    }
    for (const factory of Object.values(catalogue.errors)) {
      const { code, spec } = factory;
      declaredCodes.add(code);
      const row = byCode.get(code);
      const wanted = `| \`${code}\` | ${spec.httpStatus} | ${yesNo(spec.retriable)} | ${spec.description} |`;
      if (row === undefined) {
        const section = sections.has(catalogue.area)
          ? `under "## ${catalogue.area}"`
          : `in a new section "## ${catalogue.area} — <module>" with the header "| code | HTTP | retriable | meaning |"`;
        problems.push(`${DOC} is missing ${code} (declared in ${where}). Add this row ${section}:\n  ${wanted}`);
        continue;
      }
      if (row.httpStatus !== String(spec.httpStatus)) {
        problems.push(
          `${DOC} line ${row.line}: ${code} has HTTP ${row.httpStatus}, but ${where} declares ${spec.httpStatus}. ` +
            `Write ${spec.httpStatus} (or change the catalogue if the doc is right).`,
        );
      }
      if (row.retriable !== yesNo(spec.retriable)) {
        problems.push(
          `${DOC} line ${row.line}: ${code} has retriable "${row.retriable}", but ${where} declares ` +
            `${spec.retriable}. Write "${yesNo(spec.retriable)}".`,
        );
      }
      if (row.section !== catalogue.area) {
        problems.push(
          `${DOC} line ${row.line}: ${code} sits under ${row.section ? `"## ${row.section}"` : 'no area section'}; ` +
            `move it under "## ${catalogue.area}".`,
        );
      }
    }
  }

  for (const row of rows) {
    if (!declaredCodes.has(row.code)) {
      const area = row.code.split('_ERR_')[0];
      problems.push(
        `${DOC} line ${row.line} lists ${row.code}, but no catalogue declares it. Remove the row, ` +
          `or declare it in defineErrors('${area}', { ... }) in that module's error-catalogue.ts.`,
      );
    }
  }
  return problems;
}

describe('docs/errors.md and the error catalogues', () => {
  let declared: DeclaredCatalogue[] = [];
  let files: string[] = [];

  beforeAll(async () => {
    files = findCatalogueFiles(root);
    const byArea = new Map<string, DeclaredCatalogue>();
    for (const file of files) {
      const rel = relative(root, file);
      const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const found = Object.values(exports).filter(isCatalogue);
      if (found.length === 0) {
        throw new Error(`${rel} is named like an error catalogue but exports none; export the result of defineErrors().`);
      }
      for (const catalogue of found) byArea.set(catalogue.area, { catalogue, file: rel });
    }
    // Catalogues declared as a side effect of those imports, in files with other names, are checked too.
    for (const catalogue of listErrorCatalogues()) {
      if (!byArea.has(catalogue.area)) byArea.set(catalogue.area, { catalogue, file: undefined });
    }
    declared = [...byArea.values()];
  });

  it('discovers the catalogues, starting with COMMON', () => {
    expect(files.map((f) => relative(root, f))).toContain(join('common', 'error-catalogue.ts'));
    expect(declared.map((d) => d.catalogue.area)).toContain('COMMON');
  });

  it('lists every declared code with its HTTP status and retriable flag, and nothing else', () => {
    const problems = findDrift(declared, readFileSync(join(root, DOC), 'utf8'));
    expect(problems, `docs/errors.md and the catalogues disagree:\n${problems.join('\n')}\n`).toEqual([]);
  });
});

describe('the drift check itself', () => {
  // Built by hand rather than with defineErrors, so it does not join the registry the real check reads.
  const specs: Record<string, ErrorSpec> = {
    PROBE_ERR_SLOW: { description: 'Too slow.', httpStatus: 504, retriable: true },
    PROBE_ERR_BAD: { description: 'Bad input.', httpStatus: 400, retriable: false },
    PROBE_ERR_NEW: { description: 'Brand new.', httpStatus: 409, retriable: false },
  };
  const probe: ErrorCatalogue<string> = {
    area: 'PROBE',
    errors: Object.fromEntries(
      Object.entries(specs).map(([code, spec]) => [code, { code, spec } as unknown as ErrorFactory]),
    ),
  };
  const declared = [{ catalogue: probe, file: 'probe/error-catalogue.ts' }];
  const doc = [
    '## PROBE — probe',
    '| code | HTTP | retriable | meaning |',
    '|---|---|---|---|',
    '| `PROBE_ERR_SLOW` | 500 | no | Too slow. |',
    '| `PROBE_ERR_GONE` | 410 | no | Removed long ago. |',
    '## OTHER — elsewhere',
    '| `PROBE_ERR_BAD` | 400 | no | Bad input. |',
  ].join('\n');

  it('names each fix: rows to add, values to change, rows to move and rows to remove', () => {
    expect(findDrift(declared, doc)).toEqual([
      'docs/errors.md line 4: PROBE_ERR_SLOW has HTTP 500, but probe/error-catalogue.ts declares 504. ' +
        'Write 504 (or change the catalogue if the doc is right).',
      'docs/errors.md line 4: PROBE_ERR_SLOW has retriable "no", but probe/error-catalogue.ts declares true. Write "yes".',
      'docs/errors.md line 7: PROBE_ERR_BAD sits under "## OTHER"; move it under "## PROBE".',
      'docs/errors.md is missing PROBE_ERR_NEW (declared in probe/error-catalogue.ts). Add this row under "## PROBE":\n' +
        '  | `PROBE_ERR_NEW` | 409 | no | Brand new. |',
      'docs/errors.md line 5 lists PROBE_ERR_GONE, but no catalogue declares it. Remove the row, ' +
        "or declare it in defineErrors('PROBE', { ... }) in that module's error-catalogue.ts.",
    ]);
  });

  it('reports duplicates and catalogues hidden in undiscoverable files', () => {
    const twice = `## PROBE\n| \`PROBE_ERR_BAD\` | 400 | no | x |\n| \`PROBE_ERR_BAD\` | 400 | no | x |`;
    const problems = findDrift([{ catalogue: probe, file: undefined }], twice);
    expect(problems).toContain('docs/errors.md lists PROBE_ERR_BAD twice (lines 2 and 3); remove line 3.');
    expect(problems).toContainEqual(
      expect.stringMatching(/^defineErrors\('PROBE'\) is declared in a file this test does not discover/),
    );
  });

  it('passes a doc that matches', () => {
    const good = [
      '## PROBE — probe',
      '| `PROBE_ERR_SLOW` | 504 | yes | a |',
      '| `PROBE_ERR_BAD` | 400 | no | b |',
      '| `PROBE_ERR_NEW` | 409 | no | c |',
    ].join('\n');
    expect(findDrift(declared, good)).toEqual([]);
  });
});
