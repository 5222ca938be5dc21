import type { StoredArticle } from '../core/types.ts';
import type { ParsedArticleFile } from '../normalize/index.ts';
import { excerpt, xmlSafe } from './text.ts';

/** What publishing needs from an article: the file as the normalize stage reads it back. */
export type ArticleContent = ParsedArticleFile;

/** One entry of a published feed, format-independent, every string XML-safe. */
export interface FeedItem {
  /** Stable across publishes: the article's guid, else its link, else its refeed identity. */
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

/**
 * An id is no link, but some readers follow one that looks like a URL when an
 * entry has no link: a guid (or identity) that a URL parser reads as a
 * script or data URL is written as an opaque urn instead.
 */
function inertId(id: string): string {
  // eslint-disable-next-line no-control-regex
  return /^(?:javascript|vbscript|data):/i.test(id.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')) ? `urn:refeed:id:${encodeURIComponent(id)}` : id;
}

/** A stored article (row + parsed file) as a feed entry. */
export function toFeedItem(row: Pick<StoredArticle, 'identity'>, a: ArticleContent): FeedItem {
  const link = a.link ? xmlSafe(a.link) : undefined;
  const id = inertId(xmlSafe(a.guid || link || row.identity));
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
    image: httpUrl(xmlSafe(a.headimg)),
  };
}

/**
 * Makes ids unique within one feed: two channels may carry items with the same
 * guid (e.g. plain numbers). The later one (in feed order, which is stable)
 * gets its channel key appended, so readers do not merge distinct items.
 */
export function uniqueIds<T extends { item: FeedItem; channelKey: string }>(entries: T[]): FeedItem[] {
  const seen = new Set<string>();
  return entries.map(({ item, channelKey }) => {
    if (!seen.has(item.id)) {
      seen.add(item.id);
      return item;
    }
    let id = `${item.id}#${channelKey}`;
    for (let n = 2; seen.has(id); n++) id = `${item.id}#${channelKey}-${n}`;
    seen.add(id);
    return { ...item, id, idIsLink: false };
  });
}

/** Atom ids must be IRIs: a guid that is not one (e.g. "12345") becomes a urn. */
export function atomId(id: string): string {
  return /^[a-z][a-z0-9+.-]*:[^\s]+$/i.test(id) ? id : `urn:refeed:id:${encodeURIComponent(id)}`;
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
