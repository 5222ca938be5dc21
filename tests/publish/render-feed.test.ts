import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArticleContent } from '../../src/core/types.ts';
import { entryId, toFeedEntry, uniqueIds } from '../../src/publish/items.ts';
import { feedUpdated, renderFeeds, type FeedMeta } from '../../src/publish/render-feed.ts';
import { excerpt } from '../../src/publish/text.ts';
import { assertValidAtom, assertWellFormed, jsonFeed11Schema, rssParserItems, sfeedItems, type ClientItem } from '../helpers/feed-clients.ts';
import { atomProblems, rssProblems } from '../helpers/feed-validator.ts';
import { childElements, firstChild, parseXml, rootOf, textOf } from '../helpers/xml-tree.ts';

/** What the caller gives an empty feed as its date (publish: when the feed was first configured). */
const WHEN_EMPTY = new Date('2023-05-06T07:08:09Z');

const meta = (over: Partial<FeedMeta> = {}): FeedMeta => ({
  title: 'refeed · Tech / Hacker News',
  description: 'Tech / Hacker News — test feeds',
  htmlUrl: 'https://feeds.example/#feed-tech--hn',
  selfUrls: { rss: 'https://feeds.example/tech/hn/rss.xml', atom: 'https://feeds.example/tech/hn/atom.xml', json: 'https://feeds.example/tech/hn/feed.json' },
  language: 'zh-CN',
  updated: WHEN_EMPTY,
  authorName: 'refeed',
  ...over,
});

const article = (over: Partial<ArticleContent>): ArticleContent => ({
  title: 'A title',
  categories: ['Tech', 'Hacker News', 'Front page'],
  headimg: 'https://img.example/a.png',
  author: 'Someone',
  date: new Date('2024-03-01T10:00:00Z'),
  html: '<p>Body</p>',
  tags: [],
  enclosures: [],
  ...over,
});

// Titles that break naive XML writers: entities, markup, quotes, CDATA end, CJK, emoji, control characters.
const tricky: ArticleContent[] = [
  article({ title: 'AT&T <b>bold</b> "quoted" \'single\'', link: 'https://news.example/a?x=1&y=2', guid: 'https://news.example/a?x=1&y=2' }),
  article({ title: '产业互联网需要被正名 · 中文标题', link: 'https://news.example/%E4%B8%AD', date: new Date('2024-03-01T09:00:00Z'), author: '人人都是产品经理' }),
  article({ title: 'Literal &amp; entity and ]]> twice ]]> 🎉', link: 'https://news.example/c', guid: 'tag:news.example,2024:c', date: new Date('2024-02-28T00:00:00Z') }),
  article({ title: 'Control\u0001chars\u0008gone\uFFFE', link: 'https://news.example/d', html: '<p>x\u000By</p>', date: new Date('2024-02-27T00:00:00Z') }),
  article({ title: 'No link, numeric guid', guid: '12345', headimg: 'https://img.example/seven', date: new Date('2024-02-26T00:00:00Z') }),
];
const items = tricky.map((a, i) => toFeedEntry({ itemKey: `item-key-${i}` }, a));
const files = renderFeeds(meta({ updated: feedUpdated(items, WHEN_EMPTY) }), items);

const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-render-'));
const save = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

const expected = items.map((i) => ({ title: i.title, link: i.link, date: i.date.getTime() / 1000 }));
const essentials = (list: ClientItem[]) => list.map((i) => ({ title: i.title, link: i.link, date: i.date }));

describe('renderFeeds', () => {
  it('strips XML-invalid characters and keeps everything else', () => {
    expect(items[3].title).toBe('Controlcharsgone');
    expect(items[3].html).toBe('<p>xy</p>');
    for (const text of [files.rss, files.atom, files.json]) expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });

  it('writes well-formed RSS and RFC 4287-valid Atom', () => {
    assertWellFormed(save('rss.xml', files.rss));
    assertValidAtom(save('atom.xml', files.atom));
  });

  it('round-trips titles, links and dates through sfeed and rss-parser (RSS and Atom)', async () => {
    for (const xml of [files.rss, files.atom]) {
      expect(essentials(sfeedItems(xml))).toEqual(expected);
      expect(essentials(await rssParserItems(xml))).toEqual(expected);
    }
  });

  it('gives an item the same id in RSS, Atom and JSON Feed, marking RSS guids as permalinks only when they are the link', async () => {
    // Kept as they are when they are IRIs; the bare number becomes a urn everywhere, since Atom ids must be IRIs.
    const ids = ['https://news.example/a?x=1&y=2', 'https://news.example/%E4%B8%AD', 'tag:news.example,2024:c', 'https://news.example/d', 'urn:refeed:id:12345'];
    for (const xml of [files.rss, files.atom]) {
      expect(sfeedItems(xml).map((i) => i.id)).toEqual(ids);
      expect((await rssParserItems(xml)).map((i) => i.id)).toEqual(ids);
    }
    expect(jsonFeed11Schema.parse(JSON.parse(files.json)).items.map((i) => i.id)).toEqual(ids);
    const channel = firstChild(rootOf(parseXml(files.rss)), 'channel')!;
    const perma = childElements(channel, 'item').map((e) => firstChild(e, 'guid')!.attributes!.isPermaLink);
    expect(perma).toEqual(['true', 'true', 'false', 'true', 'false']);
    expect(entryId('12345')).toBe('urn:refeed:id:12345');
  });

  it('keeps script-like ids inert and makes ids shared by two channels distinct, in every format', () => {
    const hostile = toFeedEntry({ itemKey: 'x' }, article({ guid: ' JaVa\tScRiPt:alert(1)', link: 'https://news.example/j' }));
    expect(hostile.id).toBe(`urn:refeed:id:${encodeURIComponent(' JaVa\tScRiPt:alert(1)')}`);
    expect(hostile.idIsLink).toBe(false);
    const shared = toFeedEntry({ itemKey: 'y' }, article({ guid: '42', link: 'https://news.example/42' }));
    const withFragment = toFeedEntry({ itemKey: 'z' }, article({ guid: 'https://news.example/p#c', link: 'https://news.example/p#c' }));
    const unique = uniqueIds([
      { item: shared, channelKey: 'g/s/one' },
      { item: shared, channelKey: 'g/s/two' },
      { item: withFragment, channelKey: 'g/s/one' },
      { item: withFragment, channelKey: 'g/s/two' },
      { item: hostile, channelKey: 'g/s/one' },
    ]);
    const ids = ['urn:refeed:id:42', 'urn:refeed:id:42#g/s/two', 'https://news.example/p#c', 'https://news.example/p#c-g/s/two', hostile.id];
    expect(unique.map((i) => i.id)).toEqual(ids);
    const out = renderFeeds(meta({ updated: feedUpdated(unique, WHEN_EMPTY) }), unique);
    expect(sfeedItems(out.rss).map((i) => i.id)).toEqual(ids);
    expect(sfeedItems(out.atom).map((i) => i.id)).toEqual(ids);
    expect(JSON.parse(out.json).items.map((i: { id: string }) => i.id)).toEqual(ids);
    // A renamed id is no longer the link: no permalink.
    const perma = childElements(firstChild(rootOf(parseXml(out.rss)), 'channel')!, 'item').map((e) => firstChild(e, 'guid')!.attributes!.isPermaLink);
    expect(perma).toEqual(['false', 'false', 'true', 'false', 'false']);
    expect(rssProblems(out.rss)).toEqual([]);
    expect(atomProblems(out.atom)).toEqual([]);
  });

  it('gives each item author, one category per level and its image', async () => {
    for (const xml of [files.rss, files.atom]) {
      const s = sfeedItems(xml);
      expect(s.map((i) => i.author)).toEqual(items.map((i) => i.author));
      expect(s.map((i) => i.categories)).toEqual(items.map(() => ['Tech', 'Hacker News', 'Front page']));
    }
    expect(sfeedItems(files.rss).map((i) => i.enclosure)).toEqual(items.map((i) => i.image));
    // In Atom a link-less entry has its image as media:thumbnail only (see fixAtom).
    expect(sfeedItems(files.atom).map((i) => i.enclosure)).toEqual(items.map((i) => (i.link ? i.image : undefined)));
    const lastEntry = childElements(rootOf(parseXml(files.atom)), 'entry')[4];
    expect(firstChild(lastEntry, 'media:thumbnail')!.attributes!.url).toBe('https://img.example/seven');
    const p = await rssParserItems(files.rss);
    expect(p.map((i) => i.author)).toEqual(items.map((i) => i.author));
    expect(p.map((i) => i.enclosure)).toEqual(items.map((i) => i.image));
    expect(p[0].categories).toEqual(['Tech', 'Hacker News', 'Front page']);
    // media:thumbnail for readers that use it, and a real image type on enclosures.
    const channel = firstChild(rootOf(parseXml(files.rss)), 'channel')!;
    const first = childElements(channel, 'item')[0];
    expect(firstChild(first, 'media:thumbnail')!.attributes!.url).toBe('https://img.example/a.png');
    expect(firstChild(first, 'enclosure')!.attributes!.type).toBe('image/png');
    expect(firstChild(first, 'dc:creator')).toBeDefined();
    expect(firstChild(first, 'author')).toBeUndefined();
  });

  it('keeps markup, quotes and "]]>" in bodies and category names exact, and writes attribute whitespace as the spaces a reader would see', () => {
    const odd = toFeedEntry({ itemKey: 'odd' }, article({ html: '<p>a ]]> b ]]]]> c & "d"</p>', categories: ['R&D <lab>', 'Tab\there', 'Line\nbreak'], link: 'https://news.example/odd' }));
    const out = renderFeeds(meta({ updated: odd.date }), [odd]);
    assertWellFormed(save('odd.rss.xml', out.rss));
    assertValidAtom(save('odd.atom.xml', out.atom));
    const rssItem = childElements(firstChild(rootOf(parseXml(out.rss)), 'channel')!, 'item')[0];
    expect(textOf(firstChild(rssItem, 'content:encoded')!)).toBe(odd.html);
    expect(childElements(rssItem, 'category').map(textOf)).toEqual(['R&D <lab>', 'Tab\there', 'Line\nbreak']);
    const entry = childElements(rootOf(parseXml(out.atom)), 'entry')[0];
    expect(textOf(firstChild(entry, 'content')!)).toBe(odd.html);
    expect(childElements(entry, 'category').map((c) => c.attributes!.term)).toEqual(['R&D <lab>', 'Tab here', 'Line break']);
  });

  it('carries full HTML as content:encoded / Atom html content and a plain-text summary', () => {
    const channel = firstChild(rootOf(parseXml(files.rss)), 'channel')!;
    const first = childElements(channel, 'item')[0];
    expect(textOf(firstChild(first, 'content:encoded')!)).toBe('<p>Body</p>');
    expect(textOf(firstChild(first, 'description')!)).toBe('Body');
    const entry = childElements(rootOf(parseXml(files.atom)), 'entry')[0];
    expect(firstChild(entry, 'content')!.attributes!.type).toBe('html');
    expect(textOf(firstChild(entry, 'content')!)).toBe('<p>Body</p>');
    expect(firstChild(entry, 'summary')!.attributes!.type).toBe('text');
    expect(firstChild(entry, 'title')!.attributes!.type).toBe('text');
  });

  it('links the feed to itself (Atom rel=self, RSS atom:link) and dates it by its newest item', () => {
    const atom = rootOf(parseXml(files.atom));
    const links = childElements(atom, 'link').map((l) => l.attributes);
    expect(links).toContainEqual(expect.objectContaining({ rel: 'self', href: 'https://feeds.example/tech/hn/atom.xml' }));
    expect(atom.attributes!['xml:lang']).toBe('zh-CN');
    expect(textOf(firstChild(atom, 'updated')!)).toBe('2024-03-01T10:00:00.000Z');
    expect(textOf(firstChild(atom, 'title')!)).toBe('refeed · Tech / Hacker News');
    const channel = firstChild(rootOf(parseXml(files.rss)), 'channel')!;
    expect(firstChild(channel, 'atom:link')!.attributes).toMatchObject({ rel: 'self', href: 'https://feeds.example/tech/hn/rss.xml' });
    expect(textOf(firstChild(channel, 'lastBuildDate')!)).toBe('Fri, 01 Mar 2024 10:00:00 GMT');
    expect(textOf(firstChild(channel, 'language')!)).toBe('zh-CN');
  });

  it('writes JSON Feed 1.1', () => {
    const json = jsonFeed11Schema.parse(JSON.parse(files.json));
    expect(json.language).toBe('zh-CN');
    expect(json.feed_url).toBe('https://feeds.example/tech/hn/feed.json');
    expect(json.items.map((i) => i.title)).toEqual(items.map((i) => i.title));
    expect(json.items.map((i) => i.id)).toEqual(['https://news.example/a?x=1&y=2', 'https://news.example/%E4%B8%AD', 'tag:news.example,2024:c', 'https://news.example/d', 'urn:refeed:id:12345']);
    expect(json.items[1].authors).toEqual([{ name: '人人都是产品经理' }]);
    expect(json.items[0].image).toBe('https://img.example/a.png');
    expect(json.items[0].tags).toEqual(['Tech', 'Hacker News', 'Front page']);
    expect(JSON.parse(files.json)).not.toHaveProperty('author');
  });

  it('is deterministic and valid for an empty feed, which carries the date it is given, never 1970', () => {
    const again = renderFeeds(meta({ updated: feedUpdated(items, WHEN_EMPTY) }), items);
    expect(again).toEqual(files);
    expect(feedUpdated([], WHEN_EMPTY)).toEqual(WHEN_EMPTY);
    const empty = renderFeeds(meta({ updated: feedUpdated([], WHEN_EMPTY) }), []);
    expect(renderFeeds(meta({ updated: feedUpdated([], WHEN_EMPTY) }), [])).toEqual(empty);
    assertValidAtom(save('empty.xml', empty.atom));
    assertWellFormed(save('empty-rss.xml', empty.rss));
    expect(textOf(firstChild(rootOf(parseXml(empty.atom)), 'updated')!)).toBe('2023-05-06T07:08:09.000Z');
    expect(textOf(firstChild(firstChild(rootOf(parseXml(empty.rss)), 'channel')!, 'lastBuildDate')!)).toBe('Sat, 06 May 2023 07:08:09 GMT');
    for (const text of [empty.rss, empty.atom, empty.json]) expect(text).not.toMatch(/1970/);
    expect(rssProblems(empty.rss)).toEqual([]);
    expect(atomProblems(empty.atom)).toEqual([]);
    expect(jsonFeed11Schema.parse(JSON.parse(empty.json)).items).toEqual([]);
  });
});

describe('W3C Feed Validator rules', () => {
  it('RSS: channel title/link/description, RFC 822 dates, atom:link rel="self" with type, consistent guids, no empty elements', () => {
    expect(rssProblems(files.rss)).toEqual([]);
  });

  it('Atom: feed id/title/updated/author, typed self and alternate links, entries with IRI ids, RFC 3339 dates, content or an alternate link', () => {
    expect(atomProblems(files.atom)).toEqual([]);
  });

  it('never publishes a placeholder headimg as the item\'s image, in any format', () => {
    const placeholders = [
      'https://picsum.photos/400/300?random=7#refeed-fallback',
      'https://img.example/placeholder/{n}.png#refeed-fallback'.replace('{n}', '12'),
      // What refeed 0.1 wrote from the seed's template, before placeholders were marked.
      'https://picsum.photos/400/300?random=123',
    ];
    const entries = placeholders.map((headimg, i) => toFeedEntry({ itemKey: `p-${i}` }, article({ headimg, link: `https://news.example/p${i}` })));
    expect(entries.map((e) => e.image)).toEqual([undefined, undefined, undefined]);
    const out = renderFeeds(meta({ updated: WHEN_EMPTY }), entries);
    for (const xml of [out.rss, out.atom]) {
      expect(xml).not.toMatch(/enclosure|media:thumbnail|picsum|placeholder/);
    }
    expect(out.json).not.toMatch(/"image"|picsum/);
    expect(rssProblems(out.rss)).toEqual([]);
    // A real image is still published.
    expect(toFeedEntry({ itemKey: 'r' }, article({ headimg: 'https://picsum.photos/id/5/400/300' })).image).toBe('https://picsum.photos/id/5/400/300');
  });

  it('an article without a description leaves out the elements it would leave empty', () => {
    const bare = meta({ description: '', updated: WHEN_EMPTY });
    const linkless = toFeedEntry({ itemKey: 'bare-1' }, article({ html: '', author: '', headimg: undefined, guid: 'tag:news.example,2024:bare' }));
    const out = renderFeeds(bare, [linkless]);
    expect(rssProblems(out.rss)).toEqual([]);
    expect(atomProblems(out.atom)).toEqual([]);
    assertValidAtom(save('bare.atom.xml', out.atom));
    // RSS requires a description: the title stands in. Atom's subtitle is optional: left out.
    expect(textOf(firstChild(firstChild(rootOf(parseXml(out.rss)), 'channel')!, 'description')!)).toBe(bare.title);
    expect(firstChild(rootOf(parseXml(out.atom)), 'subtitle')).toBeUndefined();
    // A link-less, body-less entry still has content (RFC 4287 4.1.1): its title, as text.
    const entry = childElements(rootOf(parseXml(out.atom)), 'entry')[0];
    expect(firstChild(entry, 'content')!.attributes).toEqual({ type: 'text' });
    expect(textOf(firstChild(entry, 'content')!)).toBe('A title');
  });

  it('the checks catch what they are for', () => {
    const broken = files.rss
      .replace(/<lastBuildDate>[^<]*/, '<lastBuildDate>Thu, 01 Jan 1970 00:00:00 GMT')
      .replace('<guid isPermaLink="false">urn:refeed:id:12345</guid>', '<guid>12345</guid><comments></comments>');
    expect(rssProblems(broken)).toEqual([
      'channel/lastBuildDate: implausible date "Thu, 01 Jan 1970 00:00:00 GMT"',
      'item[4]/guid: "12345" must be a full URL, unless isPermaLink="false"',
      'item[4]/guid: isPermaLink="true" but the guid is not the link',
      'rss/channel/item/comments: empty element',
    ]);
    const badAtom = files.atom.replace('<id>urn:refeed:id:12345</id>', '<id>12345</id>').replace(/<subtitle>[^<]*<\/subtitle>/, '<subtitle></subtitle>');
    expect(atomProblems(badAtom)).toEqual(['entry[4]/id: "12345" is not an IRI', 'feed/subtitle: empty element']);
  });
});

describe('item helpers', () => {
  it('makes a plain-text excerpt without cutting characters in half', () => {
    expect(excerpt('<p>Hello&nbsp;<b>world</b></p><p>again</p><script>x()</script>')).toBe('Hello world again');
    const cjk = excerpt(`<p>${'中'.repeat(500)}</p>`, 100);
    expect(Array.from(cjk)).toHaveLength(100);
    expect(cjk.endsWith('…')).toBe(true);
    const words = excerpt(`<p>${'word '.repeat(100)}</p>`, 50);
    expect(words).toMatch(/^(word )+word…$/);
  });

  it('disambiguates ids shared by two channels in one feed', () => {
    const a = toFeedEntry({ itemKey: 'x' }, article({ guid: '42' }));
    const ids = uniqueIds([
      { item: a, channelKey: 'g/s/one' },
      { item: a, channelKey: 'g/s/two' },
    ]).map((i) => i.id);
    expect(ids).toEqual(['urn:refeed:id:42', 'urn:refeed:id:42#g/s/two']);
  });
});
