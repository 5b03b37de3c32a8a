// Hardened XML parsing for answers from upstreams we do not control (STYLE.md 8: pure, no I/O).
//
// The threats and what stops each one, before or during parsing, never after a full parse:
//  - entity expansion (billion laughs, quadratic blowup), external entities (XXE), parameter entities: every DTD
//    construct lives in a `<!...>` declaration, so the raw text is scanned and any `<!` that is not a comment or a
//    CDATA section is refused unparsed; the SAX layer refuses a DOCTYPE again, knows only the five predefined
//    XML entities, and never re-parses entity text;
//  - encoding tricks (a UTF-16 or UTF-32 document hides `<!DOCTYPE` from a byte scan): the input is decoded first,
//    and anything that is not UTF-8 (or a single-byte, ASCII-compatible encoding it declares) is refused;
//  - huge documents: the byte size is checked before decoding;
//  - deep nesting and node floods (stack and heap exhaustion): depth and element/attribute counts are enforced in
//    xml2js's underlying SAX parser as each tag opens, so a hostile document is abandoned at the first offending tag;
//  - prototype pollution through element names (`__proto__`, `constructor`): children are stored as own properties.
// The document is fed to the parser in slices with a turn of the event loop between them, so an 8 MB answer does
// not stall other requests, and an aborted caller stops the work.
import { setImmediate as nextTurn } from 'node:timers/promises';
import xml2js from 'xml2js';
import { formatSize } from '../../common/durations.ts';
import type { UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';

/** A parsed element: text (trimmed), an object of children (attributes under `$`, mixed text under `_`), or a list. */
export type XmlNode = string | XmlElement | readonly XmlNode[];
export interface XmlElement {
  readonly [name: string]: XmlNode | undefined;
}
/** The whole document: `{ <rootName>: <root element> }`. */
export type XmlDocument = Readonly<Record<string, XmlNode>>;

export interface XmlLimits {
  /** Largest document accepted, in bytes (UTF-8 for strings). */
  readonly maxBytes: number;
  /** Deepest element nesting accepted; the root element is depth 1. Default 64. */
  readonly maxDepth?: number;
  /** Most elements plus attributes accepted in one document. Default 250,000. */
  readonly maxNodes?: number;
}

export interface XmlParseContext {
  /** Connector name, for messages. */
  readonly connector: string;
  /** Stops parsing between slices when aborted (the promise rejects with the abort reason). */
  readonly signal?: AbortSignal;
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_NODES = 250_000;
/** Characters fed to the SAX parser per turn of the event loop. */
const SLICE_CHARS = 256 * 1024;

/**
 * The xml2js options, spelled out so no default can drift in: strict XML, no DTD or entity processing (xml2js has
 * none; the SAX layer is restricted below), attributes under `$`, text under `_`. `explicitArray: false` keeps
 * single children as objects (IDoc segments that repeat become arrays); mapping code treats "one or many" alike
 * (see xml-path.ts). Text is trimmed so indentation never leaks into values; inner whitespace is kept.
 */
const PARSER_OPTIONS: xml2js.ParserOptions = Object.freeze({
  strict: true,
  async: false,
  explicitArray: false,
  explicitRoot: true,
  explicitCharkey: false,
  explicitChildren: false,
  mergeAttrs: false,
  ignoreAttrs: false,
  xmlns: false,
  normalizeTags: false,
  attrkey: '$',
  charkey: '_',
  trim: true,
  normalize: false,
  emptyTag: '',
  includeWhiteChars: false,
});

const XML_ENTITIES: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }),
);

/** Encodings whose bytes for ASCII characters are ASCII, so decoding them cannot hide markup. */
const ACCEPTED_ENCODINGS: Readonly<Record<string, string>> = {
  'utf-8': 'utf-8', utf8: 'utf-8', 'us-ascii': 'utf-8', ascii: 'utf-8',
  'iso-8859-1': 'latin1', 'iso8859-1': 'latin1', latin1: 'latin1', 'latin-1': 'latin1', 'windows-1252': 'latin1', cp1252: 'latin1',
};

/**
 * Parses untrusted XML within the limits, or rejects with:
 * CONN_ERR_XML_FORBIDDEN (DOCTYPE, ENTITY or other DTD markup, a non-UTF-8 encoding, too deep, too many nodes),
 * CONN_ERR_RESPONSE_TOO_LARGE (more than maxBytes), CONN_ERR_MALFORMED_RESPONSE (not well-formed; the message gives
 * line and column and never echoes the document).
 */
export async function parseXmlSafely(input: Buffer | string, limits: XmlLimits, context: XmlParseContext): Promise<XmlDocument> {
  const who = `connector "${context.connector}"`;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > limits.maxBytes) {
    throw connErr.CONN_ERR_RESPONSE_TOO_LARGE(
      `${who}: the XML document has ${size} bytes, more than the limit of ${formatSize(limits.maxBytes)}`,
      { details: { bytes: size, maxBytes: limits.maxBytes } },
    );
  }
  const text = decode(input, who);
  if (text.trim() === '') throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${who}: expected an XML document, but the answer is empty`);
  refuseDeclarations(text, who);
  return parse(text, limits.maxDepth ?? DEFAULT_MAX_DEPTH, limits.maxNodes ?? DEFAULT_MAX_NODES, who, context.signal);
}

function forbidden(who: string, what: string, line?: number, advice?: string): UnicsError {
  const where = line === undefined ? '' : ` at line ${line}`;
  return connErr.CONN_ERR_XML_FORBIDDEN(`${who}: refused the upstream's XML: it ${what}${where}.${advice ? ` ${advice}` : ''}`, {
    details: line === undefined ? undefined : { line },
  });
}

const DTD_ADVICE =
  'DTDs and entity declarations are never processed (they enable entity expansion and external entities); ask the upstream to send plain XML without a DOCTYPE.';
const ENCODING_ADVICE = 'Only UTF-8 (or ISO-8859-1) is accepted, because another encoding can hide a DOCTYPE from inspection.';

function decode(input: Buffer | string, who: string): string {
  let text: string;
  if (typeof input === 'string') {
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    const b0 = input[0], b1 = input[1], b2 = input[2], b3 = input[3];
    if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)) {
      throw forbidden(who, 'is encoded as UTF-16 or UTF-32 (it starts with a byte order mark)', undefined, ENCODING_ADVICE);
    }
    const declared = declaredEncoding(input.subarray(0, 200).toString('latin1'));
    const encoding = declared === undefined ? 'utf-8' : ACCEPTED_ENCODINGS[declared];
    if (encoding === undefined) throw forbidden(who, `declares the encoding "${declared}"`, undefined, ENCODING_ADVICE);
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(input);
    } catch {
      throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${who}: expected XML in ${encoding === 'utf-8' ? 'UTF-8' : 'ISO-8859-1'}, but the answer has bytes that are not valid in it`);
    }
  }
  // U+0000 is never legal in XML; here it is the mark of UTF-16/32 text without a byte order mark.
  if (text.includes('\u0000')) throw forbidden(who, 'contains NUL characters (UTF-16 or UTF-32 without a byte order mark?)', undefined, ENCODING_ADVICE);
  // A string was decoded by the caller: its encoding declaration is stale and harmless, since the scan below
  // reads the decoded characters.
  return text;
}

function declaredEncoding(head: string): string | undefined {
  const decl = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(head);
  return decl?.[1]?.trim().toLowerCase();
}

/** Refuses every `<!` that is not a comment or a CDATA section: DOCTYPE, ENTITY, ELEMENT, ATTLIST, NOTATION, conditional sections. */
function refuseDeclarations(text: string, who: string): void {
  let at = text.indexOf('<!');
  while (at !== -1) {
    let end: number;
    if (text.startsWith('<!--', at)) end = text.indexOf('-->', at + 4);
    else if (text.startsWith('<![CDATA[', at)) end = text.indexOf(']]>', at + 9);
    else {
      const word = /^<!\s*(\[?[A-Za-z]*)/.exec(text.slice(at, at + 20))?.[1]?.toUpperCase() ?? '';
      const what = word === 'DOCTYPE' ? 'has a DOCTYPE declaration' : word === 'ENTITY' ? 'declares an ENTITY' : `has a markup declaration "<!${word}"`;
      throw forbidden(who, what, lineAt(text, at), DTD_ADVICE);
    }
    if (end === -1) return; // an unterminated comment or CDATA section: the parser reports it as malformed
    at = text.indexOf('<!', end);
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The parts of xml2js's Parser we hook; they are not in its type declarations. */
interface SaxParser {
  line: number;
  column: number;
  ENTITIES: Record<string, string>;
  opt: { unparsedEntities?: boolean };
  onopentag: (node: { name: string; attributes: Record<string, string> }) => void;
  onclosetag: (name: string) => void;
  onerror: (err: Error) => void;
  ondoctype: (text: string) => void;
  onsgmldeclaration: (text: string) => void;
  write(chunk: string): SaxParser;
  close(): SaxParser;
}
interface HookableParser {
  saxParser: SaxParser;
  assignOrPush: (obj: Record<string, unknown>, key: string, value: unknown) => void;
  on(event: 'end', fn: (result: unknown) => void): unknown;
  on(event: 'error', fn: (err: unknown) => void): unknown;
}

async function parse(text: string, maxDepth: number, maxNodes: number, who: string, signal: AbortSignal | undefined): Promise<XmlDocument> {
  const parser = new xml2js.Parser(PARSER_OPTIONS) as unknown as HookableParser;
  const sax = parser.saxParser;
  sax.ENTITIES = Object.create(XML_ENTITIES) as Record<string, string>;
  sax.opt.unparsedEntities = false;

  // xml2js checks `key in obj`, which is true for inherited names: <constructor> would merge with
  // Object.prototype.constructor. Own-property checks and defineProperty keep every child a plain own value.
  parser.assignOrPush = (obj, key, value) => {
    if (!Object.hasOwn(obj, key)) {
      Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
      return;
    }
    const existing = obj[key];
    if (Array.isArray(existing)) existing.push(value);
    else Object.defineProperty(obj, key, { value: [existing, value], writable: true, enumerable: true, configurable: true });
  };

  let depth = 0;
  let nodes = 0;
  let rootClosed = false;
  const open = sax.onopentag;
  const close = sax.onclosetag;
  sax.onopentag = (node) => {
    if (rootClosed) throw malformed(who, sax, 'a second root element after the document ended');
    depth++;
    nodes += 1 + Object.keys(node.attributes).length;
    if (depth > maxDepth) throw forbidden(who, `nests elements deeper than the limit of ${maxDepth} (maxDepth)`, sax.line + 1, 'Raise maxDepth only if the upstream really nests that deep.');
    if (nodes > maxNodes) throw forbidden(who, `has more than ${maxNodes} elements and attributes (maxNodes)`, sax.line + 1, 'Ask for fewer keys per call (maxBatchSize) or raise maxNodes.');
    open(node);
  };
  sax.onclosetag = (name) => {
    depth--;
    if (depth === 0) rootClosed = true;
    close(name);
  };
  sax.onerror = (err) => {
    throw malformed(who, sax, err.message.split('\n')[0] ?? 'syntax error');
  };
  sax.ondoctype = () => {
    throw forbidden(who, 'has a DOCTYPE declaration', sax.line + 1, DTD_ADVICE);
  };
  sax.onsgmldeclaration = () => {
    throw forbidden(who, 'has a markup declaration', sax.line + 1, DTD_ADVICE);
  };

  let result: unknown = null;
  parser.on('end', (value) => {
    result = value;
  });
  parser.on('error', () => {}); // every failure is thrown from the hooks above; nothing is emitted

  for (let from = 0; from < text.length; from += SLICE_CHARS) {
    if (from > 0) await nextTurn();
    if (signal?.aborted) throw signal.reason;
    sax.write(text.slice(from, from + SLICE_CHARS));
  }
  sax.close();
  if (result === null || typeof result !== 'object') {
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`${who}: expected an XML document with a root element, but found none`);
  }
  return result as XmlDocument;
}

function malformed(who: string, sax: SaxParser, reason: string): UnicsError {
  const short = reason.length > 120 ? `${reason.slice(0, 120)}…` : reason;
  return connErr.CONN_ERR_MALFORMED_RESPONSE(
    `${who}: the upstream's XML is not well-formed at line ${sax.line + 1}, column ${sax.column + 1}: ${short}`,
    { details: { line: sax.line + 1, column: sax.column + 1 } },
  );
}
