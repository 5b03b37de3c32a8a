// The four simulators started together on one data set, and the `npm run legacy` command as a user runs it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind, freePort } from '../../stack/ports.ts';
import { startLegacySystems, type LegacySystems } from './start-legacy-systems.ts';

describe('startLegacySystems', () => {
  let systems: LegacySystems;
  beforeAll(async () => {
    systems = await startLegacySystems({ customers: 100, knobs: { latencyMs: 1 } });
  }, 60_000);
  afterAll(() => systems.close());

  it('serves one data set through all four protocols, with the CRM id mapping holding across systems', async () => {
    const c1 = systems.data.contacts[0]!;
    const token = (await (
      await fetch(`${systems.urls.crm}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('unics-demo:demo-secret').toString('base64')}` },
        body: 'grant_type=client_credentials',
      })
    ).json()) as { access_token: string };
    const contact = (await (await fetch(`${systems.urls.crm}/api/v1/contacts/${c1.id}`, { headers: { authorization: `Bearer ${token.access_token}` } })).json()) as { customerNo: string; helpdeskUserId: string };
    expect(contact.customerNo).toBe(c1.customerNo);

    const wsdl = await fetch(`${systems.urls.shop}/shop?wsdl`);
    expect(wsdl.status).toBe(200);
    expect(await wsdl.text()).toContain('GetOrdersByCustomer');

    const tickets = (await (
      await fetch(`${systems.urls.helpdesk}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query($u:[ID!]!){ ticketsByUsers(userIds:$u){ id userId } }', variables: { u: [contact.helpdeskUserId] } }),
      })
    ).json()) as { data: { ticketsByUsers: Array<{ userId: string }> } };
    expect(tickets.data.ticketsByUsers.length).toBe(2);

    const shipped = systems.data.shipments[0]!;
    const idoc = await (await fetch(`${systems.urls.wms}/idoc/shipments?orders=${shipped.orderId}`)).text();
    expect(idoc).toContain(shipped.orderId);

    expect(systems.requestCounts()).toEqual({ crm: 2, shop: 1, helpdesk: 1, wms: 1 });
    systems.resetStats();
    expect(systems.requestCounts()).toEqual({ crm: 0, shop: 0, helpdesk: 0, wms: 0 });
  });

  it('applies the knobs given at start to every simulator', () => {
    for (const sim of [systems.crm, systems.shop.sim, systems.helpdesk, systems.wms]) expect(sim.knobs.latencyMs).toBe(1);
  });
});

describe('npm run legacy', () => {
  const cli = join(import.meta.dirname, 'cli.ts');

  it('starts all four on consecutive ports, prints their URLs, and stops on SIGTERM', async () => {
    // Four consecutive free ports, starting from one the kernel hands out.
    let basePort = 0;
    for (let i = 0; i < 20 && basePort === 0; i++) {
      const p = await freePort();
      if (p < 65_000 && (await Promise.all([1, 2, 3].map((o) => canBind(p + o)))).every(Boolean)) basePort = p;
    }
    const child = spawn(process.execPath, [cli, '--customers', '50', '--base-port', String(basePort)], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`npm run legacy exited early with ${code}: ${err}`)));
      const timer = setTimeout(() => reject(new Error(`no URLs printed within 80 s: ${out}\n${err}`)), 80_000);
      child.stdout.on('data', () => {
        if (out.includes('Warehouse')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(out).toContain(`CRM       http://127.0.0.1:${basePort}/api/v1`);
    expect(out).toContain(`Warehouse http://127.0.0.1:${basePort + 3}/idoc/shipments`);
    const stats = (await (await fetch(`http://127.0.0.1:${basePort + 2}/__sim/stats`)).json()) as { requests: number };
    expect(stats.requests).toBe(0);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 100_000);

  it('rejects a bad option with the usage', async () => {
    const child = spawn(process.execPath, [cli, '--customers', 'lots'], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('--customers must be a whole number of at least 1, but got "lots"');
    expect(err).toContain('Usage: npm run legacy');
  });
});
