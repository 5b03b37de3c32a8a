// Which of UniCS's code folders have uncommitted changes, so a benchmark run says exactly what it measured in a
// working tree that several people edit at once.
import { execFileSync } from 'node:child_process';
import { repoRoot } from '../lib/results.ts';

const CODE_FOLDERS = ['app', 'gateway', 'schema', 'connectors', 'common', 'materialized-views', 'cdc', 'chat'];

/** Top-level code folders with uncommitted (or untracked) files, from `git status --porcelain`; [] outside git. */
export function uncommittedCode(): string[] {
  let out: string;
  try {
    out = execFileSync('git', ['status', '--porcelain', '--', ...CODE_FOLDERS], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  return foldersOf(out);
}

/** The top-level folders named in `git status --porcelain` output. Pure. */
export function foldersOf(porcelain: string): string[] {
  const folders = new Set<string>();
  for (const line of porcelain.split('\n')) {
    const path = line.slice(3).split(' -> ').at(-1)?.trim();
    if (path) folders.add(`${path.split('/')[0]}/`);
  }
  return [...folders].sort();
}
