import type { ParsedFeed, RawItem } from '../core/types.ts';
import { plainTitle } from './content.ts';
import { FeedParseError } from './errors.ts';
import { rssImage } from './feed-image.ts';
import type { FeedReader } from './feed-reader.ts';
import { withChildren } from './feed-reader.ts';
import { alternateLink, text, xmlBase } from './item-fields.ts';
import { NS } from './namespaces.ts';
import { rssItem } from './rss-item.ts';
import { webSubLinks } from './websub-links.ts';
import type { EndKind } from './xml-stream.ts';
import { kids, type XElement } from './xml-tree.ts';

/** Namespaces RSS 1.0 and 0.90 elements come in (some feeds leave them out). */
const RDF_CORE: ReadonlySet<string> = new Set([NS.rss10, NS.rss090, NS.none]);

/**
 * RSS in both its layouts, which differ only in where the items are:
 *  - 0.9x and 2.0 (`rss`): <rss><channel>…<item/>…</channel></rss>;
 *  - 1.0 and 0.90 (`rdf`): <rdf:RDF><channel/><item/>…</rdf:RDF>, the items
 *    siblings of the channel, so under the root's xml:base, not the channel's.
 * The channel's children are kept as small trees (title, link…); each <item>
 * is mapped as soon as it closes, so only one item's tree exists at a time.
 */
export class RssReader implements FeedReader {
  dropped?: string;
  readonly oddities: string[] = [];
  private root?: XElement;
  private rootBase?: string;
  /** Namespaces of the feed's own elements; for 2.0, none or a default one the feed declared. */
  private core: ReadonlySet<string> = RDF_CORE;
  private channel?: XElement;
  private inChannel = false;
  /** The xml:base in effect on the channel: the feed's base. */
  private channelBase?: string;
  private readonly fields: XElement[] = [];
  private readonly items: RawItem[] = [];

  constructor(
    private readonly docUrl: string,
    private readonly format: 'rss' | 'rdf',
  ) {}

  open(el: XElement, depth: number): boolean {
    if (depth === 0) {
      this.root = el;
      this.rootBase = xmlBase(el, undefined, this.docUrl);
      if (this.format === 'rss') this.core = new Set([el.ns, NS.none]);
      return false;
    }
    if (depth === 1) {
      if (!this.channel && this.isCore(el, 'channel')) {
        this.channel = el;
        this.inChannel = true;
        this.channelBase = xmlBase(el, this.rootBase, this.docUrl);
      }
      // RSS 1.0's items are the channel's siblings; a 2.0 item there is out of place but meant.
      return this.isCore(el, 'item');
    }
    return depth === 2 && this.inChannel;
  }

  close(el: XElement, how: EndKind, depth: number): void {
    if (el === this.channel) {
      this.inChannel = false;
      return;
    }
    const field = depth === 2 && this.inChannel;
    const rss = this.format === 'rss';
    if ((field || depth === 1) && this.isCore(el, 'item')) {
      if (how === 'eof') this.dropped = el.name;
      else {
        if (rss !== field) this.misplaced(field ? `RSS 1.0 <${el.name}> elements inside <channel> (they belong beside it)` : `<${el.name}> elements outside <channel>`);
        this.items.push(rssItem(el, el.ns, field ? this.channelBase : this.rootBase, this.docUrl));
      }
    } else if (field) this.fields.push(el);
  }

  /** Title (or dc:title) and alternate link (or atom:link) of the channel; a missing channel is no feed, unless items are there. */
  finish(): ParsedFeed {
    const channel = withChildren(this.channel, this.fields);
    const rootName = this.root?.name ?? this.format;
    if (!channel) {
      if (this.items.length === 0) throw new FeedParseError('parse', `malformed feed: <${rootName}> without a <channel>`);
      // The one oddity there is to say: the items' own place follows from it.
      this.oddities.splice(0, this.oddities.length, `<${rootName}> has no <channel>: its items were read without the channel's title and link`);
      return { format: this.format, ...(this.rootBase ? { base: this.rootBase } : {}), items: this.items };
    }
    const title = plainTitle(text(kids(channel, channel.ns, 'title')) ?? text(kids(channel, NS.dc, 'title')));
    const link = alternateLink(kids(channel, channel.ns, 'link')) ?? alternateLink(kids(channel, NS.atom, 'link'));
    const base = this.channelBase;
    const { hubs, self } = webSubLinks(kids(channel, NS.atom, 'link'), base ?? this.docUrl);
    const image = rssImage(channel, base ?? this.docUrl);
    return {
      format: this.format,
      ...(title ? { title } : {}),
      ...(link ? { link } : {}),
      ...(base ? { base } : {}),
      ...(hubs.length ? { hubs } : {}),
      ...(self ? { self } : {}),
      ...(image ? { image } : {}),
      items: this.items,
    };
  }

  /** Notes items out of their usual place, once per kind. */
  private misplaced(what: string): void {
    const note = `${what}: read as the feed's items`;
    if (!this.oddities.includes(note)) this.oddities.push(note);
  }

  private isCore(el: XElement, local: string): boolean {
    return el.local === local && this.core.has(el.ns);
  }
}
