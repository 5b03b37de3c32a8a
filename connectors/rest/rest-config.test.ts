// The rest kind's config: defaults, the messages for mistakes an integrator makes, and the README's demo YAML.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isIdempotent, restConfigSchema } from './rest-config.ts';

const base = { name: 'crm', endpoint: 'http://127.0.0.1:7001/api/v1' };
const contact = { batch: { path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id' } };

/** The messages of a failed parse, as "path: message" (or the message alone for whole-config checks). */
function problems(input: unknown): string[] {
  const result = restConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => (((i as { params?: { whole?: boolean } }).params?.whole) ? i.message : `${i.path.join('.')}: ${i.message}`));
}

describe('restConfigSchema', () => {
  it('fills defaults in one place', () => {
    const config = restConfigSchema.parse({ ...base, entities: { contact } });
    expect(config).toMatchObject({ auth: { type: 'none' }, headers: {}, maxResponseSize: 8 * 1024 * 1024, connections: 32, health: { path: '/' }, commands: {} });
    expect(config.entities.contact).toEqual({
      many: false,
      maxBatchSize: 100,
      batch: { method: 'GET', path: '/contacts', keysParam: 'ids', itemsPath: 'items', keyField: 'id', query: {} },
    });
  });

  it('parses maxResponseSize with its unit and explains a bare number', () => {
    expect(restConfigSchema.parse({ ...base, maxResponseSize: '512kb' }).maxResponseSize).toBe(512 * 1024);
    expect(problems({ ...base, maxResponseSize: 8000 })).toEqual([
      'maxResponseSize must be a size like "1mb", but got 8000. Write "8000b".',
    ]);
  });

  it('says an entity needs batch or single', () => {
    expect(problems({ ...base, entities: { contact: { many: true } } })).toEqual([
      'entities.contact needs "batch" (one request for many keys) or "single" (one request per key, path with {key}); it has neither',
    ]);
  });

  it('checks paths and placeholders', () => {
    expect(problems({ ...base, entities: { c: { single: { path: '/contacts/{id}' } } } })).toEqual([
      'entities.c.single.path: must contain "{key}" where the key goes, like "/contacts/{key}"',
      'entities.c.single.path may only use {key}, but has {id}',
    ]);
    expect(problems({ ...base, entities: { c: { single: { path: '/a/{key}/{other}' } } } })).toEqual(['entities.c.single.path may only use {key}, but has {other}']);
    expect(problems({ ...base, entities: { c: { batch: { ...contact.batch, path: 'contacts' } } } })).toEqual([
      'entities.c.batch.path: must be a path relative to the endpoint, starting with "/", like "/contacts"',
    ]);
    expect(problems({ ...base, entities: { c: { batch: { ...contact.batch, path: '/contacts/{key}' } } } })).toEqual([
      'entities.c.batch.path must not contain placeholders (the keys go in keysParam), but got "/contacts/{key}"',
    ]);
    expect(problems({ ...base, entities: { c: { batch: { ...contact.batch, keyField: '' } } } })).toEqual(['entities.c.batch.keyField: must be a dot path of field names like "id"']);
    expect(problems({ ...base, commands: { u: { method: 'PATCH', path: '/contacts/{}' } } })).toEqual([
      'commands.u.path has a placeholder {}; placeholders name an input field, like {id}',
    ]);
  });

  it('refuses bodyFields on commands that send no body', () => {
    expect(problems({ ...base, commands: { find: { method: 'GET', path: '/x', bodyFields: ['a'] } } })).toEqual([
      'commands.find is a GET, which sends no body; list its input fields in queryFields instead of bodyFields',
    ]);
  });

  it('refuses unknown keys, bad endpoints and bad auth', () => {
    expect(problems({ ...base, entities: { contact: { ...contact, batchSize: 5 } } })).toEqual(['entities.contact: Unrecognized key: "batchSize"']);
    expect(problems({ ...base, endpoint: 'ftp://x' })).toEqual(['endpoint: must be an http(s) URL like "http://127.0.0.1:7001/api/v1"']);
    expect(problems({ ...base, auth: { type: 'oauth2-client-credentials', tokenUrl: 'http://x/t', clientId: 'a' } })[0]).toMatch(/^auth\.clientSecret: /);
  });

  it('decides idempotency by method unless told', () => {
    expect(isIdempotent({ method: 'GET' })).toBe(true);
    expect(isIdempotent({ method: 'PUT' })).toBe(true);
    expect(isIdempotent({ method: 'DELETE' })).toBe(true);
    expect(isIdempotent({ method: 'POST' })).toBe(false);
    expect(isIdempotent({ method: 'PATCH' })).toBe(false);
    expect(isIdempotent({ method: 'POST', idempotent: true })).toBe(true);
  });

  it("accepts the README's demo YAML", () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const doc = parseYaml(yaml!.replaceAll('${CRM_SECRET}', 'demo-secret')) as { connectors: Record<string, unknown>[] };
    const { kind, timeout, ...own } = doc.connectors[0]!;
    expect([kind, timeout]).toEqual(['rest', '3s']);
    const config = restConfigSchema.parse(own);
    expect(config.auth).toMatchObject({ type: 'oauth2-client-credentials', clientId: 'unics-demo', clientSecret: 'demo-secret', refreshSkewMs: 30_000 });
    expect(Object.keys(config.entities)).toEqual(['contact', 'contactByEmail']);
    expect(config.commands.updateContact).toMatchObject({ method: 'PATCH', path: '/contacts/{id}' });
  });
});
