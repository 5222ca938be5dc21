import { buildDocument, type XmlNode } from '../util/xml-writer.ts';
import type { JsonFeed11, JsonFeed11Item } from './json-feed.ts';
import { INDENT, ITEM_DEPTH, JSON_ITEM_INDENT } from './render-item.ts';

// A feed's documents without their items, cut where the items go: a feed is
// then its envelope's head, its items' encoded bytes and the tail, so that an
// item shared by many feeds is rendered once (see render-item.ts).

/** Feed-level data, every string already XML-safe. */
export interface FeedMeta {
  title: string;
  description: string;
  /** The human page for this feed. */
  htmlUrl: string;
  selfUrls: { rss: string; atom: string; json: string };
  language: string;
  /** Never the wall clock, so that the same store gives the same bytes: see feedUpdated. */
  updated: Date;
  /** Feed-level author (the site), so every Atom entry has one even if its own is empty. */
  authorName: string;
  /** The feed's image, if any: a channel feed's source image, else site.icon. */
  image?: string;
  /** WebSub hubs a subscriber may subscribe at (site.websub.hubs); none: no hub links. */
  hubs?: readonly string[];
}

export interface Envelope {
  head: string;
  tail: string;
}

const GENERATOR = { name: 'refeed', uri: 'https://github.com/refeed/refeed' };

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  media: 'http://search.yahoo.com/mrss/',
};

/** Marks where the items go; an element name, so no value can produce it (values are escaped). */
const ITEMS_MARKER = 'refeed-items-here';

function splitAtMarker(xml: string, depth: number): Envelope {
  const marker = `\n${INDENT.repeat(depth)}<${ITEMS_MARKER}/>`;
  const at = xml.lastIndexOf(marker);
  if (at < 0) throw new Error('items marker missing from the feed envelope');
  return { head: xml.slice(0, at), tail: xml.slice(at + marker.length) };
}

/** The element, or nothing when its text would be empty: validators flag blank elements. */
const unlessEmpty = (name: string, text: string): XmlNode => (text ? { [name]: text } : {});

export function rssEnvelope(meta: FeedMeta): Envelope {
  const channel: XmlNode = {
    title: meta.title,
    link: meta.htmlUrl,
    // Required, and a blank one is an error for validators: the title stands in.
    description: meta.description || meta.title,
    lastBuildDate: meta.updated.toUTCString(),
    docs: 'https://validator.w3.org/feed/docs/rss2.html',
    generator: GENERATOR.name,
    ...unlessEmpty('language', meta.language),
    ...(meta.image ? { image: { url: meta.image, title: meta.title, link: meta.htmlUrl } } : {}),
    // WebSub discovery (W3C WebSub 4): the hubs and the self URL, the topic a subscriber names.
    'atom:link': [
      { '@href': meta.selfUrls.rss, '@rel': 'self', '@type': 'application/rss+xml' },
      ...(meta.hubs ?? []).map((hub) => ({ '@href': hub, '@rel': 'hub' })),
    ],
    [ITEMS_MARKER]: '',
  };
  // The complete namespace set whatever the items use, so the envelope does not depend on them.
  const rss: XmlNode = { '@version': '2.0', '@xmlns:atom': NS.atom, '@xmlns:content': NS.content, '@xmlns:dc': NS.dc, '@xmlns:itunes': NS.itunes, '@xmlns:media': NS.media, channel };
  return splitAtMarker(buildDocument({ rss }), ITEM_DEPTH.rss);
}

export function atomEnvelope(meta: FeedMeta): Envelope {
  const feed: XmlNode = {
    '@xmlns': NS.atom,
    '@xmlns:media': NS.media,
    ...(meta.language ? { '@xml:lang': meta.language } : {}),
    id: meta.selfUrls.atom,
    title: meta.title,
    updated: meta.updated.toISOString(),
    generator: { '@uri': GENERATOR.uri, '#text': GENERATOR.name },
    author: { name: meta.authorName },
    link: [
      { '@rel': 'alternate', '@href': meta.htmlUrl, '@type': 'text/html' },
      { '@rel': 'self', '@href': meta.selfUrls.atom, '@type': 'application/atom+xml' },
      ...(meta.hubs ?? []).map((hub) => ({ '@rel': 'hub', '@href': hub })),
    ],
    ...(meta.image ? { icon: meta.image, logo: meta.image } : {}),
    ...unlessEmpty('subtitle', meta.description),
    [ITEMS_MARKER]: '',
  };
  return splitAtMarker(buildDocument({ feed }), ITEM_DEPTH.atom);
}

/** The JSON Feed 1.1 document (keys in a fixed order so output bytes are stable). */
export function jsonEnvelope(meta: FeedMeta, empty: boolean): Envelope {
  const feed = (items: JsonFeed11Item[]): JsonFeed11 => ({
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: meta.htmlUrl,
    feed_url: meta.selfUrls.json,
    description: meta.description,
    ...(meta.image ? { icon: meta.image, favicon: meta.image } : {}),
    ...(meta.language ? { language: meta.language } : {}),
    authors: [{ name: meta.authorName }],
    ...(meta.hubs?.length ? { hubs: meta.hubs.map((url) => ({ type: 'WebSub', url })) } : {}),
    items,
  });
  if (empty) return { head: `${JSON.stringify(feed([]), null, 2)}\n`, tail: '' };
  // One stand-in item (a number: nothing else serializes as a bare 0 at that place), cut out.
  const text = JSON.stringify(feed([0 as unknown as JsonFeed11Item]), null, 2);
  const stand = `${JSON_ITEM_INDENT}0\n  ]\n}`;
  if (!text.endsWith(stand)) throw new Error('unexpected JSON feed envelope');
  return { head: text.slice(0, -stand.length), tail: '\n  ]\n}\n' };
}
