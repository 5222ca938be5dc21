import { Feed } from 'feed';
import { atomId, imageType, type FeedItem } from './items.ts';
import { childElements, el, firstChild, mapValues, parseXml, rootOf, serializeXml, textOf, type Element } from './xml.ts';
import { toJsonFeed11, type JsonFeedV1 } from './json-feed.ts';
import { htmlText } from './html.ts';

/** Feed-level data, every string already XML-safe. */
export interface FeedMeta {
  title: string;
  description: string;
  /** The human page for this feed. */
  htmlUrl: string;
  selfUrls: { rss: string; atom: string; json: string };
  language: string;
  /** Newest item's date: never the wall clock, so that the same store gives the same bytes. */
  updated: Date;
  /** Feed-level author (the site), so every Atom entry has one even if its own is empty. */
  authorName: string;
}

export interface FeedFiles {
  rss: string;
  atom: string;
  json: string;
}

export const GENERATOR = { name: 'refeed', uri: 'https://github.com/refeed/refeed' };

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
};

/**
 * Opaque placeholders for values. The `feed` package builds the structure,
 * but its serializer mangles some values ("&amp;" in text, "&" and "<" in
 * attributes, repeated "]]>" in CDATA). So it is given placeholders made of
 * characters no escaping touches; its output is parsed back, and the real
 * values are put into the tree, which serializeXml escapes correctly.
 */
class Placeholders {
  private readonly values: string[] = [];
  put(value: string): string {
    this.values.push(value);
    return `\uE000${this.values.length - 1}\uE001`;
  }
  resolve(s: string): string {
    return s.replace(/\uE000(\d+)\uE001/g, (_, i: string) => this.values[Number(i)]);
  }
}

/** Newest item date, or the epoch for an empty feed: deterministic either way. */
export function feedUpdated(items: readonly FeedItem[]): Date {
  return new Date(items.reduce((max, i) => Math.max(max, i.date.getTime()), 0));
}

/** The RSS 2.0, Atom 1.0 and JSON Feed 1.1 files of one feed. Pure: same input, same bytes. */
export function renderFeeds(meta: FeedMeta, items: readonly FeedItem[]): FeedFiles {
  const p = new Placeholders();
  const feed = new Feed({
    title: p.put(meta.title),
    description: p.put(meta.description),
    id: p.put(meta.selfUrls.atom),
    link: p.put(meta.htmlUrl),
    language: p.put(meta.language),
    updated: meta.updated,
    generator: p.put(GENERATOR.name),
    feedLinks: { rss: p.put(meta.selfUrls.rss), atom: p.put(meta.selfUrls.atom), json: p.put(meta.selfUrls.json) },
    author: { name: p.put(meta.authorName) },
  });
  for (const item of items) {
    feed.addItem({
      title: p.put(item.title),
      id: p.put(item.id),
      guid: p.put(item.id),
      link: item.link ? p.put(item.link) : '',
      date: item.date,
      published: item.date,
      description: item.summary ? p.put(item.summary) : undefined,
      content: item.html ? p.put(item.html) : undefined,
      // No author element at all rather than an empty one; Atom readers then use the feed's.
      author: item.author ? [{ name: p.put(item.author) }] : undefined,
      category: item.categories.map((c) => ({ name: p.put(c), term: p.put(c) })),
      // Images are added after parsing: `feed` derives their type from the URL's extension and throws on odd URLs.
    });
  }
  return {
    rss: fixRss(feed.rss2(), p, meta, items),
    atom: fixAtom(feed.atom1(), p, meta, items),
    json: `${JSON.stringify(toJsonFeed11(resolveJson(JSON.parse(feed.json1()), p) as JsonFeedV1, meta, items), null, 2)}\n`,
  };
}

function resolveJson(v: unknown, p: Placeholders): unknown {
  if (typeof v === 'string') return p.resolve(v);
  if (Array.isArray(v)) return v.map((x) => resolveJson(x, p));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveJson(x, p)]));
  return v;
}

function parseResolved(xml: string, p: Placeholders): { doc: Element; root: Element } {
  const doc = parseXml(xml);
  mapValues(doc, (s) => p.resolve(s));
  return { doc, root: rootOf(doc) };
}

function setText(e: Element, value: string): void {
  e.elements = [{ type: 'text', text: value }];
}

function fixRss(xml: string, p: Placeholders, meta: FeedMeta, items: readonly FeedItem[]): string {
  const { doc, root } = parseResolved(xml, p);
  // Fixed, complete namespace set: `feed` declares content/dc only when some item has content.
  root.attributes = { version: '2.0', 'xmlns:atom': NS.atom, 'xmlns:content': NS.content, 'xmlns:dc': NS.dc, 'xmlns:media': NS.media };
  const channel = firstChild(root, 'channel')!;
  const entries = childElements(channel, 'item');
  entries.forEach((entry, i) => {
    const item = items[i];
    const guid = firstChild(entry, 'guid');
    // `feed` marks every explicit guid isPermaLink="false"; it is a permalink exactly when it is the link.
    if (guid) guid.attributes = { isPermaLink: item.idIsLink ? 'true' : 'false' };
    // An RSS description is HTML: the plain-text excerpt is escaped so that "<b>" in it stays text.
    const description = firstChild(entry, 'description');
    if (description && item.summary) setText(description, htmlText(item.summary));
    // RSS <author> must be an e-mail address; a name belongs in dc:creator.
    for (const author of childElements(entry, 'author')) author.name = 'dc:creator';
    if (item.image) {
      entry.elements!.push(el('enclosure', { url: item.image, length: '0', type: imageType(item.image) }));
      entry.elements!.push(el('media:thumbnail', { url: item.image }));
    }
  });
  if (!meta.description) setText(firstChild(channel, 'description')!, meta.title);
  return serializeXml(doc);
}

function fixAtom(xml: string, p: Placeholders, meta: FeedMeta, items: readonly FeedItem[]): string {
  const { doc, root } = parseResolved(xml, p);
  root.attributes = { xmlns: NS.atom, 'xmlns:media': NS.media, 'xml:lang': meta.language };
  for (const link of childElements(root, 'link')) {
    const rel = link.attributes?.rel;
    if (rel === 'self') link.attributes = { ...link.attributes, type: 'application/atom+xml' };
    if (rel === 'alternate') link.attributes = { ...link.attributes, type: 'text/html' };
  }
  const generator = firstChild(root, 'generator');
  if (generator) generator.attributes = { uri: GENERATOR.uri };
  const entries = childElements(root, 'entry');
  entries.forEach((entry, i) => {
    const item = items[i];
    // `feed` declares titles and summaries HTML; ours are plain text.
    for (const name of ['title', 'summary']) {
      const e = firstChild(entry, name);
      if (e) e.attributes = { type: 'text' };
    }
    const id = firstChild(entry, 'id');
    if (id) setText(id, atomId(textOf(id)));
    // A link-less article: `feed` still writes <link href=""/>, which is no link at all.
    entry.elements = entry.elements!.filter((c) => !(c.name === 'link' && !c.attributes?.href));
    for (const category of childElements(entry, 'category')) category.attributes = { term: String(category.attributes?.term ?? '') };
    if (item.image) {
      // Readers take an entry's first link when it has no rel="alternate" one:
      // a link-less entry gets its image only as media:thumbnail, so that the
      // image is never mistaken for the article.
      if (item.link) entry.elements.push(el('link', { rel: 'enclosure', type: imageType(item.image), href: item.image }));
      entry.elements.push(el('media:thumbnail', { url: item.image }));
    }
  });
  return serializeXml(doc);
}
