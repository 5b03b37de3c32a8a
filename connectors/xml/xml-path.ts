// A small path language over parsed XML (the output of parseXmlSafely), used by the xml adapter's declarative
// mapping. Pure; compiled once at config load, so a typo fails at startup with a message, not at the first call.
//
//   SHPMNT05.IDOC.E1EDT20            child elements, step by step (the first step is the root element)
//   E1EDT10[QUALF=006].DATUM         only the E1EDT10 elements whose QUALF child has the text "006"
//   E1EDT20[@SEGMENT=1]              ... or whose attribute SEGMENT is "1"
//   E1EDL20.@LGNUM                   an attribute (only as the last step)
//
// Repeated elements are followed all at once: `selectAll` returns every match in document order, `selectText`
// the first. Element names may not contain "." (the separator); namespace prefixes are part of the name ("ns:Item").
import type { XmlElement, XmlNode } from './safe-xml.ts';

interface Step {
  readonly name: string;
  readonly attribute: boolean;
  readonly filter?: { readonly name: string; readonly attribute: boolean; readonly value: string };
}

export interface XmlPath {
  readonly text: string;
  readonly steps: readonly Step[];
}

const NAME = '[A-Za-z_][A-Za-z0-9_:-]*';
const STEP = new RegExp(`^(@?)(${NAME})(?:\\[(@?)(${NAME})=(?:"([^"]*)"|'([^']*)'|([^\\]"']*))\\])?$`);

/** Compiles a path; throws an Error saying what is wrong with it (the caller adds which setting it is). */
export function compileXmlPath(text: string): XmlPath {
  if (typeof text !== 'string' || text.trim() === '') throw new Error('must be a non-empty path like "E1EDT20.TKNUM"');
  const parts = splitSteps(text.trim());
  const steps: Step[] = parts.map((part, i) => {
    const m = STEP.exec(part);
    if (!m) throw new Error(`has an invalid step "${part}"; a step is NAME, NAME[CHILD=value], NAME[@ATTR=value] or @ATTR`);
    const [, at, name, filterAt, filterName, dq, sq, bare] = m;
    if (at && i !== parts.length - 1) throw new Error(`uses the attribute step "${part}" before the last step`);
    if (at && filterName) throw new Error(`filters the attribute step "${part}"; filter the element before it instead`);
    const step: Step = filterName
      ? { name: name!, attribute: false, filter: { name: filterName, attribute: filterAt === '@', value: (dq ?? sq ?? bare ?? '').trim() } }
      : { name: name!, attribute: at === '@' };
    return step;
  });
  return { text: text.trim(), steps };
}

// Splits on dots outside [...] so filter values may contain dots (E1EDK03[IDDAT=1.5]).
function splitSteps(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '.' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

const isElement = (node: XmlNode | undefined): node is XmlElement => typeof node === 'object' && node !== null && !Array.isArray(node);

function own(element: XmlElement, name: string): XmlNode | undefined {
  return Object.hasOwn(element, name) ? element[name] : undefined;
}

function flat(node: XmlNode | undefined, out: XmlNode[]): void {
  if (node === undefined) return;
  if (Array.isArray(node)) for (const item of node as readonly XmlNode[]) flat(item, out);
  else out.push(node);
}

function attributeOf(node: XmlNode, name: string): string | undefined {
  if (!isElement(node)) return undefined;
  const attrs = own(node, '$');
  if (!isElement(attrs)) return undefined;
  const value = own(attrs, name);
  return typeof value === 'string' ? value : undefined;
}

/**
 * The text of a node: a text-only element is its string; an element with attributes keeps its text under `_`;
 * an element with only attributes is ""; an element with child elements has no text of its own (undefined).
 */
export function textOf(node: XmlNode | undefined): string | undefined {
  if (typeof node === 'string') return node;
  if (!isElement(node)) return Array.isArray(node) ? textOf((node as readonly XmlNode[])[0]) : undefined;
  const text = own(node, '_');
  if (typeof text === 'string') return text;
  return Object.keys(node).every((k) => k === '$') ? '' : undefined;
}

function matches(node: XmlNode, filter: NonNullable<Step['filter']>): boolean {
  if (filter.attribute) return attributeOf(node, filter.name) === filter.value;
  if (!isElement(node)) return false;
  const children: XmlNode[] = [];
  flat(own(node, filter.name), children);
  return children.some((child) => textOf(child)?.trim() === filter.value);
}

/** Every node the path reaches from `node`, in document order (attribute steps give strings). */
export function selectAll(node: XmlNode | undefined, path: XmlPath): XmlNode[] {
  let current: XmlNode[] = [];
  flat(node, current);
  for (const step of path.steps) {
    const next: XmlNode[] = [];
    for (const item of current) {
      if (step.attribute) {
        const value = attributeOf(item, step.name);
        if (value !== undefined) next.push(value);
        continue;
      }
      if (!isElement(item)) continue;
      const found: XmlNode[] = [];
      flat(own(item, step.name), found);
      for (const child of found) if (!step.filter || matches(child, step.filter)) next.push(child);
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** The text of the first node the path reaches, or undefined when it reaches none (or only structure). */
export function selectText(node: XmlNode | undefined, path: XmlPath): string | undefined {
  for (const found of selectAll(node, path)) {
    const text = textOf(found);
    if (text !== undefined) return text;
  }
  return undefined;
}
