import { buildFragment, cdata, type XmlNode } from '../util/xml-writer.ts';
import { htmlText } from './html.ts';
import { imageType, rssEnclosure, type FeedEntry } from './items.ts';
import type { JsonFeed11Item } from './json-feed.ts';

// One item in each format, rendered once and reused by every feed that
// carries it. Items are the bulk of every published feed (tens of thousands
// per full publish), so each is one unindented line, spliced into its feeds'
// envelopes as bytes (see feed-envelope.ts).

/** Where items sit in their feed: rss > channel > item, feed > entry, in the documents' 2-space indentation. */
export const ITEM_DEPTH = { rss: 2, atom: 1 } as const;
export const INDENT = '  ';
/** Depth of an item object in a JSON feed (root > items > item), in JSON.stringify's 2-space indentation. */
export const JSON_ITEM_INDENT = '\n    ';

function rssItem(item: FeedEntry): XmlNode {
  const x: XmlNode = { title: cdata(item.title) };
  if (item.link) x.link = item.link;
  // isPermaLink: when it is the link, or the source said so (see toFeedEntry).
  x.guid = { '@isPermaLink': item.idIsLink ? 'true' : 'false', '#text': item.id };
  x.pubDate = item.date.toUTCString();
  // An RSS description is HTML: the plain-text excerpt is escaped so that "<b>" in it stays text.
  if (item.summary) x.description = htmlText(item.summary);
  if (item.html) x['content:encoded'] = cdata(item.html);
  // RSS <author> must be an e-mail address; a name belongs in dc:creator.
  if (item.author) x['dc:creator'] = item.author;
  // The three levels, then the item's own categories.
  if (item.categories.length || item.tags.length) x.category = [...item.categories, ...item.tags];
  const enclosure = rssEnclosure(item);
  // RSS requires length: 0 says it is unknown.
  if (enclosure) x.enclosure = { '@url': enclosure.url, '@length': String(enclosure.length ?? 0), '@type': enclosure.type };
  else if (item.image) x.enclosure = { '@url': item.image, '@length': '0', '@type': imageType(item.image) };
  // In seconds, as Apple recommends; podcast apps show it before the download.
  if (enclosure?.duration) x['itunes:duration'] = String(enclosure.duration);
  if (item.image) x['media:thumbnail'] = { '@url': item.image };
  return { item: x };
}

function atomEntry(item: FeedEntry): XmlNode {
  const iso = item.date.toISOString();
  // Titles and summaries are plain text.
  const x: XmlNode = { title: { '@type': 'text', ...cdata(item.title) }, id: item.id };
  const links: XmlNode[] = [];
  // A link-less article gets no <link> at all.
  if (item.link) links.push({ '@href': item.link });
  // Every media file the source enclosed, link-less entries too: a podcast episode is its audio.
  for (const e of item.enclosures) {
    links.push({ '@rel': 'enclosure', '@type': e.type, '@href': e.url, ...(e.length ? { '@length': String(e.length) } : {}) });
  }
  // Readers take an entry's first link when it has no rel="alternate" one:
  // a link-less entry gets its image only as media:thumbnail, so that the
  // image is never mistaken for the article.
  if (item.link && item.image && !item.enclosures.some((e) => e.url === item.image)) {
    links.push({ '@rel': 'enclosure', '@type': imageType(item.image), '@href': item.image });
  }
  if (links.length) x.link = links;
  x.updated = (item.updated ?? item.date).toISOString();
  if (item.summary) x.summary = { '@type': 'text', ...cdata(item.summary) };
  if (item.html) x.content = { '@type': 'html', ...cdata(item.html) };
  // RFC 4287 4.1.1: an entry with no alternate link must have content; a body-less one shows its title.
  else if (!item.link) x.content = { '@type': 'text', ...cdata(item.title) };
  // No author element at all rather than an empty one; Atom readers then use the feed's.
  if (item.author) x.author = { name: item.author };
  if (item.categories.length || item.tags.length) x.category = [...item.categories, ...item.tags].map((c) => ({ '@term': c }));
  x.published = iso;
  if (item.image) x['media:thumbnail'] = { '@url': item.image };
  return { entry: x };
}

/** The JSON Feed 1.1 item (keys in a fixed order so output bytes are stable). */
function jsonItem(item: FeedEntry): JsonFeed11Item {
  const date = item.date.toISOString();
  return {
    id: item.id,
    url: item.link || undefined,
    title: item.title,
    // 1.1 requires content_html or content_text: an empty body is still a (empty) body.
    // The summary is plain text (it may read like markup once decoded): escaped, never taken as HTML.
    content_html: item.html || (item.summary ? htmlText(item.summary) : ''),
    summary: item.summary && item.html ? item.summary : undefined,
    image: item.image,
    date_published: date,
    date_modified: item.updated ? item.updated.toISOString() : date,
    authors: item.author ? [{ name: item.author }] : undefined,
    tags: [...item.categories, ...item.tags],
    attachments: item.enclosures.length
      ? item.enclosures.map((e) => ({ url: e.url, mime_type: e.type, size_in_bytes: e.length, duration_in_seconds: e.duration }))
      : undefined,
  };
}

/** An item element as it sits `depth` levels deep in its feed: on a line of its own, indented. */
function fragmentAt(node: XmlNode, depth: number): string {
  return `\n${INDENT.repeat(depth)}${buildFragment(node)}`;
}

/** An item's three fragments as UTF-8, ready to be spliced into every feed that carries it. */
export interface EncodedItem {
  rss: Buffer;
  atom: Buffer;
  /** The JSON item as JSON.stringify indents it inside a feed's `items` array. */
  json: Buffer;
}

/** An item in the three formats, encoded once: a shared item is then copied, not re-encoded, into each feed. Pure: same item, same bytes. */
export function encodeItem(item: FeedEntry): EncodedItem {
  const rss = fragmentAt(rssItem(item), ITEM_DEPTH.rss);
  const atom = fragmentAt(atomEntry(item), ITEM_DEPTH.atom);
  // JSON.stringify escapes every newline inside strings, so each raw newline is indentation and can be deepened.
  const json = JSON.stringify(jsonItem(item), null, 2).replaceAll('\n', JSON_ITEM_INDENT);
  // One allocation for the three: per-buffer allocation was a measurable share
  // of a full publish. Never from Buffer's shared pool, so that a render
  // worker can transfer it to the main thread instead of copying it.
  const sizes = [Buffer.byteLength(rss), Buffer.byteLength(atom), Buffer.byteLength(json)];
  const all = Buffer.allocUnsafeSlow(sizes[0] + sizes[1] + sizes[2]);
  all.write(rss, 0);
  all.write(atom, sizes[0]);
  all.write(json, sizes[0] + sizes[1]);
  return { rss: all.subarray(0, sizes[0]), atom: all.subarray(sizes[0], sizes[0] + sizes[1]), json: all.subarray(sizes[0] + sizes[1]) };
}
