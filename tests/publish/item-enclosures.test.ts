import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { ArticleContent } from '../../src/core/types.ts';
import { toFeedEntry } from '../../src/publish/items.ts';
import { renderFeeds, type FeedMeta } from '../../src/publish/render-feed.ts';
import { jsonFeed11Schema } from '../helpers/feed-clients.ts';

// One item's enclosures, tags and dates in each format (the end-to-end check
// with real clients is enclosures.test.ts).

const meta: FeedMeta = {
  title: 'refeed',
  description: 'test',
  htmlUrl: 'https://feeds.example/',
  selfUrls: { rss: 'https://feeds.example/rss.xml', atom: 'https://feeds.example/atom.xml', json: 'https://feeds.example/feed.json' },
  language: 'en',
  updated: new Date('2024-03-01T10:00:00Z'),
  authorName: 'refeed',
};

const article = (over: Partial<ArticleContent>): ArticleContent => ({
  title: 'Episode',
  categories: ['Podcasts', 'Show', 'Episodes'],
  headimg: 'https://img.example/cover.png',
  author: 'Host',
  date: new Date('2024-03-01T10:00:00Z'),
  html: '<p>Notes</p>',
  tags: [],
  enclosures: [],
  ...over,
});

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => ['item', 'entry', 'link', 'category', 'enclosure'].includes(n) });
const render = (a: ArticleContent) => {
  const files = renderFeeds(meta, [toFeedEntry({ itemKey: 'id-1' }, a)]);
  return {
    rss: xml.parse(files.rss).rss.channel.item[0] as Record<string, unknown>,
    atom: xml.parse(files.atom).feed.entry[0] as Record<string, unknown> & { link?: Record<string, string>[] },
    json: jsonFeed11Schema.parse(JSON.parse(files.json)).items[0],
  };
};

const IMAGE = { url: 'https://cdn.example/art.jpg', type: 'image/jpeg', length: 2048 };
const AUDIO = { url: 'https://cdn.example/ep.mp3', type: 'audio/mpeg', length: 8727310, duration: 1024 };
const PDF = { url: 'https://cdn.example/notes.pdf', type: 'application/pdf', length: 100 };

describe('RSS: one enclosure', () => {
  it('prefers audio or video over any other file, and any other file over an image', () => {
    expect(render(article({ enclosures: [IMAGE, PDF, AUDIO] })).rss.enclosure).toEqual([{ '@url': AUDIO.url, '@length': '8727310', '@type': 'audio/mpeg' }]);
    expect(render(article({ enclosures: [IMAGE, PDF] })).rss.enclosure).toEqual([{ '@url': PDF.url, '@length': '100', '@type': 'application/pdf' }]);
    expect(render(article({ enclosures: [IMAGE] })).rss.enclosure).toEqual([{ '@url': IMAGE.url, '@length': '2048', '@type': 'image/jpeg' }]);
  });

  it('says length 0 only when the size is unknown, and a generic type when the type is', () => {
    const { rss } = render(article({ enclosures: [{ url: 'https://cdn.example/ep' }] }));
    expect(rss.enclosure).toEqual([{ '@url': 'https://cdn.example/ep', '@length': '0', '@type': 'application/octet-stream' }]);
  });

  it('falls back to the head image without enclosures, as before', () => {
    const { rss } = render(article({}));
    expect(rss.enclosure).toEqual([{ '@url': 'https://img.example/cover.png', '@length': '0', '@type': 'image/png' }]);
    expect(rss['itunes:duration']).toBeUndefined();
  });

  it('passes on itunes:duration, and puts the item\'s tags after the three levels', () => {
    const { rss } = render(article({ enclosures: [AUDIO], tags: ['Oregon', 'Mountains'] }));
    expect(rss['itunes:duration']).toBe(1024);
    expect(rss['media:thumbnail']).toEqual({ '@url': 'https://img.example/cover.png' });
    expect(rss.category).toEqual(['Podcasts', 'Show', 'Episodes', 'Oregon', 'Mountains']);
  });

  it('keeps the source\'s guid permalink flag', () => {
    expect(render(article({ guid: 'https://show.example/1', link: 'https://show.example/1', guidIsPermaLink: false })).rss.guid).toMatchObject({ '@isPermaLink': 'false' });
    expect(render(article({ guid: 'https://show.example/p?1', link: 'https://show.example/1', guidIsPermaLink: true })).rss.guid).toMatchObject({ '@isPermaLink': 'true' });
    expect(render(article({ guid: 'abc', link: 'https://show.example/1', guidIsPermaLink: true })).rss.guid).toMatchObject({ '@isPermaLink': 'false' });
  });
});

describe('Atom: every enclosure', () => {
  it('as link rel="enclosure" with type and length, the head image too unless it is one of them', () => {
    const { atom } = render(article({ link: 'https://show.example/1', enclosures: [AUDIO, { ...IMAGE, url: 'https://img.example/cover.png' }, PDF] }));
    expect(atom.link).toEqual([
      { '@href': 'https://show.example/1' },
      { '@rel': 'enclosure', '@type': 'audio/mpeg', '@href': AUDIO.url, '@length': '8727310' },
      { '@rel': 'enclosure', '@type': 'image/jpeg', '@href': 'https://img.example/cover.png', '@length': '2048' },
      { '@rel': 'enclosure', '@type': 'application/pdf', '@href': PDF.url, '@length': '100' },
    ]);
  });

  it('an entry without a link still carries its audio, and its tags after the three levels', () => {
    const { atom } = render(article({ enclosures: [AUDIO], tags: ['Oregon'] }));
    expect(atom.link).toEqual([{ '@rel': 'enclosure', '@type': 'audio/mpeg', '@href': AUDIO.url, '@length': '8727310' }]);
    expect((atom.category as { '@term': string }[]).map((c) => c['@term'])).toEqual(['Podcasts', 'Show', 'Episodes', 'Oregon']);
  });

  it('dates the entry\'s update by the source\'s, after its publication', () => {
    const { atom, json } = render(article({ updated: new Date('2024-03-02T00:00:00Z') }));
    expect(atom).toMatchObject({ published: '2024-03-01T10:00:00.000Z', updated: '2024-03-02T00:00:00.000Z' });
    expect(json).toMatchObject({ date_published: '2024-03-01T10:00:00.000Z', date_modified: '2024-03-02T00:00:00.000Z' });
  });
});

describe('JSON Feed: attachments and tags', () => {
  it('one attachment per enclosure, with what is known of it', () => {
    const { json } = render(article({ enclosures: [AUDIO, { url: 'https://cdn.example/x' }], tags: ['Oregon'] }));
    expect(json.attachments).toEqual([
      { url: AUDIO.url, mime_type: 'audio/mpeg', size_in_bytes: 8727310, duration_in_seconds: 1024 },
      { url: 'https://cdn.example/x', mime_type: 'application/octet-stream' },
    ]);
    expect(json.tags).toEqual(['Podcasts', 'Show', 'Episodes', 'Oregon']);
  });

  it('none without enclosures; the source\'s summary over an excerpt', () => {
    const { json, rss } = render(article({ summary: 'Short & sweet' }));
    expect(json.attachments).toBeUndefined();
    expect(json.summary).toBe('Short & sweet');
    expect(rss.description).toBe('Short &amp; sweet');
  });
});

describe('an item with a summary and no body', () => {
  it('gives JSON Feed its summary as escaped text, never as markup', () => {
    // The summary is plain text: decoded from `&lt;button…`, it reads like a tag, and must stay text.
    const { json, rss } = render(article({ html: '', summary: '<button onclick="alert(1)">x</button> & more' }));
    expect(json.content_html).toBe('&lt;button onclick="alert(1)"&gt;x&lt;/button&gt; &amp; more');
    expect(json.content_html).not.toContain('<button');
    expect(rss.description).toBe('&lt;button onclick="alert(1)"&gt;x&lt;/button&gt; &amp; more');
  });
});
