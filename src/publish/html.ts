import { Element, ProcessingInstruction, Text, type ChildNode } from 'domhandler';
import render from 'dom-serializer';

// HTML is built as a DOM (domhandler nodes, the tree htmlparser2 produces) and
// serialized by dom-serializer, which knows HTML's void elements and escapes
// text and attribute values; nothing is assembled from string templates.

const LINE_CONTAINERS = new Set(['html', 'head', 'body', 'header', 'main', 'section', 'ul']);

export type Child = ChildNode | string | undefined | false | null;

/** An element with attributes (undefined ones omitted) and children (strings become text). */
export function h(name: string, attrs: Record<string, string | undefined> = {}, ...children: (Child | Child[])[]): Element {
  const attribs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) attribs[k] = v;
  // Line breaks between the children of containers keep the page diffable
  // and readable as source; whitespace there does not change the rendering.
  const lines = LINE_CONTAINERS.has(name);
  const kids: ChildNode[] = [];
  for (const c of children.flat()) {
    if (c === undefined || c === false || c === null) continue;
    if (lines) kids.push(new Text('\n'));
    kids.push(typeof c === 'string' ? new Text(c) : c);
  }
  if (lines && kids.length) kids.push(new Text('\n'));
  const e = new Element(name, attribs, kids);
  kids.forEach((k, i) => {
    k.parent = e;
    k.prev = kids[i - 1] ?? null;
    k.next = kids[i + 1] ?? null;
  });
  return e;
}

const OPTIONS = { encodeEntities: 'utf8' as const };

/** An element serialized on its own: the same bytes it has inside any document (HTML, no foreign content). */
export function renderFragment(e: Element): string {
  return render(e, OPTIONS);
}

/**
 * A node that serializes as `html`, a fragment renderFragment made: lets a
 * page reuse sections serialized by an earlier build. dom-serializer writes a
 * directive as its data between `<` and `>`, and a serialized element starts
 * with `<` and ends with `>`, so the bytes come back unchanged.
 */
export function preRendered(html: string): ProcessingInstruction {
  if (!html.startsWith('<') || !html.endsWith('>')) throw new Error('preRendered: not a serialized element');
  return new ProcessingInstruction('#fragment', html.slice(1, -1));
}

/** `<!DOCTYPE html>` followed by the document. */
export function renderHtmlDocument(root: Element): string {
  return `${render([new ProcessingInstruction('!doctype', '!DOCTYPE html'), new Text('\n'), root], OPTIONS)}\n`;
}

/** Text escaped for use as HTML (e.g. a plain-text RSS description). */
export function htmlText(s: string): string {
  return render(new Text(s), OPTIONS);
}
