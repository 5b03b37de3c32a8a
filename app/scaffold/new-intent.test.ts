// `unics new intent`: the generated plugin's own test passes as generated (run in a child vitest), it loads through
// assistant.modules, and bad input gets a clear message without writing anything.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIntentPlugins } from '../../assistant/load-intent-plugins.ts';
import { repoRoot } from './new-connector.ts';

const cli = join(repoRoot, 'app', 'cli.ts');
const dir = join(repoRoot, 'assistant', 'custom', `scaffold-test-${process.pid}`);
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', env: { PATH: process.env.PATH } });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('unics new intent', () => {
  it('scaffolds a plugin whose test passes as generated, and which loads through assistant.modules', async () => {
    const res = run(['new', 'intent', 'loyalty-tier', '--dir', dir]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('loyalty-tier.ts');

    const vitest = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'unit', join(dir, 'loyalty-tier')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      timeout: 120_000,
    });
    const output = `${vitest.stdout}${vitest.stderr}`;
    expect(vitest.status, output).toBe(0);
    expect(output).toMatch(/Tests\s+6 passed \(6\)/);

    const loaded = await loadIntentPlugins({ modules: [join(dir, 'loyalty-tier', 'loyalty-tier.ts')], settings: { 'loyalty-tier': { weight: 0.9 } }, baseDir: repoRoot });
    expect(loaded.active.find((a) => a.plugin.name === 'loyalty-tier')).toMatchObject({ weight: 0.9, priority: 45 });
  }, 150_000);

  it('refuses a bad name, --kind and an existing directory, writing nothing', async () => {
    const bad = run(['new', 'intent', 'Loyalty Tier', '--dir', dir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('the intent plugin name must be lower-case letters, digits and dashes, starting with a letter (e.g. "loyalty-tier"), but got "Loyalty Tier"');
    expect(run(['new', 'intent', 'x', '--kind', 'rest', '--dir', dir]).stderr).toContain('--kind is for connectors');
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect(run(['new', 'intent', 'twice', '--dir', dir]).status).toBe(0);
    expect(run(['new', 'intent', 'twice', '--dir', dir]).stderr).toContain('already exists; choose another name or --dir, or remove it first');
    await expect(loadIntentPlugins({ modules: ['assistant/custom/nowhere.ts'], baseDir: repoRoot })).rejects.toMatchObject({ code: 'ASSIST_ERR_PLUGIN_INVALID', message: expect.stringContaining('assistant.modules: assistant/custom/nowhere.ts cannot be loaded') });
  }, 60_000);
});
