// `npx unics token`: a JWT the gateway accepts, for the configured development secret.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../gateway/auth/token-verifier.ts';
import { DEV_JWT_SECRET } from './auth-settings.ts';

const run = promisify(execFile);
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [join(import.meta.dirname, 'cli.ts'), ...args], { env: { PATH: process.env.PATH, ...env } });

describe('unics token', () => {
  it('prints an agent token for tenant demo signed with the demo secret by default', async () => {
    const { stdout } = await cli(['token']);
    const principal = await createTokenVerifier({ hs256Secret: DEV_JWT_SECRET, tenants: ['demo'] }).verify(stdout.trim());
    expect(principal).toEqual({ subject: 'dev-user', tenant: 'demo', roles: ['agent'] });
  });

  it('takes roles, tenant, subject and lifetime, and UNICS_JWT_SECRET', async () => {
    const secret = 'cli-test-secret-0123456789-abcdefghij';
    const { stdout } = await cli(['token', '--role', 'agent', '--role', 'supervisor', '--tenant', 'demo', '--subject', 'ann', '--expires', '15m'], { UNICS_JWT_SECRET: secret });
    const token = stdout.trim();
    expect(await createTokenVerifier({ hs256Secret: secret }).verify(token)).toEqual({ subject: 'ann', tenant: 'demo', roles: ['agent', 'supervisor'] });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(15 * 60);
    await expect(createTokenVerifier({ hs256Secret: DEV_JWT_SECRET }).verify(token)).rejects.toThrow('signature does not verify');
  });

  it('explains a bad lifetime and warns about a tenant the gateway does not serve', async () => {
    await expect(cli(['token', '--expires', 'soon'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unics token: token lifetime (--expires) must be a duration') });
    const { stderr } = await cli(['token', '--tenant', 'acme']);
    expect(stderr).toBe('unics token: warning: tenant "acme" is not in auth.tenants (demo); the gateway will answer 403.\n');
  });
});
