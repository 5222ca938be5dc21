import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawItem } from '../../src/core/types.ts';
import { createChannelNormalizer, itemKeyOf, parseArticle } from '../../src/normalize/index.ts';
import { PAYLOAD_ALPHABET } from '../hostile/payloads.ts';
import { channel, ctx, executableFindings, FIRST_SEEN, normalize, NOW, rawItem, renderArticle } from './helpers.ts';

const codes = (ws: { code: string }[]) => ws.map((w) => w.code);

describe('itemKeyOf', () => {
  it('is the guid, else the link, else a hash of title and date; trimmed', () => {
    expect(itemKeyOf(rawItem({ guid: '  g-1 ', link: 'https://a.example/1' }))).toBe('g-1');
    expect(itemKeyOf(rawItem({ guid: '   ', link: ' https://a.example/1 ' }))).toBe('https://a.example/1');
    const h = itemKeyOf(rawItem({ title: 'T', date: 'Sat, 30 Jul 2022 00:00:00 GMT' }));
    expect(h).toMatch(/^hash:[0-9a-f]{40}$/);
    expect(itemKeyOf(rawItem({ title: ' T ', date: 'Sat, 30 Jul 2022 00:00:00 GMT ' }))).toBe(h);
    expect(itemKeyOf(rawItem({ title: 'T2', date: 'Sat, 30 Jul 2022 00:00:00 GMT' }))).not.toBe(h);
  });

  it('tells apart items with neither guid, link, title nor date by their content', () => {
    const a = itemKeyOf(rawItem({ html: '<p>a</p>' }));
    const b = itemKeyOf(rawItem({ html: '<p>b</p>' }));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^hash:/);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        expect(typeof itemKeyOf(x as RawItem)).toBe('string');
      }),
    );
  });
});

describe('ChannelNormalizer.normalize', () => {
  it('fills every field of a complete item', () => {
    const { article, warnings } = normalize(
      rawItem({
        guid: 'post-1',
        link: 'https://blog.example.com/p/1',
        title: '  Hello\nworld  ',
        author: 'Alice',
        date: '2024-04-01T10:00:00Z',
        html: '<p>Hi <img src="/i/1.png"></p>',
      }),
      ctx(),
    );
    expect(warnings).toEqual([]);
    expect(article).toMatchObject({
      itemKey: 'post-1',
      channelKey: 'xmt/woshipm/latest',
      categories: ['新媒体', '人人都是产品经理', '最新文章'],
      slugs: ['xmt', 'woshipm', 'latest'],
      title: 'Hello world',
      link: 'https://blog.example.com/p/1',
      guid: 'post-1',
      author: '人人都是产品经理',
      headimg: 'https://blog.example.com/i/1.png',
      html: '<p>Hi <img src="https://blog.example.com/i/1.png" referrerpolicy="no-referrer"></p>',
    });
    expect(article.date.toISOString()).toBe('2024-04-01T10:00:00.000Z');
    expect(article.contentHash).toMatch(/^[0-9a-f]{40}$/);
  });

  describe('relative URLs', () => {
    const html = '<p><a href="next.html">n</a><img src="img/a.png"></p>';
    it('resolve against the item xml:base first', () => {
      const { article } = normalize(rawItem({ html, base: 'https://base.example/dir/', link: 'https://link.example/p/1' }), ctx());
      expect(article.html).toContain('href="https://base.example/dir/next.html"');
      expect(article.headimg).toBe('https://base.example/dir/img/a.png');
    });
    it('then against the item link', () => {
      const { article } = normalize(rawItem({ html, link: 'https://link.example/p/1' }), ctx());
      expect(article.html).toContain('href="https://link.example/p/next.html"');
    });
    it('then against the feed link', () => {
      const { article } = normalize(rawItem({ html }), ctx({}, { link: 'https://site.example/blog/' }));
      expect(article.html).toContain('href="https://site.example/blog/next.html"');
    });
    it('then against the URL the feed came from', () => {
      const { article } = normalize(rawItem({ html }), ctx({ feedUrl: 'https://feeds.example.com/a/rss.xml' }));
      expect(article.html).toContain('href="https://feeds.example.com/a/next.html"');
    });
    it('including a relative item link and a relative xml:base', () => {
      const { article } = normalize(rawItem({ html, link: '../p/2', base: 'sub/' }), ctx({ feedUrl: 'https://f.example/x/feed' }, { base: 'https://f.example/root/' }));
      expect(article.link).toBe('https://f.example/root/p/2'); // ../p/2 against xml:base root/sub/
      expect(article.html).toContain('href="https://f.example/root/sub/next.html"');
    });
    it('drop a link that is not http(s)', () => {
      const { article, warnings } = normalize(rawItem({ title: 't', link: 'javascript:alert(1)' }), ctx());
      expect(article.link).toBeUndefined();
      expect(codes(warnings)).toContain('no-link');
      expect(renderArticle(article)).not.toContain('javascript');
    });
    it('use an http(s) guid as the link when there is no link', () => {
      const { article } = normalize(rawItem({ title: 't', guid: 'https://blog.example.com/?p=12' }), ctx());
      expect(article.link).toBe('https://blog.example.com/?p=12');
    });
  });

  describe('items missing things', () => {
    it('without a title: an excerpt of the body, with a warning', () => {
      const { article, warnings } = normalize(rawItem({ link: 'https://a.example/1', html: '<p>The body text {x} of this item</p>' }), ctx());
      expect(article.title).toBe('The body text {x} of this item');
      expect(codes(warnings)).toContain('no-title');
    });
    it('without title or body: the link, else "Untitled"', () => {
      expect(normalize(rawItem({ link: 'https://a.example/1' }), ctx()).article.title).toBe('https://a.example/1');
      expect(normalize(rawItem({}), ctx()).article.title).toBe('Untitled');
    });
    it('without a date: dated when first seen', () => {
      const { article, warnings } = normalize(rawItem({ title: 't' }), ctx());
      expect(article.date.getTime()).toBe(FIRST_SEEN.getTime());
      expect(codes(warnings)).toContain('no-date');
    });
    it('with an unreadable date: dated when first seen, with the date in the warning', () => {
      const { article, warnings } = normalize(rawItem({ title: 't', date: 'someday soon' }), ctx());
      expect(article.date.getTime()).toBe(FIRST_SEEN.getTime());
      expect(warnings).toContainEqual({ code: 'bad-date', detail: expect.stringContaining('someday soon') });
    });
    it('without guid, link, title or date: still an article, identified by content', () => {
      const { article } = normalize(rawItem({ html: '<p>only text</p>' }), ctx());
      expect(article.itemKey).toMatch(/^hash:/);
      expect(article.link).toBeUndefined();
      expect(article.guid).toBeUndefined();
      expect(parseArticle(renderArticle(article)).html).toBe('<p>only text</p>');
    });
    it('uses the summary when there is no full content', () => {
      expect(normalize(rawItem({ title: 't', summary: '<p>short</p>' }), ctx()).article.html).toBe('<p>short</p>');
    });
  });

  describe('dates', () => {
    it('keeps a date slightly in the future (clock skew)', () => {
      const soon = new Date(NOW.getTime() + 3 * 3600_000);
      const { article, warnings } = normalize(rawItem({ title: 't', date: soon.toUTCString() }), ctx());
      expect(article.date.getTime()).toBe(soon.getTime());
      expect(warnings).toEqual([{ code: 'no-link' }, { code: 'no-image' }]);
    });
    it('clamps a date more than a day ahead to when the item was first seen (never later than now)', () => {
      const { article, warnings } = normalize(rawItem({ title: 't', date: 'Fri, 01 Jan 2100 00:00:00 GMT' }), ctx());
      expect(article.date.getTime()).toBe(FIRST_SEEN.getTime());
      expect(codes(warnings)).toContain('future-date');
      // stable across runs: a later "now" gives the same file
      const later = normalize(rawItem({ title: 't', date: 'Fri, 01 Jan 2100 00:00:00 GMT' }), ctx({ now: new Date(NOW.getTime() + 3600_000) }));
      expect(later.article.contentHash).toBe(article.contentHash);
      // a firstSeen after now (a broken caller) still never dates it after now
      const odd = normalize(rawItem({ title: 't', date: 'Fri, 01 Jan 2100 00:00:00 GMT' }), ctx({ firstSeen: new Date(NOW.getTime() + 86400_000 * 5) }));
      expect(odd.article.date.getTime()).toBe(NOW.getTime());
    });
    it('writes the date as RFC 1123 GMT, to the second', () => {
      const { article } = normalize(rawItem({ title: 't', date: '2022-07-30T08:00:00.789+08:00' }), ctx());
      expect(renderArticle(article)).toContain('\ndate: Sat, 30 Jul 2022 00:00:00 GMT\n');
      expect(article.date.getUTCMilliseconds()).toBe(0);
    });
    it('parses odd formats', () => {
      for (const [raw, iso] of [
        ['2022年07月30日', '2022-07-30T00:00:00.000Z'],
        ['Sat, 30 Jul 2022 08:00:00 +0800', '2022-07-30T00:00:00.000Z'],
        ['2022-07-30 08:00:00', '2022-07-30T08:00:00.000Z'],
      ]) {
        expect(normalize(rawItem({ title: 't', date: raw }), ctx()).article.date.toISOString()).toBe(iso);
      }
    });
  });

  describe('head image', () => {
    it('prefers the first image in the sanitized body', () => {
      const { article } = normalize(
        rawItem({
          title: 't',
          html: '<img src="javascript:x"><img src="data:image/png;base64,AAAA"><img src="https://a.example/first.jpg"><img src="https://a.example/second.jpg">',
          enclosures: [{ url: 'https://a.example/enc.jpg', type: 'image/jpeg' }],
          images: ['https://a.example/media.jpg'],
        }),
        ctx(),
      );
      expect(article.headimg).toBe('https://a.example/first.jpg');
      expect(renderArticle(article)).toContain("\nthumbnail: 'https://a.example/first.jpg'\n");
    });
    it('then an image enclosure (by type or by extension)', () => {
      const enclosures = [
        { url: 'https://a.example/audio.mp3', type: 'audio/mpeg' },
        { url: 'https://a.example/pic.webp?x=1' },
      ];
      expect(normalize(rawItem({ title: 't', enclosures, images: ['https://a.example/m.jpg'] }), ctx()).article.headimg).toBe('https://a.example/pic.webp?x=1');
      expect(normalize(rawItem({ title: 't', enclosures: [{ url: '/e.bin', type: 'image/png' }] }), ctx()).article.headimg).toBe('https://feeds.example.com/e.bin');
    });
    it('then the feed item images (media:thumbnail…)', () => {
      expect(normalize(rawItem({ title: 't', images: ['ftp://x/y.jpg', 'https://a.example/m.jpg'] }), ctx()).article.headimg).toBe('https://a.example/m.jpg');
    });
    it('else the fallback image, numbered deterministically from the item key', () => {
      const fallbackImage = 'https://img.example/{n}.jpg?again={n}';
      const one = normalize(rawItem({ guid: 'a', title: 't' }), ctx({ fallbackImage }));
      const again = normalize(rawItem({ guid: 'a', title: 'other title' }), ctx({ fallbackImage, now: new Date() }));
      // Marked as a placeholder by a fragment, which the image server never sees.
      expect(one.article.headimg).toMatch(/^https:\/\/img\.example\/(\d+)\.jpg\?again=\1#refeed-fallback$/);
      expect(again.article.headimg).toBe(one.article.headimg);
      expect(codes(one.warnings)).toContain('no-image');
      const numbers = new Set<number>();
      for (let i = 0; i < 300; i++) {
        const n = Number(/\/(\d+)\.jpg/.exec(normalize(rawItem({ guid: `id-${i}` }), ctx({ fallbackImage })).article.headimg)![1]);
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(1000);
        numbers.add(n);
      }
      expect(numbers.size).toBeGreaterThan(200); // spread, not constant
    });
    it('or none at all with fallback_image: none', () => {
      const none = normalize(rawItem({ guid: 'a', title: 't' }), ctx({ fallbackImage: '' }));
      expect(none.article.headimg).toBe('');
      expect(none.text).toContain("headimg: ''\n");
    });
  });

  describe('author', () => {
    const item = rawItem({ title: 't', author: 'alice@example.com (Alice Liddell)' });
    it('is the source name by default, as in the reference', () => {
      expect(normalize(item, ctx()).article.author).toBe('人人都是产品经理');
    });
    it("is the item's own author with author: item (the name out of `mail (Name)`)", () => {
      expect(normalize(item, ctx({ channel: channel({ author: 'item' }) })).article.author).toBe('Alice Liddell');
      expect(normalize(rawItem({ title: 't', author: 'Bob' }), ctx({ channel: channel({ author: 'item' }) })).article.author).toBe('Bob');
    });
    it('falls back to the source name when the item has no author', () => {
      expect(normalize(rawItem({ title: 't', author: '  ' }), ctx({ channel: channel({ author: 'item' }) })).article.author).toBe('人人都是产品经理');
    });
  });

  describe('body', () => {
    it('escapes braces in the body but keeps them literal in the title', () => {
      const { article } = normalize(rawItem({ title: '{{ title }} {% x %}', html: '<p>{{ body }} {% raw %}</p>' }), ctx());
      const file = renderArticle(article);
      expect(file).toContain("\ntitle: '{{ title }} {% x %}'\n");
      const body = file.slice(file.indexOf('<div>'));
      expect(body).not.toMatch(/[{}]/);
      expect(body).toContain('&#123;&#123; body &#125;&#125; &#123;% raw %&#125;');
    });
    it('reports sanitizer removals as a warning', () => {
      const { warnings } = normalize(rawItem({ title: 't', html: '<p onclick="x()">a</p><script>x</script>' }), ctx());
      expect(warnings).toContainEqual({ code: 'sanitized', detail: 'removed p[onclick], script' });
    });
    it('keeps iframes only from the channel allowed hosts', () => {
      const html = '<iframe src="https://player.example/v/1"></iframe>';
      expect(normalize(rawItem({ title: 't', html }), ctx()).article.html).toBe('');
      const allowed = ctx({ channel: channel({ allowIframeHosts: ['player.example'] }) });
      expect(normalize(rawItem({ title: 't', html }), allowed).article.html).toBe(html);
    });
  });

  describe('contentHash', () => {
    const item = rawItem({ guid: 'g', title: 't', date: '2024-04-01T00:00:00Z', html: '<p>x</p>' });
    it('is the sha1 of the file, the same whenever the file is', () => {
      const a = normalize(item, ctx()).article;
      const b = normalize({ ...item }, ctx({ now: new Date(NOW.getTime() + 3600_000), firstSeen: new Date(0) })).article;
      expect(b.contentHash).toBe(a.contentHash);
      // another channel with the same names writes the same file, so the same hash
      const other = { ...channel(), key: 'other/key/here' };
      expect(normalize(item, ctx({ channel: other })).article.contentHash).toBe(a.contentHash);
    });
    it('changes when anything written changes', () => {
      const base = normalize(item, ctx()).article.contentHash;
      const variants: RawItem[] = [
        { ...item, title: 't2' },
        { ...item, html: '<p>y</p>' },
        { ...item, date: '2024-04-02T00:00:00Z' },
        { ...item, link: 'https://a.example/' },
      ];
      for (const v of variants) expect(normalize(v, ctx()).article.contentHash).not.toBe(base);
      expect(normalize(item, ctx({ channel: channel({}, ['G', 'S', 'C']) })).article.contentHash).not.toBe(base);
    });
  });
});

describe('ChannelNormalizer: what it keeps between items', () => {
  const embed = '<p>v</p><iframe src="https://player.example/v/1"></iframe>';

  it('carries nothing from one item to the next (head image, removals)', () => {
    const c = ctx({ fallbackImage: 'https://img.example/{n}.jpg' });
    const normalizer = createChannelNormalizer(c.channel, { fallbackImage: c.fallbackImage });
    const first = normalizer.normalize(rawItem({ title: 'a', html: '<img src="https://a.example/1.jpg"><script>x</script>' }), c);
    const second = normalizer.normalize(rawItem({ title: 'b', html: '<p>plain</p>' }), c);
    expect(first.article.headimg).toBe('https://a.example/1.jpg');
    expect(first.warnings).toContainEqual({ code: 'sanitized', detail: 'removed script' });
    expect(second.article.headimg).toMatch(/^https:\/\/img\.example\/\d+\.jpg#refeed-fallback$/);
    expect(codes(second.warnings)).not.toContain('sanitized');
  });

  it("keeps each channel's settings to itself, used in turn", () => {
    const withEmbeds = createChannelNormalizer(channel({ allowIframeHosts: ['player.example'], exclude: ['secret'] }), { fallbackImage: '' });
    const without = createChannelNormalizer(channel({ include: ['secret'] }), { fallbackImage: '' });
    const items = [rawItem({ title: 'secret' }), rawItem({ title: 'public' })];
    for (let round = 0; round < 2; round++) {
      expect(withEmbeds.normalize(rawItem({ title: 't', html: embed }), ctx()).article.html).toBe(embed);
      expect(without.normalize(rawItem({ title: 't', html: embed }), ctx()).article.html).toBe('<p>v</p>');
      expect(withEmbeds.filter(items, NOW).map((i) => i.title)).toEqual(['public']);
      expect(without.filter(items, NOW).map((i) => i.title)).toEqual(['secret']);
    }
  });
});

describe('ChannelNormalizer.normalize: properties', () => {
  const anyItem = fc.oneof(
    fc.anything(),
    fc.record(
      {
        guid: fc.anything(),
        link: fc.oneof(fc.webUrl(), fc.string(), fc.anything()),
        title: fc.oneof(fc.string({ unit: 'binary' }), fc.anything()),
        author: fc.oneof(fc.string({ unit: 'binary' }), fc.anything()),
        date: fc.oneof(fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid' : d.toUTCString())), fc.string(), fc.anything()),
        html: fc.oneof(fc.string({ unit: 'binary' }), fc.anything()),
        summary: fc.anything(),
        base: fc.oneof(fc.webUrl(), fc.anything()),
        enclosures: fc.oneof(fc.array(fc.record({ url: fc.oneof(fc.webUrl(), fc.anything()), type: fc.anything() }, { requiredKeys: [] })), fc.anything()),
        images: fc.oneof(fc.array(fc.oneof(fc.webUrl(), fc.anything())), fc.anything()),
        categories: fc.anything(),
      },
      { requiredKeys: [] },
    ),
  );

  it('never throws on any input, and always yields an article that renders and reads back', () => {
    fc.assert(
      fc.property(anyItem, (item) => {
        const { article, warnings } = normalize(item as RawItem, ctx());
        expect(Array.isArray(warnings)).toBe(true);
        expect(article.title.length).toBeGreaterThan(0);
        expect(Number.isFinite(article.date.getTime())).toBe(true);
        expect(article.date.getTime()).toBeLessThanOrEqual(NOW.getTime() + 86400_000);
        expect(article.headimg).toMatch(/^https?:\/\//);
        expect(executableFindings(article.html)).toEqual([]);
        const back = parseArticle(renderArticle(article));
        expect(back.title).toBe(article.title);
        expect(back.author).toBe(article.author);
        expect(back.categories).toEqual(article.categories);
        expect(back.date.getTime()).toBe(article.date.getTime());
        expect(back.headimg).toBe(article.headimg);
        expect(back.link).toBe(article.link);
        expect(back.guid).toBe(article.guid);
        expect(back.html).toBe(article.html);
      }),
      { numRuns: 700 },
    );
  });

  it('gives every item of a long channel pass the article a fresh normalizer gives it', () => {
    const soup = fc.array(fc.constantFrom(...PAYLOAD_ALPHABET, '<img src="https://a.example/i.png">', '<iframe src="https://player.example/v">'), { maxLength: 30 }).map((p) => p.join(''));
    const item = fc.record({ guid: fc.string(), title: fc.string(), author: fc.constantFrom('a', 'b', 'c@d.example (C)'), html: soup }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), (items) => {
        const c = ctx({ channel: channel({ allowIframeHosts: ['player.example'], author: 'item' }) });
        const normalizer = createChannelNormalizer(c.channel, { fallbackImage: c.fallbackImage });
        for (const it of items) expect(normalizer.normalize(rawItem(it), c)).toEqual(normalize(rawItem(it), c));
      }),
      { numRuns: 150 },
    );
  });
});
