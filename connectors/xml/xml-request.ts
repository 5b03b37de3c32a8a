// Building the request bodies of the xml adapter (pure). A POST entity lists its keys in an XML body made from a
// template with one repeated section, or from the structured form { root, element }; keys are XML-escaped, and a
// key that XML cannot carry at all (control characters) is refused on its own, so it cannot fail the batch.

/** A compiled body template: `head`, then `item` around each escaped key, then `tail`. */
export interface RequestTemplate {
  readonly head: string;
  readonly itemBefore: string;
  readonly itemAfter: string;
  readonly tail: string;
}

const SECTION = /\{\{#keys\}\}([\s\S]*?)\{\{\/keys\}\}/g;
const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

/**
 * Compiles "<Q>{{#keys}}<ID>{{key}}</ID>{{/keys}}</Q>": exactly one {{#keys}}…{{/keys}} section holding exactly one
 * {{key}}, and no other {{…}} placeholder. Throws an Error saying what is wrong (the caller names the setting).
 */
export function compileRequestTemplate(template: string): RequestTemplate {
  const sections = [...template.matchAll(SECTION)];
  if (sections.length !== 1) {
    throw new Error(`must contain exactly one {{#keys}}…{{/keys}} section like "<Query>{{#keys}}<ID>{{key}}</ID>{{/keys}}</Query>"; it has ${sections.length}`);
  }
  const section = sections[0]!;
  const body = section[1] ?? '';
  const parts = body.split('{{key}}');
  if (parts.length !== 2) throw new Error(`must use {{key}} exactly once inside {{#keys}}…{{/keys}}; it uses it ${parts.length - 1} times`);
  const head = template.slice(0, section.index);
  const tail = template.slice(section.index + section[0].length);
  const leftover = /\{\{[^}]*\}\}/.exec(head + parts.join('') + tail);
  if (leftover) throw new Error(`has the unknown placeholder ${leftover[0]}; only {{#keys}}, {{key}} and {{/keys}} exist`);
  if (/<!(?!--|\[CDATA\[)/.test(template)) throw new Error('must not contain a DOCTYPE or other <!...> declaration');
  return { head, itemBefore: parts[0]!, itemAfter: parts[1]!, tail };
}

/** The template for the structured form: <root><element>key</element>…</root> with an XML declaration. */
export function structuredTemplate(root: string, element: string): RequestTemplate {
  for (const [what, name] of [['root', root], ['element', element]] as const) {
    if (!XML_NAME.test(name)) throw new Error(`${what} must be an XML element name like "ShipmentQuery", but got ${JSON.stringify(name)}`);
  }
  return { head: `<?xml version="1.0" encoding="UTF-8"?><${root}>`, itemBefore: `<${element}>`, itemAfter: `</${element}>`, tail: `</${root}>` };
}

export function renderRequest(template: RequestTemplate, keys: readonly string[]): string {
  let out = template.head;
  for (const key of keys) out += template.itemBefore + escapeXml(key) + template.itemAfter;
  return out + template.tail;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an XML element or attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; lone surrogates are not chars.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Why a key cannot be sent, or undefined when it can: XML has no way to carry control characters, and a GET list
 * cannot carry a key that contains its separator (the upstream would read two keys).
 */
export function unsendableKey(key: string, separator: string | undefined): string | undefined {
  if (key === '') return 'the key is empty';
  if (NOT_XML_CHAR.test(key)) return 'the key contains a character XML cannot carry (a control character)';
  if (separator !== undefined && key.includes(separator)) return `the key contains the list separator "${separator}"`;
  return undefined;
}
