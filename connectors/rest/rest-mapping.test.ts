// The rest adapter's pure core on real CRM simulator answers (fixtures/, captured from examples/legacy/crm with
// generateDemoData({ customers: 20 })): request building, key alignment, and the errors for shapes that do not fit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';
import { statusError } from '../http/http-client.ts';
import { restConfigSchema, type RestConfigInput } from './rest-config.ts';
import {
  buildBatchRequest,
  buildCommandRequest,
  buildSingleRequest,
  getPath,
  mapBatchResponse,
  mapCommandResponse,
  mapSingleResponse,
  parseJson,
  screenKeys,
  singleFailure,
} from './rest-mapping.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const batchAnswer = fixture('contacts-batch.json') as { items: { id: string; email: string; tier: string }[] };
const subject = { connector: 'crm', what: 'entity "contact"' };

function config(over: Partial<RestConfigInput> = {}) {
  return restConfigSchema.parse({
    name: 'crm',
    endpoint: 'http://127.0.0.1:7001/api/v1',
    entities: {
      contact: { batch: { path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } },
      contactByEmail: { single: { path: '/contacts?email={key}', resultPath: 'items' } },
      contactById: { single: { path: '/contacts/{key}' } },
    },
    commands: {
      updateContact: { method: 'PATCH', path: '/contacts/{id}', bodyFields: ['email', 'tier', 'helpdeskUserId'] },
      createNote: { method: 'POST', path: '/contacts/{contactId}/notes', resultPath: 'note' },
      findNotes: { method: 'GET', path: '/contacts/{contactId}/notes', queryFields: ['since', 'limit'] },
      deleteNote: { method: 'DELETE', path: '/notes/{id}' },
    },
    ...over,
  });
}
const cfg = config();
const contact = cfg.entities.contact!;
const batch = contact.batch!;

function thrown(fn: () => unknown): UnicsError {
  try {
    fn();
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected a throw');
}

describe('batch loads', () => {
  it('the fixture really is out of request order and lacks the unknown id', () => {
    expect(batchAnswer.items.map((c) => c.id)).toEqual(['C000001', 'C000003', 'C000002']);
  });

  it('aligns a reordered answer to the requested keys by key, unknown keys not_found', () => {
    const keys = ['C000003', 'C000001', 'C999999', 'C000002'];
    const result = mapBatchResponse(subject, batch, false, keys, batchAnswer);
    expect([...result.keys()]).toEqual(keys);
    for (const key of ['C000001', 'C000002', 'C000003']) {
      expect(result.get(key)).toEqual({ status: 'ok', value: batchAnswer.items.find((c) => c.id === key) });
    }
    expect(result.get('C999999')).toEqual({ status: 'not_found' });
  });

  it('ignores records that were not asked for', () => {
    const result = mapBatchResponse(subject, batch, false, ['C000002'], batchAnswer);
    expect([...result.keys()]).toEqual(['C000002']);
  });

  it('groups records per key for a many entity; a key without records is an empty list', () => {
    const byTier = { ...batch, keyField: 'tier' };
    const result = mapBatchResponse(subject, byTier, true, ['standard', 'silver', 'gold'], batchAnswer);
    const tiers = batchAnswer.items.map((c) => c.tier);
    for (const tier of ['standard', 'silver']) {
      const r = result.get(tier);
      expect(r?.status === 'ok' && (r.value as unknown[]).length).toBe(tiers.filter((t) => t === tier).length);
    }
    expect(result.get('gold')).toEqual({ status: 'ok', value: [] });
  });

  it('reads a bare array with itemsPath "" and numeric keys as strings', () => {
    const result = mapBatchResponse(subject, { ...batch, itemsPath: '', keyField: 'n' }, false, ['7', '8'], [{ n: 7 }, { n: 9 }]);
    expect(result.get('7')).toEqual({ status: 'ok', value: { n: 7 } });
    expect(result.get('8')).toEqual({ status: 'not_found' });
  });

  it('names the path when the records are not an array or a key is missing', () => {
    const noArray = thrown(() => mapBatchResponse(subject, { ...batch, itemsPath: 'data.contacts' }, false, ['C000001'], batchAnswer));
    expect(connErr.CONN_ERR_MALFORMED_RESPONSE.is(noArray)).toBe(true);
    expect(noArray.message).toBe('connector "crm": entity "contact": expected an array of records at "data.contacts" of the answer, but found nothing. Check batch.itemsPath.');
    expect(thrown(() => mapBatchResponse(subject, { ...batch, itemsPath: '' }, false, ['C000001'], batchAnswer)).message).toContain('at the top level of the answer, but found an object');
    const noKey = thrown(() => mapBatchResponse(subject, { ...batch, keyField: 'contact.id' }, false, ['C000001'], batchAnswer));
    expect(connErr.CONN_ERR_MALFORMED_RESPONSE.is(noKey)).toBe(true);
    expect(noKey.message).toBe('connector "crm": entity "contact": record 0 at "items" has nothing at its key field "contact.id"; expected a string or number. Check batch.keyField.');
  });

  it('builds a GET with comma-joined keys, or a POST with the keys at a JSON body path', () => {
    expect(buildBatchRequest(batch, ['C1', 'C2'])).toEqual({ method: 'GET', path: '/contacts', query: { ids: 'C1,C2' }, headers: { accept: 'application/json' } });
    const post = buildBatchRequest({ ...batch, method: 'POST', keysParam: 'filter.ids', query: { fields: 'all' } }, ['C1', 'C2']);
    expect(post).toMatchObject({ method: 'POST', path: '/contacts', query: { fields: 'all' }, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(post.body as string)).toEqual({ filter: { ids: ['C1', 'C2'] } });
  });

  it('answers keys a batch cannot carry without asking: empty is not_found, a comma is an error for GET', () => {
    const { send, answered } = screenKeys(subject, batch, ['C1', '', 'A,B']);
    expect(send).toEqual(['C1']);
    expect(answered.get('')).toEqual({ status: 'not_found' });
    const r = answered.get('A,B');
    expect(r?.status === 'error' && r.error.code).toBe('CONN_ERR_REJECTED');
    expect(screenKeys(subject, { method: 'POST' }, ['A,B']).send).toEqual(['A,B']);
  });
});

describe('per-key loads', () => {
  const byEmail = cfg.entities.contactByEmail!.single!;
  const byId = cfg.entities.contactById!.single!;

  it('puts the URL-encoded key into the path', () => {
    expect(buildSingleRequest(subject, byEmail, 'a+b@x.com').path).toBe('/contacts?email=a%2Bb%40x.com');
    expect(buildSingleRequest(subject, byId, 'C/1').path).toBe('/contacts/C%2F1');
  });

  it('maps a record, a list (first record, or not_found when empty) and many', () => {
    const single = fixture('contact-single.json') as { id: string };
    expect(mapSingleResponse(subject, byId, false, single)).toEqual({ status: 'ok', value: single });
    const found = fixture('contacts-by-email.json') as { items: { id: string }[] };
    expect(found.items.map((c) => c.id)).toEqual(['C000002']);
    expect(mapSingleResponse(subject, byEmail, false, found)).toEqual({ status: 'ok', value: found.items[0] });
    expect(mapSingleResponse(subject, byEmail, true, found)).toEqual({ status: 'ok', value: found.items });
    expect(mapSingleResponse(subject, byEmail, false, fixture('contacts-by-email-none.json'))).toEqual({ status: 'not_found' });
    expect(mapSingleResponse(subject, byEmail, true, fixture('contacts-by-email-none.json'))).toEqual({ status: 'ok', value: [] });
    expect(mapSingleResponse(subject, byId, false, null)).toEqual({ status: 'not_found' });
  });

  it('names the path when the answer does not fit', () => {
    const missing = thrown(() => mapSingleResponse(subject, { ...byEmail, resultPath: 'data' }, false, fixture('contact-single.json')));
    expect(connErr.CONN_ERR_MALFORMED_RESPONSE.is(missing)).toBe(true);
    expect(missing.message).toBe('connector "crm": entity "contact": expected a record or a list at "data" of the answer, but found nothing. Check single.resultPath.');
    expect(thrown(() => mapSingleResponse(subject, { ...byEmail, resultPath: 'id' }, false, fixture('contact-single.json'))).message).toContain('but found string "C000001"');
  });

  it('treats a 404 as not_found (an empty list for many) and anything else as the key\'s error', () => {
    const answer = readFileSync(new URL('./fixtures/contact-not-found.json', import.meta.url), 'utf8');
    const notFound = statusError('crm', { status: 404, text: () => answer }, 'GET http://127.0.0.1:7001/api/v1/contacts/C999999');
    expect(notFound.message).toBe('connector "crm": GET http://127.0.0.1:7001/api/v1/contacts/C999999 answered HTTP 404: {"error":"not_found","message":"no contact C999999"}');
    expect(singleFailure(notFound, false)).toEqual({ status: 'not_found' });
    expect(singleFailure(notFound, true)).toEqual({ status: 'ok', value: [] });
    const down = connErr.CONN_ERR_UNAVAILABLE('y');
    expect(singleFailure(down, false)).toEqual({ status: 'error', error: down });
  });
});

describe('answers and commands', () => {
  it('parses JSON, treats an empty body as null, and names the URL when JSON is invalid', () => {
    expect(parseJson(subject, '{"a":1}', 'u')).toEqual({ a: 1 });
    expect(parseJson(subject, '  ', 'u')).toBeNull();
    const truncated = readFileSync(new URL('./fixtures/contacts-batch.json', import.meta.url), 'utf8').slice(0, 300);
    const err = thrown(() => parseJson(subject, truncated, 'GET http://127.0.0.1:7001/api/v1/contacts'));
    expect(connErr.CONN_ERR_MALFORMED_RESPONSE.is(err)).toBe(true);
    expect(err.message).toMatch(/^connector "crm": entity "contact": GET http:\/\/127\.0\.0\.1:7001\/api\/v1\/contacts answered with invalid JSON \(.+\); expected a JSON document$/);
  });

  it('fills path placeholders and sends only bodyFields that are present', () => {
    const cmd = { connector: 'crm', what: 'command "updateContact"' };
    const req = buildCommandRequest(cmd, cfg.commands.updateContact!, { id: 'C000001', tier: 'gold', helpdeskUserId: null, firstName: 'ignored', email: undefined });
    expect(req).toMatchObject({ method: 'PATCH', path: '/contacts/C000001', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(req.body as string)).toEqual({ tier: 'gold', helpdeskUserId: null });
  });

  it('sends every input field not used in the path when bodyFields is left out', () => {
    const req = buildCommandRequest(subject, cfg.commands.createNote!, { contactId: 'C 1', text: 'hello', pinned: true });
    expect(req.path).toBe('/contacts/C%201/notes');
    expect(JSON.parse(req.body as string)).toEqual({ text: 'hello', pinned: true });
  });

  it('sends queryFields as query parameters and no body for GET and DELETE', () => {
    const get = buildCommandRequest(subject, cfg.commands.findNotes!, { contactId: 'C1', since: '2026-01-01', limit: 5, other: 'x' });
    expect(get).toEqual({ method: 'GET', path: '/contacts/C1/notes', query: { since: '2026-01-01', limit: '5' }, headers: { accept: 'application/json' } });
    expect(buildCommandRequest(subject, cfg.commands.deleteNote!, { id: 'N1' }).body).toBeUndefined();
  });

  it('refuses input that lacks a path field', () => {
    const err = thrown(() => buildCommandRequest({ connector: 'crm', what: 'command "updateContact"' }, cfg.commands.updateContact!, { tier: 'gold' }));
    expect(connErr.CONN_ERR_REJECTED.is(err)).toBe(true);
    expect(err.message).toBe('connector "crm": command "updateContact": the path /contacts/{id} needs input field "id" as a string or number, but got nothing');
  });

  it('returns the answer at resultPath', () => {
    expect(mapCommandResponse(subject, cfg.commands.createNote!, { note: { id: 'N1' } })).toEqual({ id: 'N1' });
    expect(mapCommandResponse(subject, cfg.commands.updateContact!, fixture('contact-single.json'))).toEqual(fixture('contact-single.json'));
    expect(connErr.CONN_ERR_MALFORMED_RESPONSE.is(thrown(() => mapCommandResponse(subject, cfg.commands.createNote!, { id: 'N1' })))).toBe(true);
  });

  it('getPath never walks into inherited properties', () => {
    expect(getPath({ a: { b: 1 } }, ['a', 'b'])).toBe(1);
    expect(getPath({}, ['constructor'])).toBeUndefined();
    expect(getPath({ a: 'text' }, ['a', 'length'])).toBeUndefined();
  });
});
