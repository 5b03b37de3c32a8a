// Reading the CRM's change pages, on real answers recorded from the simulator (fixtures/) and on broken shapes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { UnicsError } from '../../common/errors.ts';
import { readCrmChangePage } from './crm-change-page.ts';
import { fixtureFile, type Fixture } from './fixtures/record-fixtures.ts';

const fixture = (name: string) => JSON.parse(readFileSync(fixtureFile(name), 'utf8')) as Fixture;
const WHERE = 'GET http://127.0.0.1:7001/api/v1/contacts';
const read = (text: string) => readCrmChangePage(text, 'crm', WHERE);

function refusal(text: string): UnicsError {
  try {
    read(text);
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected the page to be refused');
}

describe('readCrmChangePage on recorded answers', () => {
  it('reads a page with more to come: the contacts exactly as sent, their stamps, the cursor', () => {
    const f = fixture('crm-changes-first-page');
    const sent = JSON.parse(f.body) as { items: Array<Record<string, string>>; next_cursor: string };
    const page = read(f.body);
    expect(page.hasMore).toBe(true);
    expect(page.cursor).toBe(sent.next_cursor);
    expect(page.records.map((r) => r.record)).toEqual(sent.items);
    expect(page.records[0]).toMatchObject({
      id: 'C000001',
      updatedAtMs: Date.parse(sent.items[0]!.updatedAt!),
      updatedAtUs: Date.parse(sent.items[0]!.updatedAt!) * 1000,
      createdAtMs: Date.parse(sent.items[0]!.createdAt!),
    });
    expect(Object.keys(page.records[0]!.record)).toEqual(['id', 'firstName', 'lastName', 'email', 'phone', 'language', 'tier', 'customerNo', 'helpdeskUserId', 'createdAt', 'updatedAt']);
    // The CRM orders changes by (updatedAt, id).
    const stamps = page.records.map((r) => r.updatedAtMs);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  });

  it('reads the page after a cursor, the last page and an empty page', () => {
    const first = read(fixture('crm-changes-first-page').body);
    const second = read(fixture('crm-changes-cursor-page').body);
    expect(second.records[0]!.updatedAtMs).toBeGreaterThanOrEqual(first.records.at(-1)!.updatedAtMs);
    expect(second.records.map((r) => r.id)).not.toContain(first.records[0]!.id);
    const all = read(fixture('crm-changes-last-page').body);
    expect(all.hasMore).toBe(false);
    expect(all.records).toHaveLength(8);
    const empty = read(fixture('crm-changes-empty').body);
    expect(empty).toMatchObject({ records: [], hasMore: false });
    expect(empty.cursor).not.toBe('');
  });

  it('refuses the malformed knob\'s cut-off JSON with CONN_ERR_MALFORMED_RESPONSE naming the request', () => {
    const err = refusal(fixture('crm-changes-malformed').body);
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toMatch(/^change source "crm": GET http:\/\/127\.0\.0\.1:7001\/api\/v1\/contacts: expected JSON \{items, next_cursor, has_more\}, but got invalid JSON \(/);
  });
});

describe('readCrmChangePage on broken shapes', () => {
  const item = { id: 'C1', updatedAt: '2026-11-23T10:00:00.000Z' };
  it.each([
    ['', 'but got an empty body'],
    ['[]', 'expected a JSON object {items, next_cursor, has_more}, but got an array'],
    ['{"items":{},"next_cursor":"c","has_more":false}', 'expected "items" to be a list, but got object'],
    ['{"items":[],"has_more":false}', 'expected "next_cursor" to be a non-empty string, but got undefined'],
    ['{"items":[],"next_cursor":"c","has_more":"no"}', 'expected "has_more" to be true or false, but got the string "no"'],
    [JSON.stringify({ items: [item, null], next_cursor: 'c', has_more: false }), 'item 1 should be an object, but is null'],
    [JSON.stringify({ items: [{ updatedAt: item.updatedAt }], next_cursor: 'c', has_more: false }), 'item 0 should have a string "id", but has undefined'],
    [JSON.stringify({ items: [{ id: 'C9', updatedAt: 'later' }], next_cursor: 'c', has_more: false }), 'item 0 (id C9) should have an ISO date-time "updatedAt", but has the string "later"'],
    ['{"items":[],"next_cursor":"c","has_more":true}', 'it says more changes follow but returned none, so paging could never end'],
  ])('refuses %s: %s', (text, problem) => {
    const err = refusal(text);
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toContain(`change source "crm": ${WHERE}: `);
    expect(err.message).toContain(problem);
  });
});
