import type { StoredArticle } from '../core/types.ts';
import { isFallbackImage, type ParsedArticleFile } from '../normalize/index.ts';
import { excerpt, xmlSafe } from './text.ts';

/** What publishing needs from an article: the file as the normalize stage reads it back. */
export type ArticleContent = ParsedArticleFile;

/** One entry of a published feed, format-independent, every string XML-safe. */
export interface FeedItem {
  /** Stable across publishes, the same in every format: the article's guid, else its link, else its refeed identity, as `entryId` makes it. */
  id: string;
  /** Whether `id` is the link (RSS guid isPermaLink). */
  idIsLink: boolean;
  title: string;
  link?: string;
  date: Date;
  author: string;
  /** One per level: group, source, channel. */
  categories: string[];
  /** Plain-text excerpt. */
  summary: string;
  /** Full sanitized HTML. */
  html: string;
  /** Absolute http(s) URL of the lead image, when the article has a usable one. */
  image?: string;
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
export function toFeedItem(row: Pick<StoredArticle, 'identity'>, a: ArticleContent): FeedItem {
  const link = a.link ? xmlSafe(a.link) : undefined;
  const id = entryId(xmlSafe(a.guid || link || row.identity));
  return {
    id,
    idIsLink: link !== undefined && id === link,
    title: xmlSafe(a.title),
    link,
    date: a.date,
    author: xmlSafe(a.author),
    categories: a.categories.map(xmlSafe),
    summary: excerpt(a.html),
    html: xmlSafe(a.html),
    // A placeholder is the theme's, not the article's: never published as the item's image.
    image: isFallbackImage(a.headimg) ? undefined : httpUrl(xmlSafe(a.headimg)),
  };
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

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
};

/**
 * Media type of an image from its URL's extension. Image URLs often have none
 * (CDNs, the fallback image service); readers only show an enclosure as a
 * picture when its type is image/*, so unknown ones are declared JPEG, the
 * overwhelmingly common case.
 */
export function imageType(url: string): string {
  const ext = new URL(url).pathname.split('.').pop()?.toLowerCase() ?? '';
  return IMAGE_TYPES[ext] ?? 'image/jpeg';
}
