import type { RawItem } from '../core/types.ts';
import { contentHtml, mediaDescription, rssHtml, titleText } from './content.ts';
import {
  alternateLink,
  type DateElement,
  firstDate,
  images,
  linksWithRel,
  mediaContents,
  mediaEnclosures,
  personNames,
  rawItem,
  text,
  unique,
  uniqueEnclosures,
  withEpisodeDuration,
  xmlBase,
} from './item-fields.ts';
import { durationSeconds } from './media-values.ts';
import { NS } from './namespaces.ts';
import { resolveUrl } from './url.ts';
import { attr, kid, kids, ownText, type XElement } from './xml-tree.ts';

/** An entry mapped, but for the author fallbacks that need the whole feed (see AtomReader). */
export interface AtomEntry {
  item: RawItem;
  /** dc:creator: the author when neither the entry nor the feed names one. */
  dcCreator?: string;
}

const DATES = new Map<string, DateElement[]>();

function atomDates(ns: string): DateElement[] {
  let order = DATES.get(ns);
  if (!order) {
    order = [[ns, 'published'], [ns, 'issued'], [ns, 'updated'], [ns, 'modified'], [ns, 'created'], [NS.dc, 'date']];
    if (DATES.size < 16) DATES.set(ns, order); // bounded: a document names its own namespaces
  }
  return order;
}

/** An Atom 0.3/1.0 <entry> as a RawItem; `ns` is the feed's Atom namespace. */
export function atomEntry(el: XElement, ns: string, parentBase: string | undefined, docUrl: string): AtomEntry {
  const own = (local: string) => kids(el, ns, local);
  const entryBase = xmlBase(el, parentBase, docUrl);
  const contentEl = kid(el, ns, 'content');
  const content = contentHtml(contentEl);
  const summaryHtml = contentHtml(kid(el, ns, 'summary'));
  const html = content ?? summaryHtml ?? rssHtml(kid(el, NS.content, 'encoded')) ?? mediaDescription(el);
  const summary = summaryHtml !== undefined && summaryHtml !== html ? summaryHtml : undefined;
  const links = own('link');
  // An unreadable date gives way to the next (an invalid <published> beside a valid <updated>).
  const date = firstDate(el, atomDates(ns));
  const categories = unique(own('category').map((n) => attr(n, 'term') ?? attr(n, 'label') ?? ownText(n)?.trim()));
  const media = mediaContents(el);
  const enclosures = withEpisodeDuration(
    uniqueEnclosures([...linksWithRel(links, 'enclosure'), ...mediaEnclosures(media)]),
    durationSeconds(text(kids(el, NS.itunes, 'duration'))),
  );
  // xml:base on <content> is what its relative URLs resolve against, and so
  // becomes the item's base: a relative link is resolved here, against the
  // entry's own base, which is the one that applies to it.
  const contentBase = content !== undefined ? xmlBase(contentEl, entryBase, docUrl) : entryBase;
  let link = alternateLink(links);
  if (link !== undefined && contentBase !== entryBase) link = resolveUrl(link, entryBase ?? docUrl) ?? link;
  const item = rawItem({
    guid: text(own('id')),
    link,
    title: titleText(kid(el, ns, 'title'), true),
    author: personNames(own('author')),
    date,
    updated: text(own('updated')) ?? text(own('modified')),
    html,
    summary,
    base: contentBase,
    enclosures,
    images: images(el, media, enclosures),
    categories,
  });
  const dcCreator = text(kids(el, NS.dc, 'creator'));
  return { item, ...(dcCreator ? { dcCreator } : {}) };
}
