import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xml2js, type Element as XmlElement } from 'xml-js';
import type { RawItem, ResolvedChannel } from '../../src/core/types.ts';
import { createChannelNormalizer, parseArticle } from '../../src/normalize/index.ts';
import { feedUpdated, renderFeeds, toFeedEntry, uniqueIds, xmlSafe, type FeedMeta } from '../../src/publish/index.ts';
import { settings } from '../normalize/helpers.ts';
import { PAYLOAD_ALPHABET } from './payloads.ts';
import { articleFindings, jsonFeedFindings, xmlFindings } from './scan.ts';

// Issue 5, property tests at the feed level (tests/normalize already covers
// the normalizer alone: it never throws on arbitrary items, titles and
// authors round-trip through the front matter, sanitized HTML is inert).
// Here arbitrary items go the whole way an item goes — normalize, article
// file, read back, feed entry, RSS/Atom/JSON — and the published documents
// are checked as a reader would parse them.

const CHANNEL: ResolvedChannel = {
  key: 'prop/src/chan',
  url: 'https://upstream.example/feed.xml',
  group: { name: 'Prop', slug: 'prop' },
  source: { name: 'Source', slug: 'src' },
  channel: { name: 'Chan', slug: 'chan' },
  settings: settings({ author: 'item' }),
  configPath: 'groups[0].sources[0].channels[0]',
};

const META: Omit<FeedMeta, 'updated'> = {
  title: 'Prop · Source · Chan',
  description: 'property feed',
  htmlUrl: 'https://feeds.example/#prop',
  selfUrls: { rss: 'https://feeds.example/prop/rss.xml', atom: 'https://feeds.example/prop/atom.xml', json: 'https://feeds.example/prop/feed.json' },
  language: 'en',
  authorName: 'refeed',
};

const NOW = new Date('2024-06-01T00:00:00Z');

/** A random soup of attack fragments. */
const soup = fc.array(fc.constantFrom(...PAYLOAD_ALPHABET), { maxLength: 40 }).map((parts) => parts.join(''));
/** Any string, including control characters, lone surrogates and line breaks. */
const anyText = fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 80 }));

const hostileItem: fc.Arbitrary<RawItem> = fc.record({
  guid: fc.option(fc.oneof(soup, fc.uuid(), fc.webUrl()), { nil: undefined }),
  link: fc.option(fc.oneof(fc.webUrl(), soup, fc.constantFrom('javascript:alert(1)', ' JaVa\tScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>')), { nil: undefined }),
  title: fc.option(anyText, { nil: undefined }),
  author: fc.option(anyText, { nil: undefined }),
  date: fc.option(fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toUTCString()), { nil: undefined }),
  html: fc.option(soup, { nil: undefined }),
  summary: fc.option(soup, { nil: undefined }),
  enclosures: fc.array(fc.record({ url: fc.oneof(fc.webUrl(), soup), type: fc.constantFrom('image/png', 'text/html', 'audio/mpeg') }), { maxLength: 2 }),
  images: fc.array(fc.oneof(fc.webUrl(), soup), { maxLength: 2 }),
  categories: fc.array(soup, { maxLength: 2 }),
});

/** Items → article files → parsed back → the three feed documents, as publish builds them. */
function publishItems(items: RawItem[]) {
  const files: string[] = [];
  // One normalizer for the whole feed, as a channel pass uses it.
  const normalizer = createChannelNormalizer(CHANNEL, { fallbackImage: 'https://picsum.photos/400/300?random={n}' });
  const entries = items.map((item, i) => {
    const { article, text } = normalizer.normalize(item, {
      feed: { format: 'rss', items },
      feedUrl: CHANNEL.url,
      firstSeen: new Date(NOW.getTime() - i * 1000),
      now: NOW,
    });
    files.push(text);
    return { item: toFeedEntry({ itemKey: article.itemKey }, parseArticle(text)), channelKey: CHANNEL.key };
  });
  const feedItems = uniqueIds(entries);
  return { files, feedItems, feeds: renderFeeds({ ...META, updated: feedUpdated(feedItems, NOW) }, feedItems) };
}

/** The text of every `name` element inside a `container` element (an item's title, guid, id). */
function textsOf(xml: string, container: string, name = 'title'): string[] {
  const out: string[] = [];
  const walk = (e: XmlElement, inside: boolean) => {
    if (inside && e.name === name) out.push((e.elements ?? []).map((c) => String(c.text ?? c.cdata ?? '')).join(''));
    for (const c of e.elements ?? []) walk(c, inside || e.name === container);
  };
  walk(xml2js(xml, { compact: false }) as XmlElement, false);
  return out;
}

describe('feed-level properties', () => {
  it('no article or published feed carries an executable construct, whatever the items hold', () => {
    fc.assert(
      fc.property(fc.array(hostileItem, { minLength: 1, maxLength: 5 }), (items) => {
        const { files, feeds } = publishItems(items);
        for (const f of files) expect(articleFindings(f)).toEqual([]);
        expect(xmlFindings(feeds.rss)).toEqual([]);
        expect(xmlFindings(feeds.atom)).toEqual([]);
        expect(jsonFeedFindings(feeds.json)).toEqual([]);
      }),
      { numRuns: 250 },
    );
  });

  it('any title reaches every feed format as the same text the article file holds', () => {
    fc.assert(
      fc.property(fc.array(hostileItem, { minLength: 1, maxLength: 4 }), (items) => {
        const { feedItems, feeds } = publishItems(items);
        const want = feedItems.map((i) => i.title);
        expect(want.every((t) => t === xmlSafe(t) && t.trim() !== '')).toBe(true);
        expect(textsOf(feeds.rss, 'item')).toEqual(want);
        expect(textsOf(feeds.atom, 'entry')).toEqual(want);
        expect(JSON.parse(feeds.json).items.map((i: { title: string }) => i.title)).toEqual(want);
      }),
      { numRuns: 250 },
    );
  });

  it('an item has one id in every format: RSS guid, Atom id (an IRI) and JSON Feed id, distinct within the feed', () => {
    fc.assert(
      fc.property(fc.array(hostileItem, { minLength: 1, maxLength: 4 }), (items) => {
        const { feedItems, feeds } = publishItems(items);
        const want = feedItems.map((i) => i.id);
        expect(new Set(want).size).toBe(want.length);
        for (const id of want) expect(id).toMatch(/^[a-z][a-z0-9+.-]*:\S+$/i);
        expect(textsOf(feeds.rss, 'item', 'guid')).toEqual(want);
        expect(textsOf(feeds.atom, 'entry', 'id')).toEqual(want);
        expect(JSON.parse(feeds.json).items.map((i: { id: string }) => i.id)).toEqual(want);
      }),
      { numRuns: 250 },
    );
  });
});
