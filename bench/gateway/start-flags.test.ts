// UniCS runs in the gateway benchmark with the node flags it ships with: `npm start`'s, which the image's CMD repeats.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/results.ts';
import { startFlags, UNICS_START_FLAGS } from './contenders.ts';

describe('gateway bench: UniCS start flags', () => {
  it('reads the node flags of npm start', () => {
    expect(startFlags(JSON.stringify({ scripts: { start: 'node --max-semi-space-size=16 --heap-growing-percent=100 app/main.ts' } }))).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=100']);
    expect(startFlags(JSON.stringify({ scripts: { start: 'node app/main.ts' } }))).toEqual([]);
    expect(() => startFlags(JSON.stringify({ scripts: { start: 'tsx app/main.ts' } }))).toThrow(/should be "node \[--flags\] app\/main.ts"/);
  });

  it("uses package.json's, and the Dockerfile starts the gateway with the same (docs/adr/0009)", () => {
    expect(UNICS_START_FLAGS).toEqual(startFlags(readFileSync(join(repoRoot, 'package.json'), 'utf8')));
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...UNICS_START_FLAGS, 'app/main.ts']);
  });
});
