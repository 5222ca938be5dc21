// The small element trees the feed readers look at: one per item (and one per
// channel-level field), built from the single event stream of xml-stream.ts
// and dropped once the item is mapped. Text and elements keep their document
// order, so mixed content (inline XHTML, HTML left unescaped) survives.

import { WELL_KNOWN_PREFIXES } from './namespaces.ts';

export type XNode = XElement | string;

export interface XElement {
  /** Qualified name as written (`media:content`). */
  name: string;
  local: string;
  /** Namespace URI; '' for none. */
  ns: string;
  /** Attribute values with entities decoded, keyed by qualified name as written. */
  attrs: Record<string, string>;
  /** Child nodes in document order; null for elements the reader did not ask to keep. */
  children: XNode[] | null;
  /** Offset of the start tag in the text the stream read (for line numbers in messages). */
  at: number;
  /** Resolves attribute prefixes (rdf:about). */
  scope: Scope;
}

/** Namespace declarations in scope: a chain, one link per element that declares any. */
export class Scope {
  constructor(
    private readonly parent: Scope | undefined,
    private readonly declared: ReadonlyMap<string, string>,
  ) {}

  /** URI bound to `prefix` ('' for the default namespace), or undefined. */
  lookup(prefix: string): string | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const uri = s.declared.get(prefix);
      if (uri !== undefined) return uri;
    }
    return undefined;
  }
}

/** Child elements in namespace `ns` named `local`. */
export function kids(el: XElement | undefined, ns: string, local: string): XElement[] {
  const out: XElement[] = [];
  for (const c of el?.children ?? []) if (typeof c === 'object' && c.local === local && c.ns === ns) out.push(c);
  return out;
}

export function kid(el: XElement | undefined, ns: string, local: string): XElement | undefined {
  for (const c of el?.children ?? []) if (typeof c === 'object' && c.local === local && c.ns === ns) return c;
  return undefined;
}

export function hasElements(el: XElement | undefined): boolean {
  return !!el?.children?.some((c) => typeof c === 'object');
}

/** The element's own character data (CDATA included), not its descendants'. */
export function ownText(el: XElement | undefined): string | undefined {
  const children = el?.children;
  if (!children?.length) return undefined;
  if (children.length === 1) return typeof children[0] === 'string' ? children[0] : undefined;
  let text: string | undefined;
  for (const c of children) if (typeof c === 'string') text = text === undefined ? c : text + c;
  return text;
}

/** All character data under the element, in order (iterative: feeds nest deep). */
export function textContent(el: XElement): string {
  const parts: string[] = [];
  const stack: XNode[] = [el];
  while (stack.length) {
    const n = stack.pop()!;
    if (typeof n === 'string') parts.push(n);
    else if (n.children) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return parts.join('');
}

/** A trimmed, non-empty attribute value. */
export function attr(el: XElement | undefined, name: string): string | undefined {
  const v = el?.attrs[name]?.trim();
  return v ? v : undefined;
}

/** An attribute matched by namespace (`rdf:about` under any prefix), trimmed and non-empty. */
export function attrNS(el: XElement | undefined, ns: string, local: string): string | undefined {
  if (!el) return undefined;
  for (const name in el.attrs) {
    const colon = name.indexOf(':');
    if (colon === -1 || name.slice(colon + 1) !== local) continue;
    const prefix = name.slice(0, colon);
    if ((el.scope.lookup(prefix) ?? WELL_KNOWN_PREFIXES.get(prefix)) !== ns) continue;
    const v = el.attrs[name].trim();
    if (v) return v;
  }
  return undefined;
}
