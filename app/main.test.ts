// The process entry point as a user runs it: listens, answers health checks, refuses unknown routes with a
// catalogued error, exits cleanly on SIGTERM; and the embedded demo end to end (simulators in process, printed
// token, a customer query over HTTP).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';

type Child = ChildProcessByStdio<null, Readable, Readable>;

function start(env: Record<string, string>): { child: Child; output: () => string } {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'main.ts')], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

async function waitForOutput(child: Child, output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(output());
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(m);
      }
    };
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${output()}`)), timeoutMs);
    child.stdout.on('data', check);
    check();
  });
}

async function stop(child: Child): Promise<number | null> {
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('npm start (app/main.ts)', () => {
  it('serves /healthz, /readyz and /metrics, 401s /graphql without a token, 404s other routes with a code, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unics-main-'));
    writeFileSync(join(dir, 'unics.yaml'), 'log: { level: info }\n');
    const { child, output } = start({ PORT: '0', UNICS_CONFIG: join(dir, 'unics.yaml'), UNICS_JWT_SECRET: 'main-test-secret-0123456789-abcdefgh' });
    const [, port] = await waitForOutput(child, output, /listening on http:\/\/127\.0\.0\.1:(\d+)/, 15_000);
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready', checks: {} });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('unics_process_cpu_user_seconds_total');
    const anonymous = await fetch(`${base}/graphql?query=%7B__typename%7D`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).errors[0].extensions.code).toBe('GATEWAY_ERR_UNAUTHENTICATED');
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('GATEWAY_ERR_ROUTE_NOT_FOUND');
    // Logs are JSON lines from pino; with a secret configured there is no development-secret warning.
    const lines = output().trim().split('\n').map((l) => JSON.parse(l) as { level: number; name: string; msg: string });
    expect(lines.find((l) => l.msg.startsWith('UniCS listening on'))).toMatchObject({ level: 30, name: 'unics' });
    expect(output()).not.toContain('DEVELOPMENT secret');

    expect(await stop(child)).toBe(0);
    expect(output()).toContain('shutting down');
    expect(output()).toMatch(/"resource":"gateway".*"msg":"resource closed"/);
  });

  it('refuses an invalid configuration with exit code 2 and the reason', async () => {
    const { child, output } = start({ PORT: 'x' });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(output()).toContain('unics: PORT must be a port number like 4000, but got "x".');
  });

  it('without UNICS_CONFIG runs the embedded demo: prints a token that answers customer(id: "C000001") over HTTP', { timeout: 90_000 }, async () => {
    const { child, output } = start({ PORT: '0' });
    try {
      const [, url] = await waitForOutput(child, output, /GraphQL at (http:\/\/127\.0\.0\.1:\d+)\/graphql/, 60_000);
      const [, token] = await waitForOutput(child, output, /Agent token \(tenant demo, role agent[^\n]*\n\s+(\S+)/, 5_000);
      expect(output()).toContain('Supervisor token (tenant demo, roles agent + supervisor');
      expect(output()).toContain('curl -s ');
      expect(output()).toContain('DEVELOPMENT secret');
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ customer(id: "C000001") { profile { email } orders { id } } }' }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { customer: { profile: { email: string }; orders: Array<{ id: string }> } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data.customer.profile.email).toMatch(/@example\.com$/);
      expect(body.data.customer.orders.length).toBeGreaterThan(0);
      expect(body.data.customer.orders[0]?.id).toMatch(/^O\d{7}$/);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(Object.keys(((await ready.json()) as { checks: object }).checks).sort()).toEqual(['crm', 'helpdesk', 'shop', 'wms']);
    } finally {
      expect(await stop(child)).toBe(0);
    }
    expect(output()).toMatch(/"resource":"legacy simulators".*"msg":"resource closed"/);
  });
});
