import type { ParsedFeed, RawItem } from '../core/types.ts';
import type { FeedReader } from './feed-reader.ts';
import { channelHead } from './feed-reader.ts';
import { xmlBase } from './item-fields.ts';
import { NS } from './namespaces.ts';
import { rssItem } from './rss-item.ts';
import type { EndKind } from './xml-stream.ts';
import type { XElement } from './xml-tree.ts';

/** Namespaces RSS 1.0 and 0.90 elements come in (some feeds leave them out). */
const RSS_NAMESPACES = new Set<string>([NS.rss10, NS.rss090, NS.none]);

/**
 * RSS 1.0 and 0.90 (RDF): <rdf:RDF><channel/><item/>…</rdf:RDF>, the items
 * siblings of the channel rather than inside it.
 */
export class RdfReader implements FeedReader {
  dropped?: string;
  private root?: XElement;
  private rootBase?: string;
  private channel?: XElement;
  private inChannel = false;
  private readonly fields: XElement[] = [];
  private readonly items: RawItem[] = [];

  constructor(private readonly docUrl: string) {}

  open(el: XElement, depth: number): boolean {
    if (depth === 0) {
      this.root = el;
      this.rootBase = xmlBase(el, undefined, this.docUrl);
      return false;
    }
    if (depth === 1) {
      if (!this.channel && isRss(el, 'channel')) {
        this.channel = el;
        this.inChannel = true;
      }
      return isRss(el, 'item');
    }
    return depth === 2 && this.inChannel;
  }

  close(el: XElement, how: EndKind, depth: number): void {
    if (el === this.channel) this.inChannel = false;
    else if (depth === 2 && this.inChannel) this.fields.push(el);
    else if (depth === 1 && isRss(el, 'item')) {
      if (how === 'eof') this.dropped = el.name;
      else this.items.push(rssItem(el, el.ns, this.rootBase, this.docUrl));
    }
  }

  finish(): ParsedFeed {
    const { channel, title, link } = channelHead(this.channel, this.fields, this.root?.name ?? 'rdf:RDF');
    const base = xmlBase(channel, this.rootBase, this.docUrl);
    return { format: 'rdf', ...(title ? { title } : {}), ...(link ? { link } : {}), ...(base ? { base } : {}), items: this.items };
  }
}

function isRss(el: XElement, local: string): boolean {
  return el.local === local && RSS_NAMESPACES.has(el.ns);
}
