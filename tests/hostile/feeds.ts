import { readFileSync } from 'node:fs';
import path from 'node:path';
import { js2xml } from 'xml-js';

// Fixture feeds built with xml-js (never string templates), and the static
// hostile fixtures under tests/fixtures/hostile/.

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/hostile');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

export interface FeedItemSpec {
  /** Left out of RSS items when absent; Atom and JSON Feed need one. */
  guid?: string;
  title: string;
  link?: string;
  date?: Date;
  html?: string;
  author?: string;
  image?: string;
}

/** An RSS 2.0 document. `encoding` only names the declaration; the caller encodes the bytes. */
export function rss(title: string, items: FeedItemSpec[], opts: { encoding?: string; link?: string } = {}): string {
  return js2xml(
    {
      _declaration: { _attributes: { version: '1.0', encoding: opts.encoding ?? 'utf-8' } },
      rss: {
        _attributes: { version: '2.0', 'xmlns:content': 'http://purl.org/rss/1.0/modules/content/', 'xmlns:dc': 'http://purl.org/dc/elements/1.1/' },
        channel: {
          title: { _text: title },
          link: { _text: opts.link ?? 'https://upstream.example/' },
          description: { _text: `${title} fixture` },
          item: items.map((it) => ({
            title: { _text: it.title },
            ...(it.link ? { link: { _text: it.link } } : {}),
            ...(it.guid !== undefined ? { guid: { _attributes: { isPermaLink: 'false' }, _text: it.guid } } : {}),
            ...(it.date ? { pubDate: { _text: it.date.toUTCString() } } : {}),
            ...(it.author ? { 'dc:creator': { _text: it.author } } : {}),
            ...(it.image ? { enclosure: { _attributes: { url: it.image, type: 'image/jpeg', length: '0' } } } : {}),
            ...(it.html !== undefined ? { 'content:encoded': { _text: it.html } } : {}),
          })),
        },
      },
    },
    { compact: true },
  );
}

/** An Atom 1.0 document with HTML content. */
export function atom(title: string, items: FeedItemSpec[]): string {
  return js2xml(
    {
      _declaration: { _attributes: { version: '1.0', encoding: 'utf-8' } },
      feed: {
        _attributes: { xmlns: 'http://www.w3.org/2005/Atom' },
        title: { _text: title },
        id: { _text: `urn:upstream:${title}` },
        updated: { _text: '2024-05-01T00:00:00Z' },
        link: { _attributes: { href: 'https://upstream.example/atom/' } },
        entry: items.map((it) => ({
          title: { _attributes: { type: 'text' }, _text: it.title },
          id: { _text: it.guid ?? '' },
          ...(it.link ? { link: { _attributes: { rel: 'alternate', href: it.link } } } : {}),
          ...(it.date ? { updated: { _text: it.date.toISOString() } } : {}),
          ...(it.author ? { author: { name: { _text: it.author } } } : {}),
          ...(it.html !== undefined ? { content: { _attributes: { type: 'html' }, _text: it.html } } : {}),
        })),
      },
    },
    { compact: true },
  );
}

/** A JSON Feed 1.1 document. */
export function jsonFeed(title: string, items: FeedItemSpec[]): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title,
    home_page_url: 'https://upstream.example/json/',
    items: items.map((it) => ({
      id: it.guid ?? '',
      title: it.title,
      ...(it.link ? { url: it.link } : {}),
      ...(it.date ? { date_published: it.date.toISOString() } : {}),
      ...(it.author ? { authors: [{ name: it.author }] } : {}),
      ...(it.image ? { image: it.image } : {}),
      ...(it.html !== undefined ? { content_html: it.html } : {}),
    })),
  });
}
