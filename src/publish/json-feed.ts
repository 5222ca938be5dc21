import type { FeedItem } from './items.ts';

/** What `feed`'s json1() emits (JSON Feed version 1). */
export interface JsonFeedV1 {
  version: string;
  title: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  author?: { name?: string; url?: string };
  items: {
    id: string;
    url?: string;
    title?: string;
    content_html?: string;
    summary?: string;
    date_modified?: string;
    date_published?: string;
    author?: { name?: string; url?: string };
    tags?: string[];
  }[];
}

export interface JsonFeed11Author {
  name: string;
}

export interface JsonFeed11Item {
  id: string;
  url?: string;
  title?: string;
  content_html: string;
  summary?: string;
  image?: string;
  date_published?: string;
  date_modified?: string;
  authors?: JsonFeed11Author[];
  tags?: string[];
}

export interface JsonFeed11 {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  language: string;
  authors: JsonFeed11Author[];
  items: JsonFeed11Item[];
}

const authorsOf = (a: { name?: string } | undefined): JsonFeed11Author[] | undefined => (a?.name ? [{ name: a.name }] : undefined);

/**
 * Turns `feed`'s JSON Feed 1 object into JSON Feed 1.1: the 1.1 version URL,
 * `authors` arrays instead of the deprecated `author`, `language`, and the
 * item image. Items pair with `items` by position (feed keeps their order).
 * Keys are written in a fixed order so output bytes are stable.
 */
export function toJsonFeed11(v1: JsonFeedV1, meta: { language: string; authorName: string }, items: readonly FeedItem[]): JsonFeed11 {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: v1.title,
    home_page_url: v1.home_page_url,
    feed_url: v1.feed_url,
    description: v1.description,
    language: meta.language,
    authors: authorsOf(v1.author) ?? [{ name: meta.authorName }],
    items: v1.items.map((it, i) => ({
      id: it.id,
      url: it.url,
      title: it.title,
      // 1.1 requires content_html or content_text: an empty body is still a (empty) body.
      content_html: it.content_html ?? '',
      summary: it.summary,
      image: items[i]?.image,
      date_published: it.date_published,
      date_modified: it.date_modified,
      authors: authorsOf(it.author),
      tags: it.tags,
    })),
  };
}
