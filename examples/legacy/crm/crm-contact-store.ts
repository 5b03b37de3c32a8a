// The CRM simulator's contacts: a mutable copy of the demo contacts with the queries the CRM's REST API offers
// (by id, batch, search by email or phone, change capture by (updatedAt, id) with an opaque cursor) and a patch.
// Plain functions over a Map, no HTTP, so the API's semantics are easy to read and test.
import type { Clock } from '../../../common/clock.ts';
import type { DemoContact } from '../demo-data.ts';

export type CrmContact = { -readonly [K in keyof DemoContact]: DemoContact[K] };

/** The fields a PATCH may change, with a check for each. */
const PATCHABLE: Readonly<Record<string, (v: unknown) => boolean>> = {
  email: (v) => typeof v === 'string' && /^[^\s@]+@[^\s@]+$/.test(v),
  phone: (v) => typeof v === 'string' && v.trim() !== '',
  tier: (v) => v === 'standard' || v === 'silver' || v === 'gold' || v === 'platinum',
  language: (v) => v === 'en' || v === 'zh' || v === 'de' || v === 'fr',
  customerNo: (v) => typeof v === 'string' && v !== '',
  helpdeskUserId: (v) => v === null || (typeof v === 'string' && v !== ''),
};
export const PATCHABLE_FIELDS = Object.freeze(Object.keys(PATCHABLE));

export interface ChangePage {
  readonly items: CrmContact[];
  /** Where the next poll continues (after the last item returned; unchanged when nothing was returned). */
  readonly next_cursor: string;
  readonly has_more: boolean;
}

export interface CrmContactStore {
  get(id: string): CrmContact | undefined;
  /** The known contacts among ids, in the CRM's own order (by last name, then id descending), unknown ids left out. */
  batch(ids: readonly string[]): CrmContact[];
  byEmail(email: string): CrmContact[];
  byPhone(phone: string): CrmContact[];
  /** Contacts changed at or after `since` (or after `cursor`), ordered by (updatedAt, id). */
  changes(position: { since?: string; cursor?: string }, limit: number): ChangePage;
  /** Merges the fields into the contact and stamps updatedAt; undefined when the id is unknown. */
  patch(id: string, fields: Readonly<Record<string, unknown>>): CrmContact | undefined;
}

/** A request the store refuses (answered as HTTP 400 by the simulator). */
export class CrmInputError extends Error {}

const normalizePhone = (p: string) => p.replace(/[\s()-]/g, '');

interface Position {
  readonly u: string;
  readonly i: string;
}

export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
    if (typeof p.u === 'string' && typeof p.i === 'string') return { u: p.u, i: p.i };
  } catch {
    // fall through
  }
  throw new CrmInputError('cursor is not one this API issued');
}

const after = (c: CrmContact, p: Position) => c.updatedAt > p.u || (c.updatedAt === p.u && c.id > p.i);
const byChange = (a: CrmContact, b: CrmContact) =>
  a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export function createCrmContactStore(contacts: readonly DemoContact[], clock: Clock): CrmContactStore {
  const byId = new Map<string, CrmContact>(contacts.map((c) => [c.id, { ...c }]));
  // The demo data is generated around a fixed "now" that may lie ahead of the real clock; updatedAt must still only
  // grow, or a change poller holding a cursor would miss the edit.
  let lastStamp = 0;
  for (const c of byId.values()) lastStamp = Math.max(lastStamp, Date.parse(c.updatedAt));
  // Sorted lazily: rebuilt after a patch, reused by every poll in between.
  let sorted: CrmContact[] | undefined;

  return {
    get: (id) => byId.get(id),
    batch(ids) {
      const found: CrmContact[] = [];
      for (const id of new Set(ids)) {
        const c = byId.get(id);
        if (c) found.push(c);
      }
      // Deliberately not the request's order: clients must align by key.
      return found.sort((a, b) => a.lastName.localeCompare(b.lastName) || (a.id < b.id ? 1 : -1));
    },
    byEmail(email) {
      const wanted = email.trim().toLowerCase();
      return [...byId.values()].filter((c) => c.email.toLowerCase() === wanted);
    },
    byPhone(phone) {
      const wanted = normalizePhone(phone);
      return [...byId.values()].filter((c) => normalizePhone(c.phone) === wanted);
    },
    changes(position, limit) {
      let from: Position;
      if (position.cursor !== undefined) from = decodeCursor(position.cursor);
      else if (position.since !== undefined) {
        const ms = Date.parse(position.since);
        if (Number.isNaN(ms)) throw new CrmInputError(`updated_since must be an ISO date-time, but got ${JSON.stringify(position.since)}`);
        from = { u: new Date(ms).toISOString(), i: '' }; // '' sorts before every id: inclusive of `since`
      } else throw new CrmInputError('updated_since or cursor is required');
      sorted ??= [...byId.values()].sort(byChange);
      // Binary search for the first contact after the position.
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (after(sorted[mid]!, from)) hi = mid;
        else lo = mid + 1;
      }
      const items = sorted.slice(lo, lo + limit).map((c) => ({ ...c }));
      const last = items.at(-1);
      return {
        items,
        next_cursor: encodeCursor(last ? { u: last.updatedAt, i: last.id } : from),
        has_more: lo + limit < sorted.length,
      };
    },
    patch(id, fields) {
      const contact = byId.get(id);
      if (!contact) return undefined;
      for (const [k, v] of Object.entries(fields)) {
        const valid = Object.hasOwn(PATCHABLE, k) ? PATCHABLE[k] : undefined;
        if (!valid) throw new CrmInputError(`field "${k}" cannot be changed; patchable fields: ${PATCHABLE_FIELDS.join(', ')}`);
        if (!valid(v)) throw new CrmInputError(`field "${k}" has an invalid value ${JSON.stringify(v)}`);
      }
      Object.assign(contact, fields);
      lastStamp = Math.max(clock.now(), lastStamp + 1);
      contact.updatedAt = new Date(lastStamp).toISOString();
      sorted = undefined;
      return contact;
    },
  };
}
