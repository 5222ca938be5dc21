import { parseFragment } from 'parse5';
import { describe, expect, it } from 'vitest';
import { htmlToText as titleText } from '../../src/fetch/content.ts';
import { findFeedLinks } from '../../src/fetch/feed-links.ts';
import { createSanitizer } from '../../src/normalize/index.ts';
import { htmlToText, visibleText } from '../../src/normalize/text.ts';
import { EXCERPT_SCAN, excerpt } from '../../src/publish/text.ts';
import { DepthBoundParser, MAX_HTML_DEPTH } from '../../src/util/html-parser.ts';

// Issue 20, item 3: HTML nested hundreds of thousands of levels deep. htmlparser2
// moves its whole stack of open elements at every start tag, so parse time grew
// with the square of the depth (200k levels: 40 s, in the sanitizer worker and
// again on the daemon's main thread building excerpts). Nesting is now bounded
// like browsers bound it: deeper start tags are dropped, their content kept.
// No wall-clock assertion: the work htmlparser2 does per start tag is the size
// of its stack, which these tests bound and sum.

const nested = (tag: string, depth: number, inner: string, close = true) => `<${tag}>`.repeat(depth) + inner + (close ? `</${tag}>`.repeat(depth) : '');

/** The deepest element nesting in `html`, as a browser-conformant parser (parse5) builds it. */
function treeDepth(html: string): number {
  let deepest = 0;
  const stack: { node: { childNodes?: unknown[] }; depth: number }[] = [{ node: parseFragment(html) as never, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    deepest = Math.max(deepest, depth);
    for (const c of (node.childNodes ?? []) as { nodeName: string; childNodes?: unknown[] }[]) if (!c.nodeName.startsWith('#')) stack.push({ node: c, depth: depth + 1 });
  }
  return deepest;
}

/** Parses `html` with the bounded parser; `work` sums htmlparser2's stack size at each start tag (what its unshift moves). */
function parseCounting(html: string, maxDepth = MAX_HTML_DEPTH) {
  let work = 0;
  let opens = 0;
  const events: string[] = [];
  const parser: DepthBoundParser = new DepthBoundParser(
    {
      onopentagname: (name) => {
        opens++;
        work += parser.depth;
        if (events.length < 200) events.push(`<${name}>`);
      },
      onclosetag: (name) => events.length < 200 && events.push(`</${name}>`),
      ontext: (t) => events.length < 200 && events.push(t),
    },
    html,
    { decodeEntities: true },
    maxDepth,
  );
  parser.end(html);
  return { work, opens, events, deepest: parser.deepest, flattened: parser.flattened };
}

describe('DepthBoundParser', () => {
  it('drops start and end tags past the bound and keeps their content where the bound is', () => {
    const r = parseCounting('<div><p><b><i>deep <u>text</u>!</i></b></p><p>after</p></div>', 2);
    expect(r.deepest).toBe(2);
    expect(r.flattened).toBe(3); // b, i, u
    expect(r.events).toEqual(['<div>', '<p>', 'deep ', 'text', '!', '</p>', '<p>', 'after', '</p>', '</div>']);
  });

  it('lets void and raw-text elements through at the bound: no script becomes text', () => {
    const r = parseCounting('<div><p><span><br><script>alert(1)</script>ok</span></p></div>', 2);
    expect(r.events).toEqual(['<div>', '<p>', '<br>', '</br>', '<script>', 'alert(1)', '</script>', 'ok', '</p>', '</div>']);
    expect(r.deepest).toBe(3);
  });

  it('an end tag of an element outside the dropped ones closes them all', () => {
    const r = parseCounting('<div><p><span><span>x</p><p>y</p></div>', 2);
    expect(r.events).toEqual(['<div>', '<p>', 'x', '</p>', '<p>', 'y', '</p>', '</div>']);
  });

  it.each([
    ['closed', (n: number) => nested('div', n, 'x')],
    ['never closed', (n: number) => nested('span', n, 'x', false)],
    ['mixed and unclosed', (n: number) => '<ul><li><div><p><table><tr><td><b><i><a>'.repeat(n / 10) + 'x'],
  ])('does linear work on 50k- and 200k-deep markup (%s)', (_, make) => {
    const small = parseCounting(make(50_000));
    const large = parseCounting(make(200_000));
    for (const r of [small, large]) {
      expect(r.deepest).toBeLessThanOrEqual(MAX_HTML_DEPTH + 1);
      expect(r.work).toBeLessThanOrEqual(r.opens * (MAX_HTML_DEPTH + 1));
    }
    expect(large.flattened).toBeGreaterThan(190_000);
    // Four times the input, four times the work (a quadratic parse would do sixteen).
    expect(large.work / small.work).toBeLessThan(4.5);
  });
});

describe('sanitizer on deep nesting', () => {
  const sanitizer = createSanitizer({ allowIframeHosts: [] });

  it('flattens a 200k-deep body: the text stays, the depth is bounded, and it says so', () => {
    const body = sanitizer.sanitize(nested('div', 200_000, '<b>deep text</b>') + '<p>after</p>');
    expect(body.html).toContain('deep text');
    expect(body.html.endsWith('<p>after</p>')).toBe(true);
    expect(body.removed).toContain(`nesting deeper than ${MAX_HTML_DEPTH} levels`);
    // Balanced: every element written is closed, so a browser nests it exactly that deep.
    expect((body.html.match(/<div>/g) ?? []).length).toBe((body.html.match(/<\/div>/g) ?? []).length);
    expect(treeDepth(`<div class="wrap">${body.html}</div><p>outside</p>`)).toBeLessThanOrEqual(MAX_HTML_DEPTH + 1);
  });

  it('a 200k-deep unclosed body with script at the bottom runs no script and keeps its text', () => {
    const body = sanitizer.sanitize(nested('span', 200_000, '<script>alert(1)</script><img src=x onerror=alert(2)>kept', false));
    expect(body.html).toContain('kept');
    expect(body.html).not.toMatch(/alert|onerror|<script/i);
    expect(treeDepth(body.html)).toBeLessThanOrEqual(MAX_HTML_DEPTH + 1);
  });

  it('leaves ordinary nesting alone', () => {
    const html = nested('div', MAX_HTML_DEPTH - 1, '<p>x</p>');
    const body = sanitizer.sanitize(html);
    expect(body.html).toBe(html);
    expect(body.removed).toEqual([]);
  });
});

describe('text extraction on deep nesting', () => {
  const deep = nested('div', 200_000, 'hello <b>deep</b> world');

  it('excerpts and text of a 200k-deep article (publish, filters, titles)', () => {
    expect(htmlToText(deep)).toBe('hello deep world');
    // Publish excerpts the sanitized body, which is flattened…
    expect(excerpt(createSanitizer({ allowIframeHosts: [] }).sanitize(deep).html)).toBe('hello deep world');
    // …and reads a bounded amount of markup, whatever the file holds (text past it is not looked for).
    expect(excerpt(nested('span', 200_000, 'late', false))).toBe('');
    expect(excerpt('<i></i>'.repeat(Math.floor(EXCERPT_SCAN / 7) - 10) + 'just in time and then some')).toBe('just in time and then some');
    expect(visibleText(nested('span', 200_000, 'a'.repeat(500), false), 100).length).toBeGreaterThan(100);
  });

  it('an Atom type="html" title nested 200k deep (fetch)', () => {
    expect(titleText(nested('em', 200_000, 'Title &amp; more'))).toBe('Title & more');
  });

  it('feed discovery on a 200k-deep page still finds the link', () => {
    const page = nested('div', 200_000, '<link rel="alternate" type="application/rss+xml" href="/feed.xml">');
    expect(findFeedLinks(page, 'https://site.example/').map((l) => l.url)).toEqual(['https://site.example/feed.xml']);
  });
});
