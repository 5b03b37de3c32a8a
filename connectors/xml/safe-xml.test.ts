import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { UnicsError } from '../../common/errors.ts';
import { parseXmlSafely, type XmlLimits } from './safe-xml.ts';

const limits: XmlLimits = { maxBytes: 8 * 1024 * 1024 };
const ctx = { connector: 'wms' };
const parse = (input: string | Buffer, l: Partial<XmlLimits> = {}) => parseXmlSafely(input, { ...limits, ...l }, ctx);

async function failure(promise: Promise<unknown>): Promise<UnicsError> {
  try {
    await promise;
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected the parse to fail, but it succeeded');
}

const lols = () => {
  let dtd = '<!ENTITY lol "lol">';
  for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  return `<?xml version="1.0"?>\n<!DOCTYPE lolz [${dtd}]>\n<lolz>&lol9;</lolz>`;
};

describe('parseXmlSafely: DTDs and entities are refused unparsed', () => {
  it('refuses a billion-laughs entity bomb, naming the DOCTYPE and its line, fast', async () => {
    const started = performance.now();
    const err = await failure(parse(lols()));
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(err.message).toBe(
      'connector "wms": refused the upstream\'s XML: it has a DOCTYPE declaration at line 2. DTDs and entity declarations are never processed ' +
        '(they enable entity expansion and external entities); ask the upstream to send plain XML without a DOCTYPE.',
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses a quadratic blowup (one big entity referenced many times)', async () => {
    const doc = `<!DOCTYPE r [<!ENTITY a "${'a'.repeat(50_000)}">]><r>${'&a;'.repeat(50_000)}</r>`;
    expect((await failure(parse(doc))).code).toBe('CONN_ERR_XML_FORBIDDEN');
  });

  it('refuses an external entity (XXE) without reading the file or echoing the document', async () => {
    const doc = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>';
    const err = await failure(parse(doc));
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(err.message).not.toContain('passwd');
    expect(err.message).not.toContain('root:');
  });

  it('refuses parameter entities and a remote DTD', async () => {
    const pe = '<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]><r/>';
    const remote = '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>';
    for (const doc of [pe, remote]) expect((await failure(parse(doc))).code).toBe('CONN_ERR_XML_FORBIDDEN');
  });

  it('refuses a lower-case doctype and a stray ENTITY declaration inside the document', async () => {
    const lower = await failure(parse('<!doctype r [<!ENTITY a "b">]><r>&a;</r>'));
    const stray = await failure(parse('<r><!ENTITY a "b"></r>'));
    expect(lower.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(stray.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(stray.message).toContain('it declares an ENTITY at line 1');
  });

  it('knows only the five predefined entities: an HTML entity is malformed, not expanded', async () => {
    expect(await parse('<r a="&quot;x&apos;">&lt;&amp;&gt;&#65;&#x42;</r>')).toEqual({ r: { _: '<&>AB', $: { a: '"x\'' } } });
    expect((await failure(parse('<r>&nbsp;</r>'))).code).toBe('CONN_ERR_MALFORMED_RESPONSE');
  });

  it('accepts comments and CDATA, even when they mention <!DOCTYPE, and keeps CDATA text literally', async () => {
    const doc = '<r><!-- not a <!DOCTYPE here --><c><![CDATA[<x>&lol; <!ENTITY y>]]></c></r>';
    expect(await parse(doc)).toEqual({ r: { c: '<x>&lol; <!ENTITY y>' } });
  });
});

describe('parseXmlSafely: encoding tricks', () => {
  it('refuses UTF-16 with a byte order mark (a DOCTYPE invisible to a byte scan)', async () => {
    const doc = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lols(), 'utf16le')]);
    const err = await failure(parse(doc));
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(err.message).toContain('UTF-16 or UTF-32');
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(lols(), 'utf16le').swap16()]);
    expect((await failure(parse(be))).code).toBe('CONN_ERR_XML_FORBIDDEN');
  });

  it('refuses UTF-16 without a byte order mark and a declared non-ASCII-compatible encoding', async () => {
    expect((await failure(parse(Buffer.from('<r>x</r>', 'utf16le')))).code).toBe('CONN_ERR_XML_FORBIDDEN');
    const ebcdic = await failure(parse(Buffer.from('<?xml version="1.0" encoding="IBM037"?><r/>')));
    expect(ebcdic.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(ebcdic.message).toContain('declares the encoding "ibm037"');
  });

  it('decodes UTF-8 (with or without BOM) and a declared ISO-8859-1; invalid UTF-8 is malformed', async () => {
    expect(await parse(Buffer.from('\ufeff<r>Müller 王</r>', 'utf8'))).toEqual({ r: 'Müller 王' });
    expect(await parse(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><r>Müller</r>', 'latin1'))).toEqual({ r: 'Müller' });
    expect((await failure(parse(Buffer.from([0x3c, 0x72, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x72, 0x3e])))).code).toBe('CONN_ERR_MALFORMED_RESPONSE');
  });
});

describe('parseXmlSafely: size, depth and node limits', () => {
  it('refuses a document over maxBytes before decoding it, counting UTF-8 bytes of strings', async () => {
    const err = await failure(parse(`<r>${'é'.repeat(600)}</r>`, { maxBytes: 1024 }));
    expect(err.code).toBe('CONN_ERR_RESPONSE_TOO_LARGE');
    expect(err.message).toBe('connector "wms": the XML document has 1207 bytes, more than the limit of 1kb');
  });

  it('accepts nesting up to maxDepth and refuses one level more', async () => {
    const nested = (n: number) => `${'<e>'.repeat(n)}x${'</e>'.repeat(n)}`;
    await expect(parse(nested(8), { maxDepth: 8 })).resolves.toBeDefined();
    const err = await failure(parse(nested(9), { maxDepth: 8 }));
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(err.message).toContain('nests elements deeper than the limit of 8 (maxDepth)');
  });

  it('refuses 10,000 nested elements at the first level too deep, with the default limit of 64', async () => {
    const err = await failure(parse(`${'<e>'.repeat(10_000)}${'</e>'.repeat(10_000)}`));
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(err.message).toContain('limit of 64');
  });

  it('counts elements and attributes against maxNodes', async () => {
    await expect(parse('<r><a/><a/><a/></r>', { maxNodes: 4 })).resolves.toBeDefined();
    expect((await failure(parse('<r><a/><a/><a/><a/></r>', { maxNodes: 4 }))).code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect((await failure(parse('<r><a x="1" y="2"/></r>', { maxNodes: 3 }))).code).toBe('CONN_ERR_XML_FORBIDDEN');
  });

  it('abandons a node flood at the limit instead of building it (time and heap stay small)', async () => {
    const flood = `<r>${'<a/>'.repeat(2_000_000)}</r>`; // 8 MB, two million elements
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const err = await failure(parse(flood, { maxBytes: 16 * 1024 * 1024, maxNodes: 10_000 }));
    const elapsed = performance.now() - started;
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect(elapsed).toBeLessThan(1_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * 1024 * 1024);
  });
});

describe('parseXmlSafely: malformed documents', () => {
  it('reports truncation with line and column, never echoing the document', async () => {
    const doc = '<?xml version="1.0"?>\n<r>\n  <secret>SECRET-PAYLOAD</secret>\n  <b>';
    const err = await failure(parse(doc));
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toMatch(/^connector "wms": the upstream's XML is not well-formed at line \d+, column \d+: Unclosed root tag$/);
    expect(err.message).not.toContain('SECRET-PAYLOAD');
    expect(err.details).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });

  it('refuses mismatched tags, text after the root, a second root and an empty answer', async () => {
    for (const doc of ['<r><a></b></r>', '<r/>trailing', '<r/><r/>', '   ']) {
      expect((await failure(parse(doc))).code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    }
    expect((await failure(parse('<r/><r/>'))).message).toContain('a second root element');
  });
});

describe('parseXmlSafely: output shape', () => {
  it('trims text, puts attributes under $ and mixed text under _, repeats become arrays, empty elements ""', async () => {
    const doc = `<r>
      <seg SEGMENT="1">  padded value  </seg>
      <item>one</item>
      <item>two</item>
      <empty/>
      <attrs only="yes"/>
    </r>`;
    expect(await parse(doc)).toEqual({
      r: { seg: { _: 'padded value', $: { SEGMENT: '1' } }, item: ['one', 'two'], empty: '', attrs: { $: { only: 'yes' } } },
    });
  });

  it('stores hostile element names as own properties: no prototype pollution, no merging with Object.prototype', async () => {
    const doc = '<r><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor><toString>t</toString><hasOwnProperty>h</hasOwnProperty></r>';
    const result = (await parse(doc)) as { r: Record<string, unknown> };
    expect(result.r['constructor']).toBe('c');
    expect(result.r['toString']).toBe('t');
    expect(Object.hasOwn(result.r, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(result.r)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('parses the recorded WMS IDoc packet', async () => {
    const fixture = await readFile(new URL('./fixtures/wms-shipments-batch.xml', import.meta.url));
    const doc = (await parse(fixture)) as { SHPMNT05: { IDOC: Array<{ $: { BEGIN: string }; E1EDT20: { TKNUM: string } }> } };
    expect(doc.SHPMNT05.IDOC).toHaveLength(4);
    expect(doc.SHPMNT05.IDOC[0]!.$.BEGIN).toBe('1');
    expect(doc.SHPMNT05.IDOC.map((i) => i.E1EDT20.TKNUM)).toEqual(expect.arrayContaining([expect.stringMatching(/^\d{10}$/)]));
  });

  it('stops between slices when the caller aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    const big = `<r>${'<a>x</a>'.repeat(100_000)}</r>`; // larger than one slice
    await expect(parseXmlSafely(big, limits, { connector: 'wms', signal: controller.signal })).rejects.toBe(reason);
  });
});
