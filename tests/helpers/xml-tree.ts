import { xml2js, type Element } from 'xml-js';

// Reads published XML back as a tree, with a parser independent of the one
// that writes it (xml-js's, built on sax: strict, so any escaping slip throws).

export type { Element };

/** Parses an XML document into an xml-js tree. */
export function parseXml(text: string): Element {
  return xml2js(text, { compact: false, captureSpacesBetweenElements: false }) as Element;
}

export function childElements(e: Element, name?: string): Element[] {
  return (e.elements ?? []).filter((c) => c.type === 'element' && (name === undefined || c.name === name));
}

export function firstChild(e: Element, name: string): Element | undefined {
  return childElements(e, name)[0];
}

/** The concatenated text and CDATA content of an element. */
export function textOf(e: Element): string {
  return (e.elements ?? []).map((c) => (c.type === 'text' ? String(c.text) : c.type === 'cdata' ? (c.cdata ?? '') : '')).join('');
}

/** The root element of a document. */
export function rootOf(doc: Element): Element {
  const root = childElements(doc)[0];
  if (!root) throw new Error('XML document has no root element');
  return root;
}
