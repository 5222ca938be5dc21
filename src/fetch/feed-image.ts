import { text } from './item-fields.ts';
import { NS } from './namespaces.ts';
import { absolute } from './websub-links.ts';
import { attr, kid, kids, type XElement } from './xml-tree.ts';

// A feed's own image, which a channel feed republishes: only an absolute
// http(s) URL (resolved against the feed's base) counts, since a reader
// fetches it from wherever the republished feed is read.

/** RSS 2.0: <image><url>, else <itunes:image href>. */
export function rssImage(channel: XElement, base: string): string | undefined {
  const image = kid(channel, channel.ns, 'image');
  const url = image ? absolute(text(kids(image, channel.ns, 'url')), base) : undefined;
  return url ?? absolute(attr(kid(channel, NS.itunes, 'image'), 'href'), base);
}

/** Atom: <icon> (square, what readers show beside the feed), else <logo>. */
export function atomImage(feed: XElement, ns: string, base: string): string | undefined {
  return absolute(text(kids(feed, ns, 'icon')), base) ?? absolute(text(kids(feed, ns, 'logo')), base);
}
