import type { ParsedFeed, RawItem } from '../core/types.ts';
import { atomEntry } from './atom-entry.ts';
import { titleText } from './content.ts';
import { atomImage } from './feed-image.ts';
import { webSubLinks } from './websub-links.ts';
import type { FeedReader } from './feed-reader.ts';
import { withChildren } from './feed-reader.ts';
import { alternateLink, personNames, xmlBase } from './item-fields.ts';
import type { EndKind } from './xml-stream.ts';
import { kid, kids, type XElement } from './xml-tree.ts';

/**
 * Atom 1.0 and 0.3: <feed>…<entry/>…</feed>, under whatever prefix and
 * namespace the root uses (`<atom:feed>` included). Each entry is mapped as
 * it closes; the feed's own author, which may come after the entries, is
 * filled in at the end.
 */
export class AtomReader implements FeedReader {
  dropped?: string;
  readonly oddities: string[] = [];
  private root?: XElement;
  /** The Atom namespace of this document (1.0's, 0.3's, or none). */
  private ns = '';
  private base?: string;
  private readonly fields: XElement[] = [];
  private readonly items: RawItem[] = [];
  /** Entries without an author of their own, with their dc:creator. */
  private readonly authorless: { item: RawItem; dcCreator?: string }[] = [];

  constructor(private readonly docUrl: string) {}

  open(el: XElement, depth: number): boolean {
    if (depth === 0) {
      this.root = el;
      this.ns = el.ns;
      this.base = xmlBase(el, undefined, this.docUrl);
    }
    return depth === 1;
  }

  close(el: XElement, how: EndKind, depth: number): void {
    if (depth !== 1) return;
    // Some generators write RSS's <item> for Atom's <entry>: the intent is plain.
    const asItem = el.local === 'item' && el.ns === this.ns;
    if ((el.local !== 'entry' || el.ns !== this.ns) && !asItem) this.fields.push(el);
    else if (how === 'eof') this.dropped = el.name;
    else {
      const note = `Atom <${el.name}> elements instead of <entry>: read as entries`;
      if (asItem && !this.oddities.includes(note)) this.oddities.push(note);
      const { item, dcCreator } = atomEntry(el, this.ns, this.base, this.docUrl);
      if (item.author === undefined) this.authorless.push({ item, dcCreator });
      this.items.push(item);
    }
  }

  finish(): ParsedFeed {
    const feed = withChildren(this.root, this.fields);
    const feedAuthor = personNames(kids(feed, this.ns, 'author'));
    for (const { item, dcCreator } of this.authorless) {
      const author = feedAuthor ?? dcCreator;
      if (author) item.author = author;
    }
    const title = titleText(kid(feed, this.ns, 'title'), true);
    const link = alternateLink(kids(feed, this.ns, 'link'));
    const { hubs, self } = webSubLinks(kids(feed, this.ns, 'link'), this.base ?? this.docUrl);
    const image = feed ? atomImage(feed, this.ns, this.base ?? this.docUrl) : undefined;
    return {
      format: 'atom',
      ...(title ? { title } : {}),
      ...(link ? { link } : {}),
      ...(this.base ? { base: this.base } : {}),
      ...(hubs.length ? { hubs } : {}),
      ...(self ? { self } : {}),
      ...(image ? { image } : {}),
      items: this.items,
    };
  }
}
