#!/usr/bin/env node
// npm run bench [-- <name> ...]: runs the named benchmarks (all when none is named), one after the other.
// A benchmark is never part of npm test; see ../shared/BENCHMARKS.md for how we measure.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { filterKnownWarnings } from '../common/process-warnings.ts';
import { repoRoot } from './lib/results.ts';

filterKnownWarnings();

const available = readdirSync(join(repoRoot, 'bench'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !['lib', 'results', 'peers'].includes(d.name))
  .map((d) => d.name)
  .sort();

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = requested.filter((r) => !available.includes(r));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.map((u) => JSON.stringify(u)).join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : available) {
  process.stderr.write(`\n=== bench ${name} ===\n`);
  const mod = (await import(join(repoRoot, 'bench', name, `${name}.bench.ts`))) as { main: (args: string[]) => Promise<void> };
  await mod.main(process.argv.slice(2).filter((a) => a.startsWith('-')));
}
