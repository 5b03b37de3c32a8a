// A lean SOAP response reader (STYLE.md 8: pure), in place of the soap package's xmlToObject for answers: one pass
// over the text with indexOf, no sax events, no per-element schema lookups. The result has the soap package's
// shape, because the rest of the adapter (normaliseResult by the WSDL's description, faultOf) reads that shape:
//  - elements by local name (prefixes dropped); a repeated element becomes a list; attributes other than xmlns
//    under `attributes`, with the element's text under `$value`;
//  - text trimmed; an element without text, children or attributes is null; an element with xsi:nil="true" is
//    left out (the soap package's default, handleNilAsNull false);
//  - the Envelope's content ({ Header, Body }) is returned; a Body with a Fault throws an Error carrying `root`,
//    as the soap package does; XML that is not well-formed throws { Fault: { faultstring: 'Invalid XML', detail } }.
// What it does not read it hands back (NEEDS_SOAP_PARSER): SOAP-encoded references (href/id multiRef) and CDATA that
// holds an XML document, which the soap package resolves with the WSDL's types. The text was screened before
// (soap-xml-screen.ts: no DTD, no entities, bounded depth), so only the five predefined entities and character
// references can appear.

const XSI_URI = 'http://www.w3.org/2001/XMLSchema-instance';

/** Thrown when the document needs the soap package's own reader (see the file comment). */
export const NEEDS_SOAP_PARSER = Symbol('needs the soap package parser');

interface Frame {
  readonly name: string;
  /** Child elements and `attributes`, or undefined while the element has neither. */
  object: Record<string, unknown> | undefined;
  text: string;
  readonly nil: boolean;
}

class InvalidXml extends Error {}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new InvalidXml(`an unterminated entity reference near ${JSON.stringify(whole.slice(0, 12))}`);
    const named = ENTITIES[name];
    if (named !== undefined) return named;
    const code = /^#x[0-9a-fA-F]+$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]+$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
    if (Number.isNaN(code) || code > 0x10ffff) throw new InvalidXml(`an unknown entity &${name};`);
    return String.fromCodePoint(code);
  });
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);
const NAME = /^[A-Za-z_][\w.:-]*$/;
const ATTRIBUTE = /\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

/** The element's value once closed: null when empty, its text, or its object (with `$value` when it has attributes). */
function valueOf(frame: Frame): unknown {
  const text = frame.text.trim();
  if (frame.object === undefined) return text === '' ? null : text;
  if (text !== '' && 'attributes' in frame.object) frame.object.$value = text;
  return Object.keys(frame.object).length === 0 ? null : frame.object;
}

/** As the soap package does: a second element of the same name turns the value into a list (values are never lists). */
function attach(parent: Frame, name: string, value: unknown): void {
  parent.object ??= {};
  if (!Object.hasOwn(parent.object, name)) parent.object[name] = value;
  else {
    const existing = parent.object[name];
    if (Array.isArray(existing)) existing.push(value);
    else parent.object[name] = [existing, value];
  }
}

function finish(root: Record<string, unknown>): unknown {
  const envelope = root.Envelope as Record<string, unknown> | null | undefined;
  if (envelope === undefined) return root;
  const body = (envelope ?? {}).Body as Record<string, unknown> | null | undefined;
  const fault = body?.Fault as Record<string, unknown> | undefined;
  if (fault) {
    const text = (v: unknown) => (v !== null && typeof v === 'object' && '$value' in v ? (v as { $value: unknown }).$value : v);
    const code = text(fault.faultcode) ?? (fault.Code ? `${String((fault.Code as { Value?: unknown }).Value)}: ${String((fault.Code as { Subcode?: { Value?: unknown } }).Subcode?.Value)}` : undefined);
    const string = text(fault.faultstring) ?? text((fault.Reason as { Text?: unknown } | undefined)?.Text);
    const detail = text(fault.detail) ?? fault.Detail;
    const error = new Error(`${String(code)}: ${String(string)}${detail ? `: ${JSON.stringify(detail)}` : ''}`);
    throw Object.assign(error, { root });
  }
  return envelope;
}

/**
 * The soap package's reading of a SOAP answer (see the file comment). Throws the soap package's errors (a Fault
 * error with `root`, or `{ Fault: { faultstring: 'Invalid XML' } }`), or NEEDS_SOAP_PARSER.
 */
export function soapXmlToObject(xml: string): unknown {
  try {
    return finish(read(xml));
  } catch (err) {
    if (!(err instanceof InvalidXml)) throw err;
    throw { Fault: { faultcode: 500, faultstring: 'Invalid XML', detail: err.message, statusCode: 500 } };
  }
}

function read(xml: string): Record<string, unknown> {
  const rootFrame: Frame = { name: '', object: {}, text: '', nil: false };
  const stack: Frame[] = [rootFrame];
  const xsiPrefixes = new Set<string>();
  let rootSeen = false;
  let i = 0;
  for (;;) {
    const lt = xml.indexOf('<', i);
    const top = stack[stack.length - 1]!;
    const chunk = xml.slice(i, lt === -1 ? xml.length : lt);
    if (chunk.length > 0) {
      if (stack.length === 1) {
        if (chunk.trim() !== '') throw new InvalidXml('text outside the root element');
      } else top.text += decode(chunk);
    }
    if (lt === -1) break;
    if (xml.startsWith('<?', lt)) {
      i = after(xml, '?>', lt + 2, 'a processing instruction');
    } else if (xml.startsWith('<!--', lt)) {
      i = after(xml, '-->', lt + 4, 'a comment');
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = after(xml, ']]>', lt + 9, 'a CDATA section');
      const data = xml.slice(lt + 9, end - 3);
      if (/<\?xml[\s\S]+\?>/.test(data)) throw NEEDS_SOAP_PARSER;
      if (stack.length === 1) throw new InvalidXml('a CDATA section outside the root element');
      top.text += data;
      i = end;
    } else if (xml.startsWith('<!', lt)) {
      throw new InvalidXml('a markup declaration'); // refused by the screen before; never parsed
    } else if (xml.startsWith('</', lt)) {
      const gt = xml.indexOf('>', lt + 2);
      if (gt === -1) throw new InvalidXml('an unterminated closing tag');
      const name = xml.slice(lt + 2, gt).trim();
      if (stack.length === 1 || name !== top.name) throw new InvalidXml(`unexpected close tag </${name}>${stack.length > 1 ? `; expected </${top.name}>` : ''}`);
      stack.pop();
      if (!top.nil) attach(stack[stack.length - 1]!, localName(top.name), valueOf(top));
      i = gt + 1;
    } else {
      const end = tagEnd(xml, lt + 1);
      if (end === -1) throw new InvalidXml('an unterminated start tag');
      const selfClosing = xml[end - 1] === '/';
      const inner = xml.slice(lt + 1, selfClosing ? end - 1 : end);
      const nameEnd = inner.search(/[\s/]|$/);
      const name = inner.slice(0, nameEnd);
      if (!NAME.test(name)) throw new InvalidXml(`an invalid element name ${JSON.stringify(name.slice(0, 40))}`);
      if (stack.length === 1) {
        if (rootSeen) throw new InvalidXml('a second root element');
        rootSeen = true;
      }
      const attributes = readAttributes(inner, nameEnd);
      let object: Record<string, unknown> | undefined;
      let nil = false;
      if (attributes !== undefined) {
        const own: Record<string, string> = {};
        let any = false;
        for (const [qname, value] of attributes) {
          if (qname === 'href' || qname === 'id') throw NEEDS_SOAP_PARSER;
          if (qname === 'xmlns' || qname.startsWith('xmlns:')) {
            if (value === XSI_URI) xsiPrefixes.add(localName(qname));
            continue;
          }
          own[qname] = value;
          any = true;
        }
        for (const [qname, value] of Object.entries(own)) {
          const colon = qname.indexOf(':');
          if (colon > 0 && qname.slice(colon + 1) === 'nil' && xsiPrefixes.has(qname.slice(0, colon)) && (value.toLowerCase() === 'true' || value === '1')) nil = true;
        }
        if (any) object = { attributes: own };
      }
      const frame: Frame = { name, object, text: '', nil };
      if (selfClosing) {
        if (!nil) attach(top, localName(name), valueOf(frame));
      } else stack.push(frame);
      i = end + 1;
    }
  }
  if (stack.length > 1) throw new InvalidXml(`unclosed tag <${stack[stack.length - 1]!.name}>`);
  if (!rootSeen) throw new InvalidXml('no root element');
  return rootFrame.object!;
}

function readAttributes(inner: string, from: number): Array<[string, string]> | undefined {
  if (inner.slice(from).trim() === '') return undefined;
  const out: Array<[string, string]> = [];
  let at = from;
  while (inner.slice(at).trim() !== '') {
    ATTRIBUTE.lastIndex = at;
    const m = ATTRIBUTE.exec(inner);
    if (m === null) throw new InvalidXml(`an attribute that is not name="value" in <${inner.slice(0, 40)}`);
    out.push([m[1]!, decode(m[2] ?? m[3] ?? '')]);
    at = ATTRIBUTE.lastIndex;
  }
  return out;
}

function after(xml: string, marker: string, from: number, what: string): number {
  const at = xml.indexOf(marker, from);
  if (at === -1) throw new InvalidXml(`an unterminated ${what}`);
  return at + marker.length;
}

/** Index of the `>` that closes the start tag beginning before `from`, honouring quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let quote = '';
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return j;
    } else if (c === '<') {
      return -1;
    }
  }
  return -1;
}

interface SoapReader {
  xmlToObject(xml: unknown, callback?: unknown): unknown;
}

/**
 * Makes a soap package Client read its answers with `reader` (default soapXmlToObject), falling back to the
 * package's own reader for what the lean one hands back. The package calls `client.wsdl.xmlToObject(body)` for every
 * answer (success, fault or HTTP error with a body); soap-xml-to-object.test.ts fails if an upgrade stops doing so.
 */
export function useLeanReader(client: object, reader: (xml: string) => unknown = soapXmlToObject): void {
  const wsdl = (client as { wsdl?: SoapReader }).wsdl;
  if (wsdl === undefined || typeof wsdl.xmlToObject !== 'function') throw new TypeError('useLeanReader: not a soap package Client (no wsdl.xmlToObject)');
  const ownReader = wsdl.xmlToObject.bind(wsdl);
  wsdl.xmlToObject = (xml: unknown, callback?: unknown) => {
    if (typeof callback === 'function' || typeof xml !== 'string') return ownReader(xml, callback); // streams
    try {
      return reader(xml);
    } catch (err) {
      if (err === NEEDS_SOAP_PARSER) return ownReader(xml);
      throw err;
    }
  };
}
