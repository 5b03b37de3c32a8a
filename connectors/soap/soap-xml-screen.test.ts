import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { screenXml } from './soap-xml-screen.ts';

const ctx = { connector: 'shop', source: 'GetOrder', maxDepth: 64 };
const fixtures = new URL('./fixtures/', import.meta.url);

// A classic entity bomb: a few hundred bytes that expand to gigabytes in a parser that honours entities.
const BILLION_LAUGHS = readFileSync(new URL('hostile/billion-laughs.xml', fixtures), 'utf8');

describe('screenXml', () => {
  it('lets every recorded Shop answer through', () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.xml') || f.endsWith('.wsdl'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(screenXml(readFileSync(new URL(f, fixtures), 'utf8'), ctx), f).toBeUndefined();
  });

  it('refuses an entity bomb before parsing, naming the declaration', () => {
    const err = screenXml(BILLION_LAUGHS, ctx);
    expect(err?.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(err?.message).toBe('connector "shop": GetOrder answered XML with a <!DOCTYPE> declaration (DTDs and entities are never processed); refused unparsed');
  });

  it('refuses any markup declaration, an external entity, and a lower-case doctype', () => {
    expect(screenXml('<a><!ENTITY x SYSTEM "file:///etc/passwd"></a>', ctx)?.details).toEqual({ reason: 'a <!ENTITY> declaration (DTDs and entities are never processed)' });
    expect(screenXml('<!doctype a><a/>', ctx)?.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(screenXml('<a><!ELEMENT b ANY></a>', ctx)?.code).toBe('CONN_ERR_XML_FORBIDDEN');
  });

  it('does not mistake comments, CDATA, processing instructions or quoted ">" for declarations or nesting', () => {
    const xml = '<?xml version="1.0"?><!-- <!DOCTYPE in a comment --><a x="1>2" y=\'<b>\'><![CDATA[<!ENTITY <c><d>]]><e/></a>';
    expect(screenXml(xml, { ...ctx, maxDepth: 2 })).toBeUndefined();
  });

  it('refuses nesting deeper than the limit, and counts self-closing and closed elements correctly', () => {
    const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    expect(screenXml(deep(64), ctx)).toBeUndefined();
    expect(screenXml(deep(65), ctx)?.message).toContain('elements nested deeper than 64 levels');
    const wide = `<r>${'<a><b/></a>'.repeat(10_000)}</r>`;
    expect(screenXml(wide, { ...ctx, maxDepth: 3 })).toBeUndefined();
  });

  it('refuses text that is not UTF-8 (UTF-16 would hide a DOCTYPE from the scan)', () => {
    const utf16 = Buffer.from('<!DOCTYPE a><a/>', 'utf16le').toString('utf8');
    expect(screenXml(utf16, ctx)?.message).toContain('NUL characters');
  });
});
