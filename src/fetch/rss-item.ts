import type { RawItem } from '../core/types.ts';
import { contentHtml, looksLikeHtml, mediaDescription, plainTitle, rssHtml } from './content.ts';
import {
  alternateLink,
  firstDate,
  type DateElement,
  images,
  linksWithRel,
  mediaContents,
  mediaEnclosures,
  nonBlank,
  personNames,
  rawItem,
  text,
  unique,
  uniqueEnclosures,
  withEpisodeDuration,
  xmlBase,
} from './item-fields.ts';
import { byteLength, durationSeconds } from './media-values.ts';
import { NS } from './namespaces.ts';
import { textToHtml } from './text-html.ts';
import { collapsedText } from './xhtml.ts';
import { attr, attrNS, hasElements, kid, kids, ownText, type XElement } from './xml-tree.ts';

const DATES = new Map<string, DateElement[]>();

/** Publication dates first, then modification dates; an unreadable one gives way to the next. */
function rssDates(core: string): DateElement[] {
  let order = DATES.get(core);
  if (!order) {
    order = [
      [core, 'pubDate'],
      [NS.dc, 'date'],
      [NS.dcterms, 'issued'],
      [NS.atom, 'published'],
      [core, 'published'],
      [NS.dcterms, 'created'],
      [NS.dcterms, 'modified'],
      [NS.atom, 'updated'],
      [core, 'updated'],
    ];
    if (DATES.size < 16) DATES.set(core, order); // bounded: a document names its own namespaces
  }
  return order;
}

/**
 * An RSS 0.9x/1.0/2.0 <item> as a RawItem. `core` is the namespace the
 * feed's own elements are in ('' for RSS 2.0, RSS 1.0's for RDF);
 * `parentBase` the xml:base in effect around the item.
 */
export function rssItem(el: XElement, core: string, parentBase: string | undefined, docUrl: string): RawItem {
  const own = (local: string) => kids(el, core, local);
  const encoded = rssHtml(kid(el, NS.content, 'encoded'));
  const description = rssHtml(kid(el, core, 'description'));
  // Some RSS feeds carry a bare <content>; untyped, it holds HTML there.
  const atomContent = contentHtml(kid(el, core, 'content'), 'html');
  const html = encoded ?? atomContent ?? description ?? mediaDescription(el) ?? itunesSummary(el);
  const summary = description !== undefined && description !== html ? description : undefined;

  const titles = own('title');
  // A podcast item may have only its itunes:title.
  const title = hasElements(titles[0]) ? nonBlank(collapsedText(titles[0])) : plainTitle(text(titles) ?? text(kids(el, NS.dc, 'title')) ?? text(kids(el, NS.itunes, 'title')));
  const guid = text(own('guid'));
  const isPermaLink = guid ? attr(kid(el, core, 'guid'), 'isPermaLink')?.trim().toLowerCase() : undefined;
  // RSS 2.0's default is true: only "false" says the guid is not the item's URL.
  const guidIsPermaLink = isPermaLink === undefined ? undefined : isPermaLink !== 'false';
  // RSS 2.0: a guid is a permalink unless isPermaLink="false".
  const permalink = guid && /^https?:\/\//i.test(guid) && guidIsPermaLink !== false ? guid : undefined;
  const atomLinks = kids(el, NS.atom, 'link');
  const link = alternateLink(own('link')) ?? alternateLink(atomLinks) ?? permalink ?? attrNS(el, NS.rdf, 'about');
  // atom:author (a10:author from .NET's SyndicationFeed) is a person construct.
  const author = text(kids(el, NS.dc, 'creator')) ?? personNames(own('author')) ?? personNames(kids(el, NS.atom, 'author')) ?? text(kids(el, NS.itunes, 'author'));
  const date = firstDate(el, rssDates(core));
  const categories = unique([...own('category'), ...kids(el, NS.dc, 'subject')].map((n) => ownText(n)?.trim()));
  const media = mediaContents(el);
  const enclosures = withEpisodeDuration(
    uniqueEnclosures([
      ...own('enclosure').map((n) => ({ url: attr(n, 'url'), type: attr(n, 'type'), length: byteLength(attr(n, 'length')) })),
      ...linksWithRel(atomLinks, 'enclosure'),
      ...mediaEnclosures(media),
    ]),
    durationSeconds(text(kids(el, NS.itunes, 'duration'))),
  );
  return rawItem({
    guid,
    guidIsPermaLink,
    link,
    title,
    author,
    date,
    html,
    summary,
    base: xmlBase(el, parentBase, docUrl),
    enclosures,
    images: images(el, media, enclosures),
    categories,
  });
}

/** A podcast episode's itunes:summary, the body of an item with nothing richer: plain text per Apple, though some feeds put HTML in it. */
function itunesSummary(item: XElement): string | undefined {
  const value = text(kids(item, NS.itunes, 'summary'));
  if (value === undefined) return undefined;
  return looksLikeHtml(value) ? value : textToHtml(value);
}
