// `unics new connector --kind sql` against the real PostgreSQL: the generated contract test (an integration test,
// since it needs the stack) passes as generated. The child vitest reuses this run's stack and leaves it running.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from './new-connector.ts';

const dir = join(repoRoot, 'connectors', 'custom', `scaffold-test-sql-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('scaffolds a sql connector whose contract test passes as generated', () => {
  const made = spawnSync(process.execPath, [join(repoRoot, 'app', 'cli.ts'), 'new', 'connector', 'acme-db', '--kind', 'sql', '--dir', dir], { cwd: repoRoot, encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  expect(made.stdout).toContain('acme-db.contract.int.test.ts');
  const vitest = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'integration', join(dir, 'acme-db')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1' },
    timeout: 300_000,
  });
  const output = `${vitest.stdout}${vitest.stderr}`;
  expect(vitest.status, output).toBe(0);
  expect(output).toMatch(/Tests\s+5 passed \(5\)/);
  expect(output).toContain('reusing the stack');
}, 320_000);
