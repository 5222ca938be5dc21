// Reading the xml2js trees rss-parser hands back (explicitArray mode): every
// child is a list; a node is a string (text only), or an object with `$`
// (attributes), `_` (text) and child lists. Feeds put anything anywhere, so
// every reader here accepts any shape and answers undefined when unsure.

export type XAttrs = Record<string, string>;
export interface XElement {
  $?: XAttrs;
  _?: string;
  [child: string]: unknown;
}
export type XNode = string | XElement;

export function isElement(node: unknown): node is XElement {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** The nodes of a child list (xml2js keeps children in arrays). */
export function nodes(list: unknown): XNode[] {
  if (list === undefined || list === null) return [];
  const arr = Array.isArray(list) ? list : [list];
  return arr.filter((n): n is XNode => typeof n === 'string' || isElement(n));
}

export function first(list: unknown): XNode | undefined {
  return nodes(list)[0];
}

/** The text of a node: a string node itself, or an element's character data. */
export function nodeText(node: XNode | undefined): string | undefined {
  if (typeof node === 'string') return node;
  if (isElement(node) && typeof node._ === 'string') return node._;
  return undefined;
}

/** Trimmed text of the first node in a list, or undefined when blank. */
export function text(list: unknown): string | undefined {
  for (const n of nodes(list)) {
    const t = nodeText(n)?.trim();
    if (t) return t;
  }
  return undefined;
}

export function attrs(node: XNode | undefined): XAttrs {
  return isElement(node) && isElement(node.$) ? (node.$ as XAttrs) : {};
}

export function attr(node: XNode | undefined, name: string): string | undefined {
  const v = attrs(node)[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** True when the element holds child elements (inline XHTML, or HTML left unescaped): xml2js cannot keep their order. */
export function hasChildElements(node: XNode | undefined): boolean {
  return isElement(node) && Object.keys(node).some((k) => k !== '$' && k !== '_');
}

/** Children of `node` named `name`. */
export function children(node: XNode | undefined, name: string): XNode[] {
  return isElement(node) ? nodes(node[name]) : [];
}
