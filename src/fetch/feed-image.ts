import { text } from './item-fields.ts';
import { NS } from './namespaces.ts';
import { absolute } from './websub-links.ts';
import { attr, kid, kids, type XElement } from './xml-tree.ts';

// A feed's own image, which a channel feed republishes: only an absolute
// http(s) URL (resolved against the feed's base) counts, since a reader
// fetches it from wherever the republished feed is read. A URL longer than
// browsers take is no image: it would be stored and republished as is.

const MAX_URL = 2048;
const bounded = (url: string | undefined) => (url && url.length <= MAX_URL ? url : undefined);

/** RSS 2.0: <image><url>, else <itunes:image href>. */
export function rssImage(channel: XElement, base: string): string | undefined {
  const image = kid(channel, channel.ns, 'image');
  const url = image ? bounded(absolute(text(kids(image, channel.ns, 'url')), base)) : undefined;
  return url ?? bounded(absolute(attr(kid(channel, NS.itunes, 'image'), 'href'), base));
}

/** Atom: <icon> (square, what readers show beside the feed), else <logo>. */
export function atomImage(feed: XElement, ns: string, base: string): string | undefined {
  return bounded(absolute(text(kids(feed, ns, 'icon')), base)) ?? bounded(absolute(text(kids(feed, ns, 'logo')), base));
}

/** JSON Feed: `icon`, else `favicon` (already absolute http(s) or undefined). */
export function jsonImage(icon: string | undefined, favicon: string | undefined): string | undefined {
  return bounded(icon) ?? bounded(favicon);
}
