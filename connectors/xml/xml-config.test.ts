import { describe, expect, it } from 'vitest';
import { xmlConfigSchema } from './xml-config.ts';
import { readmeWmsDefinition } from './readme-example.ts';

const base = { name: 'wms', endpoint: 'http://127.0.0.1:7004' };
const entity = { path: '/idoc/shipments', keysParam: 'orders', recordPath: 'SHPMNT05.IDOC.E1EDT20', keyField: 'E1EDL20.VBELN' };

function issues(config: unknown): string[] {
  const result = xmlConfigSchema.safeParse(config);
  if (result.success) throw new Error('expected the config to be refused');
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('xml connector config', () => {
  it('accepts the README example and fills the defaults', () => {
    const config = xmlConfigSchema.parse(readmeWmsDefinition());
    expect(config).toMatchObject({ name: 'wms', maxResponseSize: 8 * 1024 * 1024, maxDepth: 64, maxNodes: 250_000, checkPath: '/', auth: { type: 'none' }, headers: {} });
    const e = config.entities['shipmentsByOrder']!;
    expect(e).toMatchObject({ method: 'GET', keysParam: 'orders', keysSeparator: ',', many: true, maxBatchSize: 500, contentType: 'application/xml; charset=utf-8' });
    expect(e.recordPath.text).toBe('SHPMNT05.IDOC.E1EDT20');
    expect(e.fields?.['shippedAt']).toMatchObject({ type: 'sap-date', time: { text: 'E1EDT10[QUALF=006].UZEIT' } });
  });

  it('compiles the POST forms: a template, or { root, element }', () => {
    const template = xmlConfigSchema.parse({ ...base, entities: { s: { ...entity, keysParam: undefined, method: 'POST', requestTemplate: '<Q>{{#keys}}<I>{{key}}</I>{{/keys}}</Q>' } } });
    expect(template.entities['s']!.body).toEqual({ head: '<Q>', itemBefore: '<I>', itemAfter: '</I>', tail: '</Q>' });
    const structured = xmlConfigSchema.parse({ ...base, entities: { s: { ...entity, keysParam: undefined, method: 'POST', request: { root: 'Q', element: 'I' } } } });
    expect(structured.entities['s']!.body?.itemBefore).toBe('<I>');
  });

  it('says what is missing for GET and POST entities', () => {
    expect(issues({ ...base, entities: { s: { ...entity, keysParam: undefined } } })).toEqual([
      'entities.s.keysParam: a GET entity needs keysParam, the query parameter that carries the keys (e.g. "orders")',
    ]);
    expect(issues({ ...base, entities: { s: { ...entity, keysParam: undefined, method: 'POST' } } })).toEqual([
      'entities.s.requestTemplate: a POST entity needs exactly one of requestTemplate or request ({ root, element })',
    ]);
    expect(issues({ ...base, entities: { s: { ...entity, method: 'POST', request: { root: 'Q', element: 'I' } } } })).toEqual([
      'entities.s.keysParam: keysParam is for GET entities; a POST entity lists its keys in the body',
    ]);
  });

  it('points at a bad path, template or field where it is written', () => {
    expect(issues({ ...base, entities: { s: { ...entity, recordPath: 'A..B' } } })).toEqual([
      'entities.s.recordPath: has an invalid step ""; a step is NAME, NAME[CHILD=value], NAME[@ATTR=value] or @ATTR',
    ]);
    expect(issues({ ...base, entities: { s: { ...entity, fields: { a: 'A[' } } } })).toEqual([
      'entities.s.fields.a.path: has an invalid step "A["; a step is NAME, NAME[CHILD=value], NAME[@ATTR=value] or @ATTR',
    ]);
    expect(issues({ ...base, entities: { s: { ...entity, fields: { a: { path: 'A', time: 'T' } } } } })).toEqual([
      'entities.s.fields.a.time: time goes with type: sap-date',
    ]);
    expect(issues({ ...base, entities: { s: { ...entity, keysParam: undefined, method: 'POST', requestTemplate: '<Q/>' } } })[0]).toContain(
      'entities.s.requestTemplate: must contain exactly one {{#keys}}…{{/keys}} section',
    );
  });

  it('refuses unknown keys, bare sizes, non-http endpoints and an empty entity list', () => {
    expect(issues({ ...base, extra: 1, entities: { s: entity } })).toEqual([': Unrecognized key: "extra"']);
    expect(issues({ ...base, maxResponseSize: 8_000_000, entities: { s: entity } })).toEqual([
      'maxResponseSize: maxResponseSize must be a size like "1mb", but got 8000000. Write "7812.5kb" or "8000000b".',
    ]);
    expect(issues({ ...base, endpoint: 'ftp://x', entities: { s: entity } })).toEqual(['endpoint: must be an http(s) URL like "http://127.0.0.1:7004"']);
    expect(issues({ ...base, entities: {} })).toEqual(['entities: must declare at least one entity']);
  });
});
