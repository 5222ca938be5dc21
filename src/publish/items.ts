import type { ArticleContent, Enclosure, StoredArticle } from '../core/types.ts';
import { isFallbackImage, typeFromUrl } from '../normalize/index.ts';
import { excerpt, xmlSafe } from './text.ts';

/**
 * One entry of a published feed, format-independent, every string XML-safe:
 * the output side, what RSS items, Atom entries and JSON Feed items are
 * encoded from (a source's items are read as RawItem, the input side).
 */
export interface FeedEntry {
  /** Stable across publishes, the same in every format: the article's guid, else its link, else its item key, as `entryId` makes it. */
  id: string;
  /** Whether `id` is a permalink (RSS guid isPermaLink): it is the link, or the source said its http(s) guid is one. */
  idIsLink: boolean;
  title: string;
  link?: string;
  date: Date;
  /** When the source says it last changed (after `date`). */
  updated?: Date;
  author: string;
  /** One per level: group, source, channel. */
  categories: string[];
  /** The item's own categories/tags: after the level categories in RSS and Atom, JSON Feed `tags`. */
  tags: string[];
  /** Plain text: the source's summary, else an excerpt of the body. */
  summary: string;
  /** Full sanitized HTML. */
  html: string;
  /** Absolute http(s) URL of the lead image, when the article has a usable one. */
  image?: string;
  /** Media files (audio, video…), each with a type. */
  enclosures: FeedEnclosure[];
}

/** An enclosure as published: RSS and JSON Feed require a type, so it always has one. */
export interface FeedEnclosure {
  url: string;
  type: string;
  length?: number;
  duration?: number;
}

function httpUrl(s: string | undefined): string | undefined {
  if (!s) return undefined;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const SCRIPT_LIKE = /^(?:javascript|vbscript|data):/i;
// What URL parsers skip or strip before they read the scheme.
// eslint-disable-next-line no-control-regex
const IGNORED_BY_URL_PARSERS = /[\u0000-\u0020\u007f-\u009f]/g;
const IRI = /^[a-z][a-z0-9+.-]*:[^\s]+$/i;

/**
 * The id an item carries in every format (RSS guid, Atom id, JSON Feed id),
 * decided once so that a reader subscribed to two formats sees one item, not
 * two. Atom ids must be IRIs: a guid that is not one (e.g. "12345") becomes a
 * urn, in every format. So does one that reads as a script or data URL: an
 * id is no link, but some readers follow one that looks like a URL when an
 * entry has no link. Any other IRI (http(s) guids and links, tag: URIs) is
 * kept as it is, so ids stay what they were.
 */
export function entryId(raw: string): string {
  const inert = !SCRIPT_LIKE.test(raw.replace(IGNORED_BY_URL_PARSERS, ''));
  return inert && IRI.test(raw) ? raw : `urn:refeed:id:${encodeURIComponent(raw)}`;
}

/** A stored article (row + parsed file) as a feed entry. */
export function toFeedEntry(row: Pick<StoredArticle, 'itemKey'>, a: ArticleContent): FeedEntry {
  const link = a.link ? xmlSafe(a.link) : undefined;
  const guid = a.guid ? xmlSafe(a.guid) : undefined;
  const id = entryId(guid || link || row.itemKey);
  // The source's word on its guid wins; without it, a guid is a permalink exactly when it is the link.
  const permaLink = a.guidIsPermaLink === false ? false : (link !== undefined && id === link) || (a.guidIsPermaLink === true && id === guid && httpUrl(id) === id);
  return {
    id,
    idIsLink: permaLink,
    title: xmlSafe(a.title),
    link,
    date: a.date,
    ...(a.updated && a.updated.getTime() > a.date.getTime() ? { updated: a.updated } : {}),
    author: xmlSafe(a.author),
    categories: a.categories.map(xmlSafe),
    tags: a.tags.map(xmlSafe).filter(Boolean),
    summary: a.summary ? xmlSafe(a.summary) : excerpt(a.html),
    html: xmlSafe(a.html),
    // A placeholder is the theme's, not the article's: never published as the item's image.
    image: isFallbackImage(a.headimg) ? undefined : httpUrl(xmlSafe(a.headimg)),
    enclosures: feedEnclosures(a.enclosures),
  };
}

/** Published enclosures: http(s) only, each once, typed (an unknown type is a generic binary: RSS and JSON Feed require one). */
function feedEnclosures(list: readonly Enclosure[]): FeedEnclosure[] {
  const out: FeedEnclosure[] = [];
  const seen = new Set<string>();
  for (const e of list) {
    const url = httpUrl(xmlSafe(e.url));
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const type = e.type && MEDIA_TYPE.test(e.type) ? e.type : 'application/octet-stream';
    out.push({ url, type, ...(isCount(e.length) ? { length: e.length } : {}), ...(isCount(e.duration) ? { duration: e.duration } : {}) });
  }
  return out;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;
const isCount = (n: number | undefined): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/**
 * The enclosure RSS carries (RSS 2.0 allows one): audio or video first, a
 * podcast's episode; else any other non-image file; else an image.
 */
export function rssEnclosure(item: Pick<FeedEntry, 'enclosures'>): FeedEnclosure | undefined {
  const rank = (e: FeedEnclosure) => (/^(audio|video)\//.test(e.type) ? 0 : e.type.startsWith('image/') ? 2 : 1);
  let best: FeedEnclosure | undefined;
  for (const e of item.enclosures) if (!best || rank(e) < rank(best)) best = e;
  return best;
}

/**
 * Makes ids unique within one feed: two channels may carry items with the same
 * guid (e.g. plain numbers). The later one (in feed order, which is stable)
 * gets its channel key appended as a fragment (so that it stays an IRI), and
 * readers do not merge distinct items.
 */
export function uniqueIds<I extends { id: string }>(entries: readonly { item: I; channelKey: string }[]): I[] {
  const seen = new Set<string>();
  return entries.map(({ item, channelKey }) => {
    if (!seen.has(item.id)) {
      seen.add(item.id);
      return item;
    }
    // An IRI has at most one "#": an id that already has a fragment gets the key added to it.
    const base = `${item.id}${item.id.includes('#') ? '-' : '#'}${channelKey}`;
    let id = base;
    for (let n = 2; seen.has(id); n++) id = `${base}-${n}`;
    seen.add(id);
    return { ...item, id, idIsLink: false } as I;
  });
}

/**
 * Media type of an image from its URL's extension. Image URLs often have none
 * (CDNs, the fallback image service); readers only show an enclosure as a
 * picture when its type is image/*, so unknown ones are declared JPEG, the
 * overwhelmingly common case.
 */
export function imageType(url: string): string {
  const type = typeFromUrl(url);
  return type?.startsWith('image/') ? type : 'image/jpeg';
}
