// The CRM simulator over real HTTP on loopback: OAuth2 token endpoint, the contacts API and its knobs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../common/clock.ts';
import { generateDemoData } from '../demo-data.ts';
import { CRM_OVERSIZED_BYTES, createCrmSimulator, type CrmSimulator } from './crm-simulator.ts';

const data = generateDemoData({ customers: 60, seed: 7 });
const clock = createFakeClock(Date.parse('2026-11-01T12:00:00Z'));
let sim: CrmSimulator;
let base: string;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function token(): Promise<string> {
  const res = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...form, authorization: basic('unics-demo', 'demo-secret') }, body: 'grant_type=client_credentials' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function api(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const t = init.token ?? (await token());
  return fetch(`${base}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${t}`, ...(init.headers as Record<string, string>) } });
}

beforeAll(async () => {
  sim = createCrmSimulator({ data, clock, tokenTtlMs: 60_000, clients: { 'unics-demo': 'demo-secret', 'other app': 'p@ss:word' } });
  base = await sim.listen();
});
afterAll(() => sim.close());
afterEach(() => {
  Object.assign(sim.knobs, { malformed: false, oversized: false, hostile: false });
  sim.resetStats();
});

describe('POST /oauth/token', () => {
  it('issues a bearer token for HTTP Basic and for body credentials, and counts the route', async () => {
    const viaBasic = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...form, authorization: basic('unics-demo', 'demo-secret') }, body: 'grant_type=client_credentials&scope=contacts' });
    expect(viaBasic.status).toBe(200);
    const grant = (await viaBasic.json()) as Record<string, unknown>;
    expect(grant).toMatchObject({ token_type: 'Bearer', expires_in: 60, scope: 'contacts' });
    expect(grant.access_token).toMatch(/^[\w-]{20,}$/);
    const viaBody = await fetch(`${base}/oauth/token`, { method: 'POST', headers: form, body: 'grant_type=client_credentials&client_id=unics-demo&client_secret=demo-secret' });
    expect(viaBody.status).toBe(200);
    expect(sim.stats.byRoute['POST /oauth/token']).toBe(2);
  });

  it('form-decodes Basic credentials as RFC 6749 2.3.1 asks', async () => {
    const id = encodeURIComponent('other app');
    const secret = encodeURIComponent('p@ss:word');
    const res = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...form, authorization: basic(id, secret) }, body: 'grant_type=client_credentials' });
    expect(res.status).toBe(200);
  });

  it('answers wrong credentials with 401 invalid_client and a wrong grant with 400 unsupported_grant_type', async () => {
    const wrong = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...form, authorization: basic('unics-demo', 'nope') }, body: 'grant_type=client_credentials' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const grant = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...form, authorization: basic('unics-demo', 'demo-secret') }, body: 'grant_type=password' });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const both = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...form, authorization: basic('unics-demo', 'demo-secret') }, body: 'grant_type=client_credentials&client_id=unics-demo&client_secret=demo-secret' });
    expect(both.status).toBe(400);
  });
});

describe('API authentication', () => {
  it('refuses a missing, unknown, expired or revoked token with 401', async () => {
    const none = await fetch(`${base}/api/v1/contacts/C000001`);
    expect(none.status).toBe(401);
    const unknown = await api('/contacts/C000001', { token: 'made-up' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const t = await token();
    expect((await api('/contacts/C000001', { token: t })).status).toBe(200);
    clock.advance(60_000);
    expect((await api('/contacts/C000001', { token: t })).status).toBe(401);

    const fresh = await token();
    expect((await api('/contacts/C000001', { token: fresh })).status).toBe(200);
    sim.revokeTokens();
    expect(sim.activeTokens()).toBe(0);
    expect((await api('/contacts/C000001', { token: fresh })).status).toBe(401);
  });

  it('with the hostile knob, refuses every token', async () => {
    const t = await token();
    sim.knobs.hostile = true;
    expect((await api('/contacts/C000001', { token: t })).status).toBe(401);
  });
});

describe('contacts', () => {
  it('GET /contacts/:id answers one contact or 404', async () => {
    const res = await api('/contacts/C000002');
    expect(await res.json()).toEqual(data.contacts[1]);
    const missing = await api('/contacts/C999999');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    expect(sim.stats.byRoute['GET /contacts/:id']).toBe(2);
  });

  it('the batch answers in its own order and leaves out unknown ids', async () => {
    const ids = ['C000001', 'C000002', 'C000003', 'C000004', 'C000005', 'C999999'];
    const res = await api(`/contacts?ids=${ids.join(',')}`);
    const { items } = (await res.json()) as { items: { id: string; lastName: string }[] };
    expect(items.map((c) => c.id).sort()).toEqual(ids.slice(0, 5));
    expect(items.map((c) => c.id)).not.toEqual(ids.slice(0, 5));
    const names = items.map((c) => c.lastName);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(sim.stats.byRoute['GET /contacts:batch']).toBe(1);
  });

  it('refuses a batch of more than 500 ids', async () => {
    const ids = Array.from({ length: 501 }, (_, i) => `C${String(i + 1).padStart(6, '0')}`);
    const res = await api(`/contacts?ids=${ids.join(',')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'too_many_ids' });
  });

  it('searches by email (case-insensitive) and by phone', async () => {
    const c = data.contacts[3]!;
    const byEmail = (await (await api(`/contacts?email=${encodeURIComponent(c.email.toUpperCase())}`)).json()) as { items: { id: string }[] };
    expect(byEmail.items.map((x) => x.id)).toEqual([c.id]);
    const byPhone = (await (await api(`/contacts?phone=${encodeURIComponent(c.phone)}`)).json()) as { items: { id: string }[] };
    expect(byPhone.items.map((x) => x.id)).toEqual([c.id]);
    const none = (await (await api('/contacts?email=nobody@example.com')).json()) as { items: unknown[] };
    expect(none.items).toEqual([]);
  });

  it('pages changes by (updatedAt, id) with a cursor, and a patch shows up after the last cursor', async () => {
    const t = await token();
    const seen: { id: string; updatedAt: string }[] = [];
    let page = (await (await api('/contacts?updated_since=2000-01-01T00:00:00Z&limit=7', { token: t })).json()) as { items: { id: string; updatedAt: string }[]; next_cursor: string; has_more: boolean };
    seen.push(...page.items);
    while (page.has_more) {
      page = (await (await api(`/contacts?cursor=${page.next_cursor}&limit=7`, { token: t })).json()) as typeof page;
      seen.push(...page.items);
    }
    expect(seen.map((c) => c.id).sort()).toEqual(data.contacts.map((c) => c.id).sort());
    const keys = seen.map((c) => `${c.updatedAt}|${c.id}`);
    expect(keys).toEqual([...keys].sort());

    const patched = await api('/contacts/C000010', { token: t, method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tier: 'platinum' }) });
    expect(patched.status).toBe(200);
    const after = (await (await api(`/contacts?cursor=${page.next_cursor}`, { token: t })).json()) as typeof page;
    expect(after.items.map((c) => [c.id, (c as unknown as { tier: string }).tier])).toEqual([['C000010', 'platinum']]);
    expect(after.items[0]!.updatedAt > seen.at(-1)!.updatedAt).toBe(true);
    expect(sim.stats.byRoute['GET /contacts:changes']).toBeGreaterThan(2);
  });

  it('PATCH refuses unknown fields, bad values and unknown ids', async () => {
    const t = await token();
    const patch = (id: string, body: string) => api(`/contacts/${id}`, { token: t, method: 'PATCH', headers: { 'content-type': 'application/json' }, body });
    expect((await patch('C000011', '{"firstName":"X"}')).status).toBe(400);
    expect((await patch('C000011', '{"tier":"diamond"}')).status).toBe(400);
    expect((await patch('C000011', '{"__proto__":{"x":1}}')).status).toBe(400);
    expect((await patch('C000011', 'not json')).status).toBe(400);
    expect((await patch('C999999', '{"tier":"gold"}')).status).toBe(404);
    expect(sim.contact('C000011')).toEqual(data.contacts[10]);
    const ok = await patch('C000011', '{"email":"new@example.com","helpdeskUserId":null}');
    expect(await ok.json()).toMatchObject({ id: 'C000011', email: 'new@example.com', helpdeskUserId: null });
    expect(sim.contact('C000011')?.email).toBe('new@example.com');
  });
});

describe('knobs', () => {
  it('malformed answers 200 with truncated JSON', async () => {
    const t = await token();
    sim.knobs.malformed = true;
    const res = await api('/contacts/C000001', { token: t });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('oversized streams a body of about 20 MB without a content-length', async () => {
    const t = await token();
    sim.knobs.oversized = true;
    const res = await api('/contacts?ids=C000001', { token: t });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBeNull();
    let size = 0;
    for await (const chunk of res.body!) size += (chunk as Uint8Array).length;
    expect(size).toBeGreaterThanOrEqual(CRM_OVERSIZED_BYTES);
    expect(size).toBeLessThan(CRM_OVERSIZED_BYTES + 200_000);
  });
});
