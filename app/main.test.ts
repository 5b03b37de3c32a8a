// The process entry point as a user runs it: listens, answers health checks, refuses unknown routes with a
// catalogued error, and exits cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm start (app/main.ts)', () => {
  it('serves /healthz and /readyz, 404s other routes with a code, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'main.ts')], {
      env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in: ${out}`)), 15_000);
      child.stdout.on('data', () => {
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const missing = await fetch(`${base}/graphql`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'APP_ERR_ROUTE_NOT_FOUND', message: 'no endpoint at GET /graphql; this build serves GET /healthz, GET /readyz' },
    });
    // Logs are JSON lines from pino.
    expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ level: 30, name: 'unics' });

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out).toContain('shutting down');
  });

  it('refuses an invalid configuration with exit code 2 and the reason', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'main.ts')], { env: { PATH: process.env.PATH, PORT: 'x' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('unics: PORT must be a port number like 4000, but got "x".');
  });
});
