import { js2xml, xml2js, type Element } from 'xml-js';

export type { Element };

// Thin layer over xml-js's non-compact tree ({type, name, attributes, elements}).
// The tree always holds the real (unescaped) values; serializeXml takes care
// of escaping, working around two xml-js 1.6 serializer quirks:
//  - text: it first turns every "&amp;" back into "&" (to avoid double
//    escaping), which corrupts a value that really contains "&amp;";
//  - attributes: it escapes only the double quote, so "&" or "<" in a value
//    yields malformed XML;
//  - CDATA: it splits only the first "]]>", so a second one ends the section.

/** Parses an XML document into an xml-js tree. */
export function parseXml(text: string): Element {
  return xml2js(text, { compact: false, captureSpacesBetweenElements: false }) as Element;
}

export function el(name: string, attributes?: Record<string, string | undefined>, children: (Element | string)[] = []): Element {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes ?? {})) if (v !== undefined) attrs[k] = v;
  const e: Element = { type: 'element', name };
  if (Object.keys(attrs).length) e.attributes = attrs;
  if (children.length) e.elements = children.map((c) => (typeof c === 'string' ? { type: 'text', text: c } : c));
  return e;
}

/** A document with the standard XML declaration around `root`. */
export function xmlDocument(root: Element): Element {
  return { declaration: { attributes: { version: '1.0', encoding: 'utf-8' } }, elements: [root] };
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

/** Applies `fn` to every text, CDATA and attribute value in the tree, in place. */
export function mapValues(node: Element, fn: (s: string) => string): void {
  if (node.attributes) {
    for (const [k, v] of Object.entries(node.attributes)) if (typeof v === 'string') node.attributes[k] = fn(v);
  }
  if (node.type === 'text' && node.text !== undefined) node.text = fn(String(node.text));
  if (node.type === 'cdata' && node.cdata !== undefined) node.cdata = fn(node.cdata);
  for (const c of node.elements ?? []) mapValues(c, fn);
}

const ATTR_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

function prepare(node: Element): Element {
  const out: Element = { ...node };
  if (node.attributes) {
    out.attributes = {};
    for (const [k, v] of Object.entries(node.attributes)) {
      if (v === undefined) continue;
      // Fully escaped here; xml-js then finds no quote left to touch.
      out.attributes[k] = String(v).replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c]);
    }
  }
  if (node.declaration) out.declaration = node.declaration;
  // xml-js maps "&amp;" back to "&" before escaping "&": pre-encoding every "&"
  // makes that round trip exact for any value.
  if (node.type === 'text' && node.text !== undefined) out.text = String(node.text).replaceAll('&', '&amp;');
  if (node.elements) out.elements = node.elements.map(prepare);
  return out;
}

/** Serializes an xml-js tree to well-formed XML, every value escaped exactly once. */
export function serializeXml(doc: Element, spaces = 2): string {
  const xml = js2xml(prepare(doc), {
    compact: false,
    spaces,
    fullTagEmptyElement: false,
    cdataFn: (cdata: string) => cdata.replaceAll(']]>', ']]]]><![CDATA[>'),
  } as Parameters<typeof js2xml>[1]);
  return `${xml}\n`;
}
