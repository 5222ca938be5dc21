import { isNamespaceDeclaration } from './namespaces.ts';
import { textContent, type XElement, type XNode } from './xml-tree.ts';

// Inline markup in a feed field (Atom type="xhtml", Atom 0.3 mode="xml", HTML
// left unescaped in an RSS description) serialized as the HTML it is:
// namespace prefixes and xmlns declarations dropped, CDATA sections as plain
// text, comments and processing instructions left out. The output escapes
// like dom-serializer's HTML mode (what refeed used before), so articles read
// the same. Iterative: a hostile feed can nest elements very deep.

/** HTML elements with no end tag. */
const VOID = new Set(['area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input', 'isindex', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** Elements whose text HTML does not decode, so it is written as is. */
const RAW_TEXT = new Set(['style', 'script', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext', 'noscript']);

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\u00a0': '&nbsp;' };
const ATTR_ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', '\u00a0': '&nbsp;' };
const escapeText = (s: string) => s.replace(/[&<>\u00a0]/g, (c) => TEXT_ESCAPES[c]);
const escapeAttr = (s: string) => s.replace(/[&"\u00a0]/g, (c) => ATTR_ESCAPES[c]);

/** The element's content as HTML; with `unwrapDiv`, the content of the one xhtml:div it wraps (Atom's rule). */
export function innerHtml(el: XElement, unwrapDiv: boolean): string {
  return toHtml(unwrapDiv ? contentNodes(el) : (el.children ?? [])).trim();
}

/** Atom xhtml content is one div whose children are the content proper. */
function contentNodes(el: XElement): XNode[] {
  const children = el.children ?? [];
  let only: XNode | undefined;
  for (const c of children) {
    if (typeof c === 'string' && c.trim() === '') continue;
    if (only !== undefined) return children;
    only = c;
  }
  return typeof only === 'object' && only.local === 'div' ? (only.children ?? []) : children;
}

interface Frame {
  nodes: XNode[];
  next: number;
  close: string;
  raw: boolean;
}

function toHtml(nodes: XNode[]): string {
  let out = '';
  const frames: Frame[] = [{ nodes, next: 0, close: '', raw: false }];
  while (frames.length) {
    const f = frames[frames.length - 1];
    if (f.next === f.nodes.length) {
      out += f.close;
      frames.pop();
      continue;
    }
    const n = f.nodes[f.next++];
    if (typeof n === 'string') {
      out += f.raw ? n : escapeText(n);
      continue;
    }
    out += `<${n.local}${attributes(n.attrs)}>`;
    const close = VOID.has(n.local) ? '' : `</${n.local}>`;
    if (n.children?.length) frames.push({ nodes: n.children, next: 0, close, raw: RAW_TEXT.has(n.local) });
    else out += close;
  }
  return out;
}

function attributes(attrs: Record<string, string>): string {
  let out = '';
  for (const name in attrs) {
    if (isNamespaceDeclaration(name)) continue;
    out += ` ${name}="${escapeAttr(attrs[name])}"`;
  }
  return out;
}

/** Text content with runs of whitespace collapsed (titles given as markup). */
export function collapsedText(el: XElement): string {
  return collapse(textContent(el));
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
