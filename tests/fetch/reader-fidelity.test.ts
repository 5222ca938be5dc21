import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedFeed, RawItem } from '../../src/core/types.ts';
import { FeedParseError, fetchFeed, parseFeed } from '../../src/fetch/index.ts';
import { parseFeedDate } from '../../src/normalize/index.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { thrownBy } from '../helpers/thrown.ts';
import { prepareChannel } from '../../src/ingest/prepare.ts';
import { channel, ctx, normalize } from '../normalize/helpers.ts';
import { FIDELITY_FEEDS, fidelityFeed } from './fidelity-feeds.ts';
import { testSettings } from './helpers.ts';

// Issue 19: read what feedparser reads, where feedparser is right. One block
// per class of the issue; each fails on the reader before the fix.

const URL_ = 'https://fidelity.example/feed.xml';
const read = (name: string): ParsedFeed => parseFeed(fidelityFeed(name), URL_);
const titles = (feed: ParsedFeed) => feed.items.map((i) => i.title);
const instant = (item: RawItem | undefined) => (item?.date === undefined ? undefined : parseFeedDate(item.date)?.toISOString());

describe('1. nested same-name elements are well-formed', () => {
  it('reads nested itunes:category subcategories with no recovered note', () => {
    const feed = read('class 1: nested itunes:category');
    expect(feed.recovered).toBeUndefined();
    expect(feed.title).toBe('Podcast');
    expect(titles(feed)).toEqual(['Episode 1']);
  });

  it('reads a podcast with subcategories and no items as an empty feed, not a parse error', () => {
    const feed = parseFeed(
      '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>P</title><itunes:category text="Technology"><itunes:category text="Gadgets"/></itunes:category></channel></rss>',
      URL_,
    );
    expect(feed).toEqual({ format: 'rss', title: 'P', items: [] });
  });

  it('still repairs an item whose end tag is really missing, and says so', () => {
    const feed = parseFeed('<rss><channel>\n<item><title>One</title>\n<item><title>Two</title></item>\n</channel></rss>', URL_);
    expect(titles(feed)).toEqual(['One', 'Two']);
    expect(feed.recovered).toEqual(['<item> at line 2 is not closed; closed at the next <item> at line 3']);
  });

  it('gives no note for items nested in a well-formed way (both end tags are there)', () => {
    const feed = parseFeed('<rss><channel><item><title>Outer</title><item><title>Inner</title></item></item></channel></rss>', URL_);
    expect(feed.recovered).toBeUndefined();
  });
});

describe('2. titles as a reader shows them', () => {
  it('renders an RSS title that still holds HTML or references after one unescape', () => {
    expect(titles(read('class 2: HTML in RSS titles'))).toEqual(['Cocaine bust worth £300m', '1055ft2 loft', 'Fish & chips tonight', 'a < b and c > d']);
  });

  it('leaves plain text with angle brackets or an unknown tag alone, as feedparser does', () => {
    const feed = parseFeed('<rss><channel><item><title>x &lt;T&gt; y &lt;/T&gt;</title></item><item><title>AT&amp;T; rocks</title></item></channel></rss>', URL_);
    expect(titles(feed)).toEqual(['x <T> y </T>', 'AT&T; rocks']);
  });

  it('renders a channel title holding HTML too', () => {
    expect(parseFeed('<rss><channel><title>News &amp;amp; views</title></channel></rss>', URL_).title).toBe('News & views');
  });
});

describe('3. numeric references 128–159 are windows-1252', () => {
  it('reads &#146; as ’ and &#147;…&#148; as “…”', () => {
    expect(titles(read('class 3: windows-1252 numeric references'))).toEqual(['Don’t panic: “quote” — €5']);
  });

  it('maps them in attribute values too, and leaves other references as they are', () => {
    const feed = parseFeed('<rss><channel><item><title>&#233;&#x2019;</title><enclosure url="https://x.example/a&#150;b.mp3" type="audio/mpeg"/></item></channel></rss>', URL_);
    expect(feed.items[0].title).toBe('é’');
    expect(feed.items[0].enclosures[0].url).toBe('https://x.example/a–b.mp3');
  });
});

describe('4. Atom 0.3 base64 and HTML titles', () => {
  it('decodes mode="base64" titles and content', () => {
    const [item] = read('class 4: Atom 0.3 base64').items;
    expect(item.title).toBe('Café at noon');
    expect(item.html).toBe('<p>Hello <b>base64</b></p>');
  });

  it('drops the text of <script> and <style> from a type="html" title', () => {
    expect(read('class 4: Atom type="html" title with script').items[0].title).toBe('safe description');
  });
});

describe('5. dates', () => {
  it('tries the next date element when the first cannot be read', () => {
    const feed = read('class 5: dates');
    expect(feed.items[0].date).toBe('2019-01-07T12:00:00Z');
    expect(instant(read('class 5: Atom published unreadable, updated valid').items[0])).toBe('2020-02-02T02:02:02.000Z');
  });

  it('reads dcterms:modified and atom:updated in RSS items', () => {
    const feed = read('class 5: dates');
    expect(instant(feed.items[1])).toBe('2019-02-03T04:05:06.000Z');
    expect(instant(feed.items[2])).toBe('2019-03-04T05:06:07.000Z');
  });

  it('reads dcterms:issued and dcterms:created, preferring them to dcterms:modified', () => {
    const feed = parseFeed(
      '<rss xmlns:dcterms="http://purl.org/dc/terms/"><channel><item><dcterms:modified>2020-01-05T00:00:00Z</dcterms:modified><dcterms:issued>2020-01-01T00:00:00Z</dcterms:issued></item><item><dcterms:created>2020-01-02T00:00:00Z</dcterms:created></item></channel></rss>',
      URL_,
    );
    expect(feed.items.map(instant)).toEqual(['2020-01-01T00:00:00.000Z', '2020-01-02T00:00:00.000Z']);
  });

  it('reads RFC 822 military zones (Z is UTC, A is −1 h, Y is +12 h, as 822 prints them)', () => {
    const feed = read('class 5: dates');
    expect(feed.items.slice(3).map(instant)).toEqual(['2002-09-07T12:59:45.000Z', '2002-09-07T13:59:45.000Z', '2002-09-07T00:59:45.000Z']);
    expect(parseFeedDate('07 Sep 2002 12:59 N')?.toISOString()).toBe('2002-09-07T11:59:00.000Z');
    expect(parseFeedDate('07 Sep 2002 12:59 J')).toBeUndefined(); // J is no zone
  });

  it('keeps the first date written when none is readable (the normalizer reports it)', () => {
    const feed = parseFeed('<rss><channel><item><pubDate>soon</pubDate><dc:date>later</dc:date></item></channel></rss>', URL_);
    expect(feed.items[0].date).toBe('soon');
  });
});

describe('6. authors', () => {
  it('reads a10:author and atom:author in RSS items', () => {
    expect(read('class 6: authors').items.map((i) => i.author)).toEqual(['Ada Writer', 'Bob Writer']);
  });

  it('gives an Atom author with only an <email> as that address', () => {
    expect(read('class 6: Atom author with only an email').items[0].author).toBe('carol@fidelity.example');
  });
});

describe('7. guid isPermaLink="false" is not a link', () => {
  it('records the attribute in guidIsPermaLink, only when present', () => {
    const feed = read('class 7: guid isPermaLink="false"');
    expect(feed.items.map((i) => [i.guid, i.guidIsPermaLink, i.link])).toEqual([
      ['http://tracker.example.com/id/123', false, undefined],
      ['https://fidelity.example/7b', true, 'https://fidelity.example/7b'],
    ]);
    expect('guidIsPermaLink' in read('class 1: nested itunes:category').items[0]).toBe(false);
  });

  it('does not make such a guid the article’s link', () => {
    const [tracker, permalink] = read('class 7: guid isPermaLink="false"').items;
    const out = normalize(tracker, ctx());
    expect(out.article.link).toBeUndefined();
    expect(out.warnings).toContainEqual({ code: 'no-link' });
    expect(out.article.guid).toBe('http://tracker.example.com/id/123');
    // Without the attribute a guid that is a URL is still the link (RSS 2.0's default).
    expect(normalize({ ...tracker, guidIsPermaLink: undefined }, ctx()).article.link).toBe('http://tracker.example.com/id/123');
    expect(normalize(permalink, ctx()).article.link).toBe('https://fidelity.example/7b');
  });
});

describe('8. podcast fallbacks', () => {
  it('takes itunes:title when <title> is missing and itunes:summary when there is no body', () => {
    const [only, both] = read('class 8: podcast fallbacks').items;
    expect(only).toMatchObject({ title: 'Only an itunes:title', html: '<p>Show notes: one &amp; two.</p>\n<p>Second paragraph.</p>' });
    expect(both).toMatchObject({ title: 'Both titles', html: 'Description wins' });
  });

  it('gives the article that title and body', () => {
    const [only] = read('class 8: podcast fallbacks').items;
    const out = normalize(only, ctx());
    expect(out.article.title).toBe('Only an itunes:title');
    expect(out.article.html).toContain('Show notes: one &amp; two.');
    expect(out.warnings.map((w) => w.code)).not.toContain('no-title');
  });
});

describe('9. odd documents are read, with a note naming the oddity', () => {
  const odd = FIDELITY_FEEDS.filter((f) => f.oddity !== undefined);

  it.each(odd.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const feed = parseFeed(f.text, URL_);
    expect(feed.recovered).toEqual([f.oddity]);
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0].title).toBeTruthy();
    expect(feed.items[0].link).toMatch(/^https:\/\/fidelity\.example\/9[a-f]$/);
  });

  it('covers the five documents of the issue', () => {
    expect(odd).toHaveLength(6); // RSS and RDF without <channel> both
  });

  it('keeps the channel’s title and link where there is one', () => {
    expect(read('class 9: stray HTML DOCTYPE before <rss>')).toMatchObject({ title: 'Fidelity', link: 'https://fidelity.example/' });
    expect(read('class 9: RSS 1.0 item inside <channel>')).toMatchObject({ format: 'rdf', title: 'RDF' });
    expect(read('class 9: prefixed root <r:rss>')).toMatchObject({ format: 'rss', title: 'Prefixed' });
  });

  it('still refuses an HTML page, and a channel-less feed with no items', () => {
    const page = thrownBy(FeedParseError, () => parseFeed('<!DOCTYPE html><html><head><title>x</title></head></html>', URL_), 'an HTML page to be refused');
    expect(page.code).toBe('not-a-feed');
    const empty = thrownBy(FeedParseError, () => parseFeed('<rss version="2.0"></rss>', URL_), 'a channel-less feed to fail');
    expect(empty).toMatchObject({ code: 'parse', message: 'malformed feed: <rss> without a <channel>' });
  });

  it('reads an item after </channel> too, saying so', () => {
    const feed = parseFeed('<rss><channel><title>T</title><item><title>in</title></item></channel><item><title>out</title></item></rss>', URL_);
    expect(titles(feed)).toEqual(['in', 'out']);
    expect(feed.recovered).toEqual(["<item> elements outside <channel>: read as the feed's items"]);
  });
});

describe('10. Content-Location is the base of relative links', () => {
  const relative = '<rss version="2.0"><channel><title>R</title><item><title>one</title><link>posts/1.html</link><description>&lt;img src="/img/1.png"&gt;</description></item></channel></rss>';
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(
      routes({
        '/located': { body: relative, headers: { 'content-location': 'https://cdn.fidelity.example/blog/feed.xml' } },
        '/relative-location': { body: relative, headers: { 'content-location': '/archive/feed.xml' } },
        '/based': { body: relative.replace('<rss version="2.0">', '<rss version="2.0" xml:base="https://own.example/x/">'), headers: { 'content-location': 'https://cdn.fidelity.example/blog/feed.xml' } },
        '/plain': { body: relative },
      }),
    );
  });
  afterAll(() => server.close());

  const fetched = async (path: string) => {
    const out = await fetchFeed({ url: `${server.url}${path}`, settings: testSettings() });
    if (out.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(out)}`);
    return out;
  };

  it('resolves relative item links and images against the Content-Location', async () => {
    const out = await fetched('/located');
    expect(out.finalUrl).toBe(`${server.url}/located`);
    expect(out.feed.base).toBe('https://cdn.fidelity.example/blog/feed.xml');
    const article = normalize(out.feed.items[0], ctx({ feedUrl: out.finalUrl }, out.feed)).article;
    expect(article.link).toBe('https://cdn.fidelity.example/blog/posts/1.html');
    expect(article.html).toContain('src="https://cdn.fidelity.example/img/1.png"');
  });

  it('reaches the articles ingest prepares (the header is passed through to the parse)', async () => {
    const input = { body: Buffer.from(relative), contentType: 'application/rss+xml', finalUrl: 'https://feeds.example/raw', status: 200, channel: channel(), now: Date.UTC(2024, 0, 1), fallbackImage: '' };
    const located = await prepareChannel({ ...input, contentLocation: 'https://cdn.fidelity.example/blog/feed.xml' });
    const plain = await prepareChannel(input);
    if (located.kind !== 'ok' || plain.kind !== 'ok') throw new Error('expected both to prepare');
    expect(located.candidates[0].article.link).toBe('https://cdn.fidelity.example/blog/posts/1.html');
    expect(plain.candidates[0].article.link).toBe('https://feeds.example/posts/1.html');
  });

  it('resolves a relative Content-Location against the URL fetched', async () => {
    expect((await fetched('/relative-location')).feed.base).toBe(`${server.url}/archive/feed.xml`);
  });

  it('leaves the feed’s own xml:base in charge, and the URL fetched when there is no header', async () => {
    expect((await fetched('/based')).feed.base).toBe('https://own.example/x/');
    const plain = await fetched('/plain');
    expect(plain.feed.base).toBeUndefined();
    expect(normalize(plain.feed.items[0], ctx({ feedUrl: plain.finalUrl }, plain.feed)).article.link).toBe(`${server.url}/posts/1.html`);
  });
});

describe('5. dates in JSON Feed too', () => {
  it('falls back to date_modified when date_published cannot be read', () => {
    const feed = parseFeed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'J',
        items: [
          { id: '1', date_published: 'Lun, 07 Ene 2019', date_modified: '2019-01-08T00:00:00Z' },
          { id: '2', date_published: '2019-01-01T00:00:00Z', date_modified: '2019-01-08T00:00:00Z' },
        ],
      }),
      URL_,
    );
    expect(feed.items.map((i) => i.date)).toEqual(['2019-01-08T00:00:00Z', '2019-01-01T00:00:00Z']);
  });
});
