// Keeps one section per benchmark in bench/RESULTS.md, replaced on each run (history stays in bench/results/*.json).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './results.ts';

const HEADER = `# Benchmark results

How we measure: ../shared/BENCHMARKS.md (peers in the same run, alternating order, medians of rounds, p50/p99,
errors, peak RSS, upstream work counted). Each section below is rewritten by its benchmark (\`npm run bench -- <name>\`);
the raw results of every run are kept in \`bench/results/\`.
`;

export function updateResultsSection(name: string, title: string, body: string, file = join(repoRoot, 'bench', 'RESULTS.md')): void {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n## ${title}\n\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text = from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
