// `unics new connector`: the generated connector passes the testkit out of the box (run in a child vitest against
// the demo simulator), and bad input gets a clear message without writing anything.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './new-connector.ts';

const cli = join(repoRoot, 'app', 'cli.ts');
const dir = join(repoRoot, 'connectors', 'custom', `scaffold-test-${process.pid}`);
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', env: { PATH: process.env.PATH } });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('unics new connector', () => {
  it.each(['rest', 'xml', 'graphql', 'soap'])('scaffolds a %s connector whose contract test passes as generated', (kind) => {
    const name = `acme-${kind}`;
    const res = run(['new', 'connector', name, '--kind', kind, '--dir', dir]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(`${name}.connector.yaml`);
    const yaml = parse(readFileSync(join(dir, name, `${name}.connector.yaml`), 'utf8')) as { name: string; kind: string };
    expect(yaml).toMatchObject({ name, kind });

    const vitest = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'unit', join(dir, name)], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      timeout: 120_000,
    });
    const output = `${vitest.stdout}${vitest.stderr}`;
    expect(vitest.status, output).toBe(0);
    expect(output).toMatch(/Tests\s+5 passed \(5\)/);
  }, 150_000);

  it('refuses a bad name, an unknown kind and an existing directory, writing nothing', () => {
    const bad = run(['new', 'connector', 'Acme CRM', '--kind', 'rest', '--dir', dir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('the connector name must be lower-case letters, digits and dashes, starting with a letter (e.g. "acme-crm"), but got "Acme CRM"');
    const kind = run(['new', 'connector', 'acme', '--kind', 'ftp', '--dir', dir]);
    expect(kind.stderr).toContain('--kind must be one of rest, soap, xml, graphql, sql, but got "ftp"');
    expect(existsSync(join(dir, 'acme'))).toBe(false);
    expect(run(['new', 'connector', 'twice', '--kind', 'rest', '--dir', dir]).status).toBe(0);
    const again = run(['new', 'connector', 'twice', '--kind', 'rest', '--dir', dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists; choose another name or --dir, or remove it first');
    expect(run(['new', 'widget', 'x']).stderr).toContain('unics new: expected "connector" or "intent", but got "widget"');
    // Six CLI processes: past the 10 s default on a loaded 2-core machine.
  }, 60_000);
});
