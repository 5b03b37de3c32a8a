// Screens an upstream's XML before the soap package parses it (STYLE.md 8: pure). Refused unparsed:
//  - any markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, ...): entity expansion (billion laughs) and
//    external entities need one, and SOAP 1.1 forbids a DTD in a message anyway;
//  - text that is not UTF-8 (NUL characters: UTF-16/32 would hide a DOCTYPE from this scan);
//  - nesting deeper than the limit (a million nested elements would exhaust the stack of whoever walks the result).
// One linear pass over the tags; comments, CDATA sections and processing instructions are skipped.
import type { UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';

export interface ScreenContext {
  /** Connector name, for messages. */
  readonly connector: string;
  /** What answered ("the WSDL at http://…", "GetOrder"), for messages. */
  readonly source: string;
  readonly maxDepth: number;
}

/** Returns the reason the document is refused, or undefined when it may be parsed. */
export function screenXml(text: string, ctx: ScreenContext): UnicsError | undefined {
  const refuse = (why: string) =>
    connErr.CONN_ERR_XML_FORBIDDEN(`connector "${ctx.connector}": ${ctx.source} answered XML with ${why}; refused unparsed`, { details: { reason: why } });
  if (text.includes('\u0000')) return refuse('NUL characters (not UTF-8; UTF-16 and UTF-32 are not accepted)');
  let depth = 0;
  let i = text.indexOf('<');
  while (i !== -1) {
    if (text.startsWith('<!--', i)) {
      i = skipPast(text, '-->', i + 4);
    } else if (text.startsWith('<![CDATA[', i)) {
      i = skipPast(text, ']]>', i + 9);
    } else if (text.startsWith('<?', i)) {
      i = skipPast(text, '?>', i + 2);
    } else if (text.startsWith('<!', i)) {
      const word = /^<!([A-Za-z]*)/.exec(text.slice(i, i + 12))?.[1] ?? '';
      return refuse(`a <!${word.toUpperCase()}> declaration (DTDs and entities are never processed)`);
    } else if (text.startsWith('</', i)) {
      depth--;
      i = text.indexOf('>', i + 2);
    } else {
      const end = tagEnd(text, i + 1);
      if (end === -1) break; // unterminated tag: the parser reports it as malformed
      if (text[end - 1] !== '/') {
        depth++;
        if (depth > ctx.maxDepth) return refuse(`elements nested deeper than ${ctx.maxDepth} levels`);
      }
      i = end;
    }
    if (i === -1) break;
    i = text.indexOf('<', i + 1);
  }
  return undefined;
}

function skipPast(text: string, marker: string, from: number): number {
  const at = text.indexOf(marker, from);
  return at === -1 ? -1 : at + marker.length - 1;
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
    }
  }
  return -1;
}
