import { DomUtils, parseDocument } from 'htmlparser2';
import type { FeedFormat } from '../core/types.ts';

// xml2js (inside rss-parser) flattens mixed content: `<p>a <b>b</b> c</p>`
// becomes {_: 'a  c', b: ['b']}, losing the order of text and tags. Inline
// XHTML (Atom type="xhtml", Atom 0.3 mode="xml") and HTML left unescaped in
// RSS descriptions hit that. For those rare fields only, the document is
// parsed a second time with htmlparser2 (order-preserving) and the element's
// children are serialized as HTML.

type Doc = ReturnType<typeof parseDocument>;
type Node = Doc['children'][number];
type Element = Parameters<typeof DomUtils.getAttributeValue>[0];

export class MarkupReader {
  private items?: Element[];
  private feedElement?: Element;

  constructor(
    private readonly xml: string,
    private readonly format: Exclude<FeedFormat, 'json'>,
    /** Prefix of the root element (`atom:` for `<atom:feed>`), stripped from names. */
    private readonly prefix: string = '',
  ) {}

  /** Inner HTML of `item[index] > name`; with `unwrapDiv`, of the XHTML div it wraps (Atom). */
  itemHtml(index: number, name: string, unwrapDiv: boolean): string | undefined {
    const item = this.itemElements()[index];
    const el = item && childNamed(item, this.prefix + name);
    return el ? toHtml(contentNodes(el, unwrapDiv)) : undefined;
  }

  /** Text content of `item[index] > name` (titles given as markup). */
  itemText(index: number, name: string): string | undefined {
    const item = this.itemElements()[index];
    const el = item && childNamed(item, this.prefix + name);
    return el ? collapse(DomUtils.textContent(el)) : undefined;
  }

  /** Text content of the feed's (Atom) or channel's (RSS) child `name`. */
  feedText(name: string): string | undefined {
    this.itemElements();
    const el = this.feedElement && childNamed(this.feedElement, this.prefix + name);
    return el ? collapse(DomUtils.textContent(el)) : undefined;
  }

  /** Item elements in document order, matching rss-parser's item order. */
  private itemElements(): Element[] {
    if (this.items) return this.items;
    const doc = parseDocument(this.xml, { xmlMode: true });
    const root = doc.children.find(DomUtils.isTag);
    this.items = [];
    if (!root) return this.items;
    if (this.format === 'atom') {
      this.feedElement = root;
      this.items = childrenNamed(root, this.prefix + 'entry');
    } else if (this.format === 'rss') {
      this.feedElement = childNamed(root, 'channel');
      this.items = this.feedElement ? childrenNamed(this.feedElement, 'item') : [];
    } else {
      this.feedElement = childNamed(root, 'channel');
      this.items = childrenNamed(root, 'item');
    }
    return this.items;
  }
}

function childrenNamed(el: Element, name: string): Element[] {
  return el.children.filter((c): c is Element => DomUtils.isTag(c) && c.name === name);
}

function childNamed(el: Element, name: string): Element | undefined {
  return el.children.find((c): c is Element => DomUtils.isTag(c) && c.name === name);
}

/** Atom xhtml content is one xhtml:div whose children are the content proper. */
function contentNodes(el: Element, unwrapDiv: boolean): Node[] {
  const significant = el.children.filter((c) => DomUtils.isTag(c) || (DomUtils.isText(c) && c.data.trim() !== ''));
  const only = significant[0];
  if (unwrapDiv && significant.length === 1 && DomUtils.isTag(only) && localName(only.name) === 'div') return only.children;
  return el.children;
}

/** Serializes XHTML nodes as HTML: namespace prefixes, xmlns declarations and CDATA wrappers dropped. */
function toHtml(children: Node[]): string {
  const lists: Node[][] = [children];
  while (lists.length) {
    const list = lists.pop()!;
    for (let i = 0; i < list.length; i++) {
      const node = list[i];
      if (DomUtils.isCDATA(node)) {
        // HTML has no CDATA: its text is plain character data.
        list.splice(i, 1, ...node.children);
        i--;
      } else if (DomUtils.isTag(node)) {
        node.name = localName(node.name);
        for (const a of Object.keys(node.attribs)) if (a === 'xmlns' || a.startsWith('xmlns:')) delete node.attribs[a];
        lists.push(node.children);
      }
    }
  }
  return DomUtils.getOuterHTML(children, { encodeEntities: 'utf8', emptyAttrs: true }).trim();
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

/** Plain text of an HTML fragment (Atom type="html" titles): tags dropped, entities decoded. */
export function htmlToText(html: string): string {
  return collapse(DomUtils.textContent(parseDocument(html)));
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
