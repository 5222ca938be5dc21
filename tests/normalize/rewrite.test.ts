import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelSettings, RewriteRule } from '../../src/core/types.ts';
import { createRewriter, isFallbackImage } from '../../src/normalize/index.ts';
import { createSanitizer } from '../../src/normalize/sanitize.ts';
import { isTrackingPixel } from '../../src/normalize/tracking-pixels.ts';
import { channel, ctx, executableFindings, normalize, rawItem } from './helpers.ts';

// Issue 21: a channel's rewrites, applied to each article after sanitizing
// (and tracking pixels dropped by default). Each rewrite on its own, then what
// hostile bodies and replacements cannot do.

const withRules = (rewrite: RewriteRule[], over: Partial<ChannelSettings> = {}) => ctx({ channel: channel({ rewrite, ...over }) });
const article = (item: Parameters<typeof rawItem>[0], rules: RewriteRule[] = [], over: Partial<ChannelSettings> = {}) =>
  normalize(rawItem({ link: 'https://a.example/1', date: '2024-04-01T00:00:00Z', ...item }), withRules(rules, over)).article;

const MEDIUM_PIXEL =
  '<img src="https://medium.com/_/stat?event=post.clientViewed&amp;referrerSource=full_rss&amp;postId=8c5b2d1e3f4a" width="1" height="1" alt="">';

describe('each rewrite', () => {
  it('replace title: an RE2 pattern, $1 for a group; the original is kept', () => {
    const a = article({ title: 'Sponsored: Buy Now', html: '<p>x</p>' }, [{ kind: 'replace', field: 'title', pattern: '^Sponsored:\\s*(\\w+)', with: '[$1]' }]);
    expect(a.title).toBe('[Buy] Now');
    expect(a.original).toMatchObject({ title: 'Sponsored: Buy Now', html: '<p>x</p>' });
    // Case-sensitive unless (?i): no match, nothing changes.
    expect(article({ title: 'sponsored: x' }, [{ kind: 'replace', field: 'title', pattern: '^Sponsored:', with: '' }]).title).toBe('sponsored: x');
    expect(article({ title: 'sponsored: x' }, [{ kind: 'replace', field: 'title', pattern: '(?i)^Sponsored:\\s*', with: '' }]).title).toBe('x');
  });

  it('replace title to nothing keeps the original title', () => {
    expect(article({ title: 'Sponsored' }, [{ kind: 'replace', field: 'title', pattern: '.*', with: '' }]).title).toBe('Sponsored');
  });

  it('replace content: in the text, not the markup; what matches across tags is untouched', () => {
    const a = article({ html: '<p class="Read">Story text. Read more…</p><p><a href="https://a.example/Read">Read</a> more…</p>' }, [
      { kind: 'replace', field: 'content', pattern: '\\s*Read more…$', with: '' },
    ]);
    expect(a.html).toBe('<p class="Read">Story text.</p><p><a href="https://a.example/Read">Read</a> more…</p>');
  });

  it('replace content sees decoded text and writes its replacement escaped', () => {
    const a = article({ html: '<p>Fish &amp; Chips &lt;3</p>' }, [{ kind: 'replace', field: 'content', pattern: 'Fish & Chips', with: 'A & B <i>' }]);
    expect(a.html).toBe('<p>A &amp; B &lt;i&gt; &lt;3</p>');
  });

  it('remove: elements a CSS selector matches go, with their content', () => {
    const a = article(
      {
        html: '<p>Keep</p><div class="share-buttons"><a href="https://x.example/">Share</a></div><figure class="ad"><img src="https://ads.example/a.png"></figure><figure><img src="https://a.example/p.png"></figure>',
      },
      [{ kind: 'remove', selector: '.share-buttons, figure.ad' }],
    );
    expect(a.html).toBe('<p>Keep</p><figure><img src="https://a.example/p.png" referrerpolicy="no-referrer"></figure>');
    // The head image is the first image left, not the removed ad.
    expect(a.headimg).toBe('https://a.example/p.png');
  });

  it('prefix title and suffix title, in list order with the replacements', () => {
    const rules: RewriteRule[] = [
      { kind: 'prefix', text: '[LWN] ' },
      { kind: 'suffix', text: ' (via HN)' },
    ];
    expect(article({ title: 'Kernel news' }, rules).title).toBe('[LWN] Kernel news (via HN)');
    // A replacement after the prefix sees it.
    expect(article({ title: 'Kernel news' }, [...rules, { kind: 'replace', field: 'title', pattern: '^\\[LWN\\] ', with: '' }]).title).toBe('Kernel news (via HN)');
  });

  it('no rules: the article is its own original', () => {
    const a = article({ title: 'T', html: '<p>Body <img src="https://a.example/i.png"></p>' });
    expect(a.original).toEqual({ title: 'T', html: a.html });
    expect(a.headimg).toBe('https://a.example/i.png');
  });
});

describe('tracking pixels', () => {
  it("drops Medium's tracking pixel, which passed the sanitizer before; it is no head image either", () => {
    const html = `<p>Story</p>${MEDIUM_PIXEL}`;
    // The sanitizer alone still lets it through: it is the rewrite step that drops it.
    expect(createSanitizer({ allowIframeHosts: [] }).sanitize(html).html).toContain('medium.com/_/stat');
    const a = article({ html });
    expect(a.html).toBe('<p>Story</p>');
    expect(a.html).not.toContain('medium.com');
    expect(isFallbackImage(a.headimg)).toBe(true);
    // Medium's pixel without its size: known by its host.
    expect(article({ html: '<p>S</p><img src="https://medium.com/_/stat?event=post.clientViewed">' }).html).toBe('<p>S</p>');
  });

  it('the same with the sanitizer\'s head image given (the ingest skips reading a body with no sign of a pixel)', () => {
    const sanitizer = createSanitizer({ allowIframeHosts: [] });
    const rewriter = createRewriter({ rewrite: [], trackingPixels: true, allowIframeHosts: [] }, sanitizer);
    for (const body of [
      `<p>S</p>${MEDIUM_PIXEL}<img src="https://a.example/real.jpg">`,
      '<p>S</p><img src="HTTPS://MEDIUM.COM/_/stat?event=x"><img src="https://a.example/real.jpg">',
      '<p>S</p><img src="https://a.example/p.gif" style="width:1px;height:1px"><img src="https://a.example/real.jpg">',
      '<p>S</p><img src="https://a.example/real.jpg"><img src="https://a.example/second.jpg">',
    ]) {
      const clean = sanitizer.sanitize(body);
      const original = { title: 't', html: clean.html };
      expect(rewriter.apply(original, clean)).toEqual(rewriter.apply(original));
    }
  });

  it('drops 1×1 images by attributes or by style, and known tracker hosts; keeps real images', () => {
    const body = [
      '<img src="https://a.example/one.gif" width="1" height="1">',
      '<img src="https://a.example/zero.gif" width="0px" height="0">',
      '<img src="https://a.example/styled.gif" style="border:0; width: 1px; height:1px !important">',
      '<img src="http://feeds.feedburner.com/~r/Example/~4/AbCdEf">',
      '<img src="https://pixel.wp.com/g.gif?blog=1">',
      '<img src="https://stats.wordpress.com/b.gif?v=1">',
      '<img src="https://www.google-analytics.com/collect?v=1&amp;tid=UA-1">',
      '<img src="https://www.facebook.com/tr?id=1&amp;ev=PageView">',
      '<img src="https://pixel.quantserve.com/pixel/p-1.gif">',
      '<img src="https://sb.scorecardresearch.com/p?c1=2">',
      '<img src="https://example.us1.list-manage.com/track/open.php?u=1">',
      '<p>Text</p>',
      '<img src="https://a.example/real.png" width="600" height="1">',
      '<img src="https://medium.com/max/800/photo.jpeg">',
    ].join('');
    const a = article({ html: body });
    expect(a.html).toBe(
      '<p>Text</p><img src="https://a.example/real.png" width="600" height="1" referrerpolicy="no-referrer"><img src="https://medium.com/max/800/photo.jpeg" referrerpolicy="no-referrer">',
    );
    expect(a.headimg).toBe('https://a.example/real.png');
  });

  it('tracking_pixels: false keeps them', () => {
    const a = article({ html: `<p>Story</p>${MEDIUM_PIXEL}` }, [], { trackingPixels: false });
    expect(a.html).toContain('https://medium.com/_/stat?event=post.clientViewed');
  });

  it('dropped alike with and without body rules (a streaming pass, or the DOM walk)', () => {
    const html = `<p>a &amp; b</p>${MEDIUM_PIXEL}<p><img src="https://a.example/x.gif" width="1" height="1"><img alt="" src="https://a.example/real.png?a=1&amp;b=2"></p><img src="https://a.example/second.png">`;
    const plain = createRewriter({ rewrite: [], trackingPixels: true, allowIframeHosts: [] }).apply({ title: 't', html });
    const walked = createRewriter({ rewrite: [{ kind: 'remove', selector: '.nothing' }], trackingPixels: true, allowIframeHosts: [] }).apply({ title: 't', html });
    expect(walked).toEqual(plain);
    expect(plain).toEqual({ title: 't', html: '<p>a &amp; b</p><p><img alt src="https://a.example/real.png?a=1&amp;b=2" referrerpolicy="no-referrer"></p><img src="https://a.example/second.png" referrerpolicy="no-referrer">',
      firstImage: 'https://a.example/real.png?a=1&b=2' });
  });

  it('knows a pixel by its attributes', () => {
    expect(isTrackingPixel({ src: 'https://a.example/x.gif', width: '1', height: '1' })).toBe(true);
    expect(isTrackingPixel({ src: 'https://a.example/x.gif', width: '1' })).toBe(false);
    expect(isTrackingPixel({ src: 'https://notmedium.com/_/stat' })).toBe(false);
    expect(isTrackingPixel({ src: 'not a url' })).toBe(false);
  });
});

describe('fallback_image', () => {
  it("the channel's fallback over the site's, and `none` (empty) for no headimg; an article's own image wins", () => {
    const plain = { title: 'T', html: '<p>no image</p>' };
    expect(article(plain, [], { fallbackImage: 'https://img.example/ph-{n}.png' }).headimg).toMatch(/^https:\/\/img\.example\/ph-\d+\.png#refeed-fallback$/);
    expect(article(plain, [], { fallbackImage: '' }).headimg).toBe('');
    expect(article(plain).headimg).toMatch(/^https:\/\/picsum\.photos\//);
    expect(article({ html: '<p><img src="https://a.example/own.png"></p>' }, [], { fallbackImage: 'https://img.example/ph.png' }).headimg).toBe('https://a.example/own.png');
  });
});

describe('hostile input', () => {
  it('a replacement cannot inject markup: a <script> in `with` stays text', () => {
    const a = article({ html: '<p>hello world</p>' }, [
      { kind: 'replace', field: 'content', pattern: 'world', with: '</p><script>alert(1)</script><img src=x onerror=alert(1)>' },
    ]);
    expect(a.html).not.toMatch(/<script|<img/i);
    expect(a.html).toContain('&lt;script&gt;');
    expect(executableFindings(a.html)).toEqual([]);
    // In a title: plain text, escaped wherever it is published.
    const t = article({ title: 'x' }, [{ kind: 'replace', field: 'title', pattern: 'x', with: '<script>alert(1)</script>' }]);
    expect(t.title).toBe('<script>alert(1)</script>');
  });

  it('leaves nothing executable, whatever the body and the replacement', () => {
    const parts = ['<', '>', '</', '/>', '"', "'", '=', ' ', '\n', '{', '}', '&', '&lt;', '&amp;', 'x', 'a', 'p', 'div', 'img', 'script', 'src=', 'onerror=', 'https://medium.com/_/stat', 'width=1 height=1', 'class="ad"', 'iframe', 'style'];
    const piece = fc.array(fc.constantFrom(...parts), { maxLength: 40 }).map((p) => p.join(''));
    fc.assert(
      fc.property(piece, piece, fc.boolean(), (html, replacement, remove) => {
        const rules: RewriteRule[] = [
          { kind: 'replace', field: 'content', pattern: 'x|a', with: replacement },
          ...(remove ? [{ kind: 'remove' as const, selector: '.ad, p > div' }] : []),
        ];
        const a = article({ html: `<p>${html}</p>x` }, rules);
        expect(executableFindings(a.html)).toEqual([]);
        expect(a.html).not.toMatch(/[{}]/);
        expect(a.html).not.toMatch(/<img[^>]*medium\.com\/_\/stat/);
      }),
      { numRuns: 500 },
    );
  });

  it('braces a replacement writes are escaped for Hexo, as the sanitizer escapes them', () => {
    const a = article({ html: '<p>x</p>' }, [{ kind: 'replace', field: 'content', pattern: 'x', with: '{% raw %}{{ secret }}' }]);
    expect(a.html).not.toMatch(/[{}]/);
    expect(a.html).toContain('&#123;');
  });

  it('a 200,000-deep body with a remove selector finishes in bounded time', () => {
    const depth = 200_000;
    const html = '<div class="x">'.repeat(depth) + '<p class="ad">ad</p>text' + '</div>'.repeat(depth);
    const started = performance.now();
    const a = article({ html }, [{ kind: 'remove', selector: 'div div p.ad, section > .nothing' }, { kind: 'replace', field: 'content', pattern: '(a+)+$', with: '' }]);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(a.html).toContain('text');
    expect(a.html).not.toContain('>ad<');
  });

  it('nested :has() and :not() selectors on 100 chains nested 250 deep (the deepest a body keeps) finish in bounded time', () => {
    const html = ('<div>'.repeat(250) + '<span>x</span>' + '</div>'.repeat(250)).repeat(100);
    const rewriter = createRewriter({
      rewrite: [{ kind: 'remove', selector: 'div:has(div:has(div:has(span + b))), div:not(:has(div:not(:has(div:not(:has(i)))))) > i' }],
      trackingPixels: true,
      allowIframeHosts: [],
    });
    const started = performance.now();
    const r = rewriter.apply({ title: 't', html });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(r.html).toBe(html);
  });

  it('a 5 MB body of 100,000 elements with :has() selectors and a pathological pattern finishes in bounded time', () => {
    const html = '<div><section><p>' + 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa<b>x</b>'.repeat(100_000) + '</p></section></div>';
    const rewriter = createRewriter({
      rewrite: [
        { kind: 'remove', selector: 'div:has(section:has(p:has(i))), p:not(:has(b)) ~ p' },
        { kind: 'replace', field: 'content', pattern: '(a+)+b', with: '' },
      ],
      trackingPixels: true,
      allowIframeHosts: [],
    });
    const started = performance.now();
    const r = rewriter.apply({ title: 't', html });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(r.html.length).toBeGreaterThan(100_000);
  });
});
