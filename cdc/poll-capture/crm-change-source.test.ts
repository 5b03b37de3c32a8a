// The CRM change source against the real CRM simulator over loopback HTTP: OAuth2, paging, positions, and the way
// each failure surfaces.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UnicsError } from '../../common/errors.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createCrmSimulator, type CrmSimulator } from '../../examples/legacy/crm/index.ts';
import type { ChangeSource } from './change-source.ts';
import { createCrmChangeSource } from './crm-change-source.ts';
import { readWatermark } from './watermark-position.ts';

const data = generateDemoData({ customers: 30, seed: 3 });
let sim: CrmSimulator;
let source: ChangeSource;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  sim = createCrmSimulator({ data });
  const base = await sim.listen();
  source = createCrmChangeSource({
    baseUrl: `${base}/api/v1`,
    auth: { type: 'oauth2-client-credentials', tokenUrl: `${base}/oauth/token`, clientId: 'unics-demo', clientSecret: 'demo-secret', refreshSkewMs: 30_000 },
  });
});
afterAll(async () => {
  await source.close();
  await sim.close();
});
afterEach(() => {
  Object.assign(sim.knobs, { errorRate: 0, malformed: false, hostile: false, hang: false });
  sim.resetStats();
});

async function drain(position: string | null, limit: number) {
  const ids: string[] = [];
  let at = position;
  let pages = 0;
  for (;;) {
    const page = await source.fetchChanges(at, signal(), limit);
    pages++;
    ids.push(...page.records.map((r) => r.id));
    at = page.next;
    if (!page.hasMore) return { ids, position: at, pages };
  }
}

async function failure(promise: Promise<unknown>): Promise<UnicsError> {
  try {
    await promise;
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected a failure');
}

describe('createCrmChangeSource', () => {
  it('pages through every contact once from the start, with one OAuth2 token, and ends at the newest stamp', async () => {
    const { ids, position, pages } = await drain(null, 7);
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
    expect(pages).toBe(5);
    expect(sim.stats.byRoute['POST /oauth/token']).toBe(1);
    expect(sim.stats.byRoute['GET /contacts:changes']).toBe(5);
    const newest = Math.max(...data.contacts.map((c) => Date.parse(c.updatedAt)));
    expect(readWatermark(position, 'crm')).toEqual({ sinceMs: newest });
    expect(source).toMatchObject({ system: 'crm', table: 'contacts', overlapMs: 0 });
  });

  it('from a saved position: re-reads only the newest millisecond, then sees a PATCH with the contact as the CRM sends it', async () => {
    const { position } = await drain(null, 100);
    const again = await source.fetchChanges(position, signal(), 100);
    expect(again.records).toHaveLength(1); // the newest contact, stamped at exactly `since` (inclusive)
    expect(again.hasMore).toBe(false);

    const token = await (await fetch(`${sim.url()}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=unics-demo&client_secret=demo-secret' })).json() as { access_token: string };
    const patched = await fetch(`${sim.url()}/api/v1/contacts/C000004`, { method: 'PATCH', headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' }, body: '{"tier":"platinum"}' });
    expect(patched.status).toBe(200);
    const page = await source.fetchChanges(again.next, signal(), 100);
    const change = page.records.find((r) => r.id === 'C000004')!;
    expect(change.record).toEqual(sim.contact('C000004'));
    expect(change.record.tier).toBe('platinum');
    expect(change.updatedAtMs).toBe(Date.parse(sim.contact('C000004')!.updatedAt));
    expect(page.windowStartMs).toBe(readWatermark(again.next, 'crm').sinceMs);
    expect(readWatermark(page.next, 'crm').sinceMs).toBe(change.updatedAtMs);
  });

  it('asks with the CRM\'s cursor inside a window, and caps the page size at the CRM\'s 1000', async () => {
    const first = await source.fetchChanges(null, signal(), 5000);
    expect(first.records).toHaveLength(30);
    const mid = await source.fetchChanges(null, signal(), 10);
    expect(readWatermark(mid.next, 'crm').cursor).toBeTypeOf('string');
    const second = await source.fetchChanges(mid.next, signal(), 10);
    expect(second.records.map((r) => r.id)).toEqual(first.records.slice(10, 20).map((r) => r.id));
  });

  it('gets a new token once when the CRM revokes them, and goes on', async () => {
    await source.fetchChanges(null, signal(), 1);
    sim.revokeTokens();
    const page = await source.fetchChanges(null, signal(), 1);
    expect(page.records).toHaveLength(1);
    expect(sim.stats.byRoute['POST /oauth/token']).toBe(1);
  });

  it('fails with the catalogue\'s codes: 5xx UNAVAILABLE, cut-off JSON MALFORMED_RESPONSE, refused tokens UNAUTHORIZED', async () => {
    await source.fetchChanges(null, signal(), 1); // a token in hand
    sim.knobs.errorRate = 1;
    const down = await failure(source.fetchChanges(null, signal(), 5));
    expect(down.code).toBe('CONN_ERR_UNAVAILABLE');
    expect(down.message).toMatch(/^connector "crm": http:\/\/127\.0\.0\.1:\d+\/api\/v1\/contacts answered HTTP 500/);
    sim.knobs.errorRate = 0;
    sim.knobs.malformed = true;
    const cut = await failure(source.fetchChanges(null, signal(), 5));
    expect(cut.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(cut.message).toMatch(/^change source "crm": GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/contacts: expected JSON/);
    sim.knobs.malformed = false;
    sim.knobs.hostile = true;
    const refused = await failure(source.fetchChanges(null, signal(), 5));
    expect(refused.code).toBe('CONN_ERR_UNAUTHORIZED');
    expect(refused.message).not.toContain('demo-secret');
  });

  it('refuses a position it did not write without calling the CRM', async () => {
    const err = await failure(source.fetchChanges('{"offset": 12}', signal(), 5));
    expect(err.code).toBe('CDC_ERR_POSITION_INVALID');
    expect(sim.stats.byRoute['GET /contacts:changes']).toBeUndefined();
  });

  it('cancels the request when the signal aborts (a hanging CRM)', async () => {
    await source.fetchChanges(null, signal(), 1);
    sim.knobs.hang = true;
    const controller = new AbortController();
    const pending = source.fetchChanges(null, controller.signal, 5);
    setTimeout(() => controller.abort(), 20);
    const err = await failure(pending);
    expect(err.code).toBe('CONN_ERR_ABORTED');
  });
});
