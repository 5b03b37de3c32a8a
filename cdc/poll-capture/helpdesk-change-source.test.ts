// The helpdesk change source against the real Helpdesk simulator over loopback HTTP: paging ticketsUpdatedSince,
// positions, a status update seen as a change, and the way each failure surfaces.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UnicsError } from '../../common/errors.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { createHelpdeskSimulator, type HelpdeskSimulator } from '../../examples/legacy/helpdesk/index.ts';
import type { ChangeSource } from './change-source.ts';
import { createHelpdeskChangeSource } from './helpdesk-change-source.ts';
import { readWatermark } from './watermark-position.ts';

const data = generateDemoData({ customers: 40, seed: 5 });
let sim: HelpdeskSimulator;
let source: ChangeSource;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  sim = createHelpdeskSimulator({ data });
  source = createHelpdeskChangeSource({ url: `${await sim.listen()}/graphql` });
});
afterAll(async () => {
  await source.close();
  await sim.close();
});
afterEach(() => {
  Object.assign(sim.knobs, { errorRate: 0, malformed: false, hostile: false });
});

async function drain(position: string | null, limit: number) {
  const ids: string[] = [];
  let at = position;
  for (;;) {
    const page = await source.fetchChanges(at, signal(), limit);
    ids.push(...page.records.map((r) => r.id));
    at = page.next;
    if (!page.hasMore) return { ids, position: at };
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

describe('createHelpdeskChangeSource', () => {
  it('pages through every ticket once and ends at the newest stamp', async () => {
    expect(data.tickets.length).toBeGreaterThan(10);
    const { ids, position } = await drain(null, 4);
    expect([...ids].sort()).toEqual(data.tickets.map((t) => t.id).sort());
    expect(readWatermark(position, 'helpdesk')).toEqual({ sinceMs: Math.max(...data.tickets.map((t) => Date.parse(t.updatedAt))) });
    expect(source).toMatchObject({ system: 'helpdesk', table: 'tickets' });
  });

  it('sees a status update from a saved position, with the ticket exactly as the API returns it', async () => {
    const { position } = await drain(null, 500);
    const res = await fetch(`${sim.url()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { updateTicketStatus(id: "T0000002", status: CLOSED) { id } }' }),
    });
    expect(res.status).toBe(200);
    const page = await source.fetchChanges(position, signal(), 500);
    const change = page.records.find((r) => r.id === 'T0000002')!;
    const { id, userId, subject, status, priority, createdAt, updatedAt } = sim.ticket('T0000002')!;
    expect(change.record).toEqual({ id, userId, subject, status, priority, createdAt, updatedAt });
    expect(change.record.status).toBe('CLOSED');
  });

  it('fails with the catalogue\'s codes: 5xx UNAVAILABLE, hostile UPSTREAM_GRAPHQL, cut-off JSON MALFORMED_RESPONSE', async () => {
    sim.knobs.errorRate = 1;
    expect((await failure(source.fetchChanges(null, signal(), 5))).code).toBe('CONN_ERR_UNAVAILABLE');
    sim.knobs.errorRate = 0;
    sim.knobs.hostile = true;
    expect((await failure(source.fetchChanges(null, signal(), 5))).code).toBe('CONN_ERR_UPSTREAM_GRAPHQL');
    sim.knobs.hostile = false;
    sim.knobs.malformed = true;
    expect((await failure(source.fetchChanges(null, signal(), 5))).code).toBe('CONN_ERR_MALFORMED_RESPONSE');
  });
});
