import type { ParsedFeed, RawItem } from '../core/types.ts';
import type { FeedReader } from './feed-reader.ts';
import { channelHead } from './feed-reader.ts';
import { xmlBase } from './item-fields.ts';
import { NS } from './namespaces.ts';
import { rssItem } from './rss-item.ts';
import type { EndKind } from './xml-stream.ts';
import type { XElement } from './xml-tree.ts';

/**
 * RSS 0.9x and 2.0: <rss><channel>…<item/>…</channel></rss>. The channel's
 * children are kept as small trees (title, link…); each <item> is mapped as
 * soon as it closes, so only one item's tree exists at a time.
 */
export class RssReader implements FeedReader {
  dropped?: string;
  private root?: XElement;
  /** Namespace of the feed's own elements: none, or one a feed declared as default. */
  private core: string = NS.none;
  private channel?: XElement;
  private inChannel = false;
  private channelBase?: string;
  private readonly fields: XElement[] = [];
  private readonly items: RawItem[] = [];

  constructor(private readonly docUrl: string) {}

  open(el: XElement, depth: number): boolean {
    if (depth === 0) {
      this.root = el;
      this.core = el.ns;
    } else if (depth === 1 && !this.channel && this.isCore(el, 'channel')) {
      this.channel = el;
      this.inChannel = true;
      this.channelBase = xmlBase(el, xmlBase(this.root, undefined, this.docUrl), this.docUrl);
    }
    return depth === 2 && this.inChannel;
  }

  close(el: XElement, how: EndKind, depth: number): void {
    if (el === this.channel) this.inChannel = false;
    if (depth !== 2 || !this.inChannel) return;
    if (!this.isCore(el, 'item')) this.fields.push(el);
    else if (how === 'eof') this.dropped = el.name;
    else this.items.push(rssItem(el, el.ns, this.channelBase, this.docUrl));
  }

  finish(): ParsedFeed {
    const { title, link } = channelHead(this.channel, this.fields, this.root?.name ?? 'rss');
    return {
      format: 'rss',
      ...(title ? { title } : {}),
      ...(link ? { link } : {}),
      ...(this.channelBase ? { base: this.channelBase } : {}),
      items: this.items,
    };
  }

  private isCore(el: XElement, local: string): boolean {
    return el.local === local && (el.ns === this.core || el.ns === NS.none);
  }
}
