import { Feed } from 'feed';
import { atomId, imageType, type FeedItem } from './items.ts';
import { childElements, el, firstChild, mapValues, parseXml, rootOf, serializeXml, type Element } from './xml.ts';
import { attrValue, buildFragment, cdata, type XmlNode } from './xml-fragment.ts';
import type { JsonFeed11, JsonFeed11Item } from './json-feed.ts';
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

const GENERATOR = { name: 'refeed', uri: 'https://github.com/refeed/refeed' };

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

/** Newest item date, or for an empty feed `whenEmpty` (a stable, plausible date: when its channels were first configured). */
export function feedUpdated(items: readonly FeedItem[], whenEmpty: Date): Date {
  return items.length ? new Date(items.reduce((max, i) => Math.max(max, i.date.getTime()), 0)) : whenEmpty;
}

/**
 * One item in each format, rendered once and reused by every feed that
 * carries it: RSS `<item>` and Atom `<entry>` serialized by xml-js (indented
 * for their place in the feed), and the JSON Feed 1.1 item object.
 */
interface RenderedItem {
  rss: string;
  atom: string;
  json: JsonFeed11Item;
}

/** What `feed`'s rss2() writes for an item, with fixRss's corrections applied. */
function rssItem(item: FeedItem): XmlNode {
  const x: XmlNode = { title: cdata(item.title) };
  if (item.link) x.link = item.link;
  // A guid is a permalink exactly when it is the link.
  x.guid = { '@isPermaLink': item.idIsLink ? 'true' : 'false', '#text': item.id };
  x.pubDate = item.date.toUTCString();
  // An RSS description is HTML: the plain-text excerpt is escaped so that "<b>" in it stays text.
  if (item.summary) x.description = htmlText(item.summary);
  if (item.html) x['content:encoded'] = cdata(item.html);
  // RSS <author> must be an e-mail address; a name belongs in dc:creator.
  if (item.author) x['dc:creator'] = item.author;
  if (item.categories.length) x.category = [...item.categories];
  if (item.image) {
    x.enclosure = { '@url': item.image, '@length': '0', '@type': imageType(item.image) };
    x['media:thumbnail'] = { '@url': item.image };
  }
  return { item: x };
}

/** What `feed`'s atom1() writes for an entry, with fixAtom's corrections applied. */
function atomEntry(item: FeedItem): XmlNode {
  const iso = item.date.toISOString();
  // Titles and summaries are plain text (`feed` would declare them HTML).
  const x: XmlNode = { title: { '@type': 'text', ...cdata(item.title) }, id: atomId(item.id) };
  const links: XmlNode[] = [];
  // A link-less article gets no <link> at all.
  if (item.link) links.push({ '@href': item.link });
  // Readers take an entry's first link when it has no rel="alternate" one:
  // a link-less entry gets its image only as media:thumbnail, so that the
  // image is never mistaken for the article.
  if (item.link && item.image) links.push({ '@rel': 'enclosure', '@type': imageType(item.image), '@href': item.image });
  if (links.length) x.link = links;
  x.updated = iso;
  if (item.summary) x.summary = { '@type': 'text', ...cdata(item.summary) };
  if (item.html) x.content = { '@type': 'html', ...cdata(item.html) };
  // No author element at all rather than an empty one; Atom readers then use the feed's.
  if (item.author) x.author = { name: item.author };
  if (item.categories.length) x.category = item.categories.map((c) => ({ '@term': attrValue(c) }));
  x.published = iso;
  if (item.image) x['media:thumbnail'] = { '@url': item.image };
  return { entry: x };
}

/** The JSON Feed 1.1 item (keys in a fixed order so output bytes are stable). */
function jsonItem(item: FeedItem): JsonFeed11Item {
  const date = item.date.toISOString();
  return {
    id: item.id,
    url: item.link || undefined,
    title: item.title,
    // 1.1 requires content_html or content_text: an empty body is still a (empty) body.
    content_html: item.html || item.summary || '',
    summary: item.summary && item.html ? item.summary : undefined,
    image: item.image,
    date_published: date,
    date_modified: date,
    authors: item.author ? [{ name: item.author }] : undefined,
    tags: [...item.categories],
  };
}

// Items sit at a fixed depth in their feed: rss > channel > item, feed > entry.
const RSS_ITEM_DEPTH = 2;
const ATOM_ENTRY_DEPTH = 1;
const INDENT = '  ';

/** An item element as it sits `depth` levels deep in its feed: on a line of its own, indented. */
function fragmentAt(node: XmlNode, depth: number): string {
  return `\n${INDENT.repeat(depth)}${buildFragment(node)}`;
}

/** An item in the three formats. Pure: same item, same bytes. */
function renderItem(item: FeedItem): RenderedItem {
  return { rss: fragmentAt(rssItem(item), RSS_ITEM_DEPTH), atom: fragmentAt(atomEntry(item), ATOM_ENTRY_DEPTH), json: jsonItem(item) };
}

/** An item's three fragments as UTF-8, ready to be spliced into every feed that carries it. */
export interface EncodedItem {
  rss: Buffer;
  atom: Buffer;
  /** The JSON item as JSON.stringify indents it inside a feed's `items` array. */
  json: Buffer;
}

/** Depth of an item object in a JSON feed (root > items > item), in JSON.stringify's 2-space indentation. */
const JSON_ITEM_INDENT = '\n    ';

/** `renderItem`, encoded once: a shared item is then copied, not re-encoded, into each feed. */
export function encodeItem(item: FeedItem): EncodedItem {
  const r = renderItem(item);
  // JSON.stringify escapes every newline inside strings, so each raw newline is indentation and can be deepened.
  const json = JSON.stringify(r.json, null, 2).replaceAll('\n', JSON_ITEM_INDENT);
  // One allocation for the three: per-buffer allocation was a measurable share
  // of a full publish. Never from Buffer's shared pool, so that a render
  // worker can transfer it to the main thread instead of copying it.
  const sizes = [Buffer.byteLength(r.rss), Buffer.byteLength(r.atom), Buffer.byteLength(json)];
  const all = Buffer.allocUnsafeSlow(sizes[0] + sizes[1] + sizes[2]);
  all.write(r.rss, 0);
  all.write(r.atom, sizes[0]);
  all.write(json, sizes[0] + sizes[1]);
  return { rss: all.subarray(0, sizes[0]), atom: all.subarray(sizes[0], sizes[0] + sizes[1]), json: all.subarray(sizes[0] + sizes[1]) };
}

/** Marks where the items go in an envelope; no value can produce it (values are escaped). */
const ITEMS_MARKER = 'refeed-items-here';

/** A feed document without its items, cut where they go. */
interface Envelope {
  head: string;
  tail: string;
}

function splitAtMarker(xml: string, depth: number): Envelope {
  const marker = `\n${INDENT.repeat(depth)}<${ITEMS_MARKER}/>`;
  const at = xml.lastIndexOf(marker);
  if (at < 0) throw new Error('items marker missing from the feed envelope');
  return { head: xml.slice(0, at), tail: xml.slice(at + marker.length) };
}

/** The RSS and Atom documents of a feed, without items, built by `feed` and corrected. */
function xmlEnvelopes(meta: FeedMeta): { rss: Envelope; atom: Envelope } {
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
  return { rss: splitAtMarker(rssEnvelope(feed.rss2(), p, meta), RSS_ITEM_DEPTH), atom: splitAtMarker(atomEnvelope(feed.atom1(), p, meta), ATOM_ENTRY_DEPTH) };
}

/** The JSON Feed 1.1 document without items, cut where they go (keys in a fixed order so output bytes are stable). */
function jsonEnvelope(meta: FeedMeta, empty: boolean): Envelope {
  const feed = (items: JsonFeed11Item[]): JsonFeed11 => ({
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: meta.htmlUrl,
    feed_url: meta.selfUrls.json,
    description: meta.description,
    language: meta.language,
    authors: [{ name: meta.authorName }],
    items,
  });
  if (empty) return { head: `${JSON.stringify(feed([]), null, 2)}\n`, tail: '' };
  // One stand-in item (a number: nothing else serializes as a bare 0 at that place), cut out.
  const text = JSON.stringify(feed([0 as unknown as JsonFeed11Item]), null, 2);
  const stand = `${JSON_ITEM_INDENT}0\n  ]\n}`;
  if (!text.endsWith(stand)) throw new Error('unexpected JSON feed envelope');
  return { head: text.slice(0, -stand.length), tail: '\n  ]\n}\n' };
}

/** The RSS 2.0, Atom 1.0 and JSON Feed 1.1 files of a feed from its encoded items, as UTF-8. Pure: same input, same bytes. */
export function assembleFeedBuffers(meta: FeedMeta, items: readonly EncodedItem[]): Record<keyof FeedFiles, Buffer> {
  const env = xmlEnvelopes(meta);
  const json = jsonEnvelope(meta, items.length === 0);
  const join = (e: Envelope, parts: Buffer[]) => Buffer.concat([Buffer.from(e.head), ...parts, Buffer.from(e.tail)]);
  const comma = Buffer.from(',');
  const indent = Buffer.from(JSON_ITEM_INDENT);
  return {
    rss: join(env.rss, items.map((i) => i.rss)),
    atom: join(env.atom, items.map((i) => i.atom)),
    json: join(json, items.flatMap((i, n) => (n ? [comma, indent, i.json] : [indent, i.json]))),
  };
}

/** The RSS 2.0, Atom 1.0 and JSON Feed 1.1 files of one feed. Pure: same input, same bytes. */
export function renderFeeds(meta: FeedMeta, items: readonly FeedItem[]): FeedFiles {
  const b = assembleFeedBuffers(meta, items.map(encodeItem));
  return { rss: b.rss.toString('utf8'), atom: b.atom.toString('utf8'), json: b.json.toString('utf8') };
}

function parseResolved(xml: string, p: Placeholders): { doc: Element; root: Element } {
  const doc = parseXml(xml);
  mapValues(doc, (s) => p.resolve(s));
  return { doc, root: rootOf(doc) };
}

function setText(e: Element, value: string): void {
  e.elements = [{ type: 'text', text: value }];
}

function rssEnvelope(xml: string, p: Placeholders, meta: FeedMeta): string {
  const { doc, root } = parseResolved(xml, p);
  // Fixed, complete namespace set: `feed` declares content/dc only when some item has content.
  root.attributes = { version: '2.0', 'xmlns:atom': NS.atom, 'xmlns:content': NS.content, 'xmlns:dc': NS.dc, 'xmlns:media': NS.media };
  const channel = firstChild(root, 'channel')!;
  if (!meta.description) setText(firstChild(channel, 'description')!, meta.title);
  channel.elements = [...(channel.elements ?? []), el(ITEMS_MARKER)];
  return serializeXml(doc);
}

function atomEnvelope(xml: string, p: Placeholders, meta: FeedMeta): string {
  const { doc, root } = parseResolved(xml, p);
  root.attributes = { xmlns: NS.atom, 'xmlns:media': NS.media, 'xml:lang': meta.language };
  for (const link of childElements(root, 'link')) {
    const rel = link.attributes?.rel;
    if (rel === 'self') link.attributes = { ...link.attributes, type: 'application/atom+xml' };
    if (rel === 'alternate') link.attributes = { ...link.attributes, type: 'text/html' };
  }
  const generator = firstChild(root, 'generator');
  if (generator) generator.attributes = { uri: GENERATOR.uri };
  root.elements = [...(root.elements ?? []), el(ITEMS_MARKER)];
  return serializeXml(doc);
}
