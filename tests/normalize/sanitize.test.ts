import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSanitizer } from '../../src/normalize/index.ts';
import { executableFindings } from './helpers.ts';

const BASE = 'https://blog.example.com/posts/2024/hello.html';
/** A sanitizer made for this one call. */
const sanitizeHtml = (html: string, opts: { baseUrl?: string; allowIframeHosts: string[] }) =>
  createSanitizer({ allowIframeHosts: opts.allowIframeHosts }).sanitize(html, opts.baseUrl === undefined ? undefined : new URL(opts.baseUrl));
const clean = (html: string, allowIframeHosts: string[] = []) => sanitizeHtml(html, { baseUrl: BASE, allowIframeHosts });

// [name, payload, text that must survive (harmless content around the attack)]
const XSS: [string, string, string?][] = [
  ['script tag', '<p>ok</p><script>alert(1)</script>', 'ok'],
  ['SCRIPT upper case', '<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok', 'ok'],
  ['script with attributes and spaces', '<script type="text/javascript" >alert(1)</script >ok', 'ok'],
  ['script split by a null', '<scr\0ipt>alert(1)</script>ok', 'ok'],
  ['nested script spelling', '<scr<script>ipt>alert(1)</scr</script>ipt>', undefined],
  ['unclosed script', '<p>ok</p><script>alert(1)', 'ok'],
  ['img onerror', '<img src=x onerror=alert(1)>ok', 'ok'],
  ['img onerror with slashes', '<img/src="x"/onerror="alert(1)">ok', 'ok'],
  ['onmouseover upper case', '<p ONMOUSEOVER="alert(1)">ok</p>', 'ok'],
  ['body onload', '<body onload=alert(1)>ok</body>', 'ok'],
  ['javascript: href', '<a href="javascript:alert(1)">ok</a>', 'ok'],
  ['JaVaScRiPt: href', '<a href="JaVaScRiPt:alert(1)">ok</a>', 'ok'],
  ['javascript: with tab', '<a href="java\tscript:alert(1)">ok</a>', 'ok'],
  ['javascript: with entity tab', '<a href="java&#9;script:alert(1)">ok</a>', 'ok'],
  ['javascript: with newline entity', '<a href="java&#x0A;script:alert(1)">ok</a>', 'ok'],
  ['javascript: entity-encoded', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">ok</a>', 'ok'],
  ['javascript: leading spaces', '<a href="  javascript:alert(1)">ok</a>', 'ok'],
  ['javascript: leading control char', '<a href="\x01javascript:alert(1)">ok</a>', 'ok'],
  ['vbscript: href', '<a href="vbscript:msgbox(1)">ok</a>', 'ok'],
  ['data:text/html href', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">ok</a>', 'ok'],
  ['data:text/html img src', '<img src="data:text/html,<script>alert(1)</script>">ok', 'ok'],
  ['javascript: img src', '<img src="javascript:alert(1)">ok', 'ok'],
  ['javascript: in srcset', '<img srcset="javascript:alert(1) 1x, data:text/html,x 2x">ok', 'ok'],
  ['javascript: video poster', '<video poster="javascript:alert(1)" controls></video>ok', 'ok'],
  ['formaction on button', '<form><button formaction="javascript:alert(1)">go</button></form>ok', 'ok'],
  ['input formaction', '<input type="submit" formaction="javascript:alert(1)">ok', 'ok'],
  ['form action', '<form action="javascript:alert(1)"><input name=q></form>ok', 'ok'],
  ['svg onload', '<svg onload=alert(1)><circle r=1></circle></svg>ok', 'ok'],
  ['svg script', '<svg><script>alert(1)</script></svg>ok', 'ok'],
  ['svg xlink:href', '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>ok', 'ok'],
  ['svg animate', '<svg><animate onbegin=alert(1) attributeName=x dur=1s></animate></svg>ok', 'ok'],
  ['math href', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>ok', 'ok'],
  ['math mtext mXSS', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>ok', 'ok'],
  ['style tag', '<style>body{background:url("javascript:alert(1)")}</style>ok', 'ok'],
  ['style @import', '<style>@import "https://evil.example/x.css";</style>ok', 'ok'],
  ['style attribute expression', '<p style="width: expression(alert(1))">ok</p>', 'ok'],
  ['style attribute url', '<p style="background:url(javascript:alert(1))">ok</p>', 'ok'],
  ['base href', '<base href="https://evil.example/">ok', 'ok'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">ok', 'ok'],
  ['link stylesheet', '<link rel="stylesheet" href="https://evil.example/x.css">ok', 'ok'],
  ['iframe javascript:', '<iframe src="javascript:alert(1)"></iframe>ok', 'ok'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>ok', 'ok'],
  ['iframe from an unlisted host', '<iframe src="https://evil.example/"></iframe>ok', 'ok'],
  ['object data', '<object data="javascript:alert(1)"></object>ok', 'ok'],
  ['object with fallback', '<object data="https://evil.example/x.swf"><p>ok</p></object>', 'ok'],
  ['embed', '<embed src="https://evil.example/x.swf">ok', 'ok'],
  ['noscript attribute breakout', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">ok</p></noscript>', 'ok'],
  ['textarea breakout', '<textarea><img src=x onerror=alert(1)></textarea>ok', 'ok'],
  ['title breakout', '<title><img src=x onerror=alert(1)></title>ok', 'ok'],
  ['template', '<template><img src=x onerror=alert(1)></template>ok', 'ok'],
  ['comment breakout', '<!-- --><img src=x onerror=alert(1)> -->ok', 'ok'],
  ['CDATA', '<![CDATA[<script>alert(1)</script>]]>ok', 'ok'],
  ['entity-encoded markup stays text', '&lt;script&gt;alert(1)&lt;/script&gt;ok', 'ok'],
  ['attribute quote breakout', '<a title=\'x" onmouseover="alert(1)\' href="/ok">ok</a>', 'ok'],
  ['unquoted attribute with backtick', '<img src=`x` onerror=`alert(1)`>ok', 'ok'],
  ['marquee onstart', '<marquee onstart=alert(1)>ok</marquee>', 'ok'],
  ['details ontoggle', '<details open ontoggle=alert(1)><summary>ok</summary></details>', 'ok'],
  ['a with target and onclick', '<a href="https://ok.example/" onclick="alert(1)" target="_blank">ok</a>', 'ok'],
  ['xmp', '<xmp><img src=x onerror=alert(1)></xmp>ok', 'ok'],
  ['isindex/keygen', '<isindex action=javascript:alert(1) type=image><keygen autofocus onfocus=alert(1)>ok', 'ok'],
];

describe('sanitizeHtml: nothing executable survives', () => {
  it.each(XSS)('%s', (_name, payload, survivor) => {
    const { html } = clean(payload);
    expect(executableFindings(html)).toEqual([]);
    // (Handler names may survive as inert text, e.g. inside a title attribute; the parse above checks real attributes.)
    expect(html.toLowerCase()).not.toMatch(/javascript:|vbscript:|data:text\/html|<script/);
    if (survivor) expect(html).toContain(survivor);
  });

  it('reports what it removed', () => {
    const { removed } = clean('<p onclick="x()">a</p><script>x</script><a href="javascript:x">b</a><img src=x onerror=y><svg></svg>');
    expect(removed).toEqual(['p[onclick]', 'script', 'a[href]', 'img[onerror]', 'svg']);
  });

  it('keeps iframes only from allowed hosts', () => {
    const embed = '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" allowfullscreen></iframe>';
    expect(clean(embed).html).toBe('');
    expect(clean(embed).removed).toEqual(['iframe']);
    const allowed = clean(embed, ['www.youtube.com']);
    expect(allowed.html).toBe('<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" allowfullscreen></iframe>');
    expect(executableFindings(allowed.html, ['www.youtube.com'])).toEqual([]);
    // the host must match exactly, not as a prefix or suffix
    expect(clean('<iframe src="https://www.youtube.com.evil.example/"></iframe>', ['www.youtube.com']).html).toBe('');
    expect(clean('<iframe src="https://evil.example/?www.youtube.com"></iframe>', ['www.youtube.com']).html).toBe('');
  });

  it('keeps each sanitizer to the hosts it was made with, whatever the others allow', () => {
    const youtube = createSanitizer({ allowIframeHosts: [' WWW.YouTube.com '] });
    const vimeo = createSanitizer({ allowIframeHosts: ['player.vimeo.com'] });
    const yt = '<iframe src="https://www.youtube.com/embed/a"></iframe>';
    const vm = '<iframe src="https://player.vimeo.com/video/1"></iframe>';
    for (let round = 0; round < 2; round++) {
      expect(youtube.sanitize(yt).html).toBe(yt);
      expect(vimeo.sanitize(yt).html).toBe('');
      expect(vimeo.sanitize(vm).html).toBe(vm);
      expect(youtube.sanitize(vm).html).toBe('');
    }
  });
});

describe('sanitizeHtml: harmless markup survives', () => {
  it.each([
    ['paragraphs and inline', '<p>a <b>b</b> <i>i</i> <em>e</em> <strong>s</strong> <code>c</code> <sub>1</sub><sup>2</sup> <mark>m</mark> <del>d</del> <ins>n</ins></p>'],
    ['headings with ids (tables of contents)', '<h2 id="toc-1">一、标题</h2><a href="#toc-1">跳转</a>'],
    ['lists', '<ul><li>a</li></ul><ol start="3"><li>b</li></ol><dl><dt>t</dt><dd>d</dd></dl>'],
    ['table', '<table><caption>c</caption><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2" rowspan="1">d</td></tr></tbody></table>'],
    ['figure and picture', '<figure><picture><source srcset="https://cdn.example/a.webp" type="image/webp"><img src="https://cdn.example/a.jpg" alt="A" width="10" height="10" referrerpolicy="no-referrer"></picture><figcaption>cap</figcaption></figure>'],
    ['video with controls', '<video src="https://cdn.example/v.mp4" poster="https://cdn.example/p.jpg" controls width="640"><track src="https://cdn.example/s.vtt" kind="subtitles" srclang="zh"></video>'],
    ['audio with controls', '<audio src="https://cdn.example/a.mp3" controls></audio>'],
    ['blockquote with cite, pre, hr, br', '<blockquote cite="https://example.org/q"><p>q</p></blockquote><pre><code class="language-js">let a = 1;\nlet b = 2;</code></pre><hr><p>x<br>y</p>'],
    ['mailto and tel links', '<a href="mailto:a@example.com">m</a> <a href="tel:+8612345">t</a>'],
    ['data image src', '<img src="data:image/png;base64,iVBORw0KGgo=" referrerpolicy="no-referrer">'],
    ['data- and aria- attributes, class, title, lang', '<p class="x y" title="t" lang="zh-CN" data-id="1" aria-label="l">p</p>'],
    ['details', '<details open><summary>s</summary><p>d</p></details>'],
  ])('%s', (_name, html) => {
    const out = clean(html);
    expect(out.html).toBe(html);
    expect(out.removed).toEqual([]);
  });

  it('adds referrerpolicy="no-referrer" to every image, replacing any other policy', () => {
    const { html } = clean('<img src="https://a.example/1.jpg"><img src="https://a.example/2.jpg" referrerpolicy="unsafe-url">');
    expect(html).toBe('<img src="https://a.example/1.jpg" referrerpolicy="no-referrer"><img src="https://a.example/2.jpg" referrerpolicy="no-referrer">');
  });

  it('takes the real image out of lazy-loading placeholders', () => {
    const { html } = clean('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/real.jpg">');
    expect(html).toContain('src="https://blog.example.com/img/real.jpg"');
  });
});

// Issue 11. An element dropped with its content (svg, math, textarea, xmp,
// title, select, option, template, noembed, noframes, iframe) is dropped whole
// only when it is closed. A stray, never-closed one loses only its own markup:
// what follows stays, sanitized like the rest. (htmlparser2 keeps everything
// after an unclosed <svg> inside it, and reads everything after an unclosed
// <textarea> or <xmp> as its text: sanitize-html lost the rest of the article.)
describe('sanitizeHtml: unclosed containers never cost the text after them', () => {
  it('drops a closed svg or math whole, its text included', () => {
    expect(clean('<p>a</p><svg viewBox="0 0 1 1"><text>label</text><circle r="1"/></svg><p>after</p>')).toEqual({ html: '<p>a</p><p>after</p>', removed: ['svg'] });
    expect(clean('x<math><mi>y</mi><mo>=</mo><mn>2</mn></math>z')).toEqual({ html: 'xz', removed: ['math'] });
    expect(clean('<svg><p>inside</p></svg>after').html).toBe('after');
  });

  it('keeps what follows an unclosed svg or math, without its markup', () => {
    expect(clean('<p>a</p><svg onload=alert(1)><circle r=1></circle><p>after <b>bold</b></p>')).toEqual({
      html: '<p>a</p><p>after <b>bold</b></p>',
      removed: ['svg', 'circle'],
    });
    expect(clean('<svg><path d="M0 0"/>text after').html).toBe('text after');
    expect(clean('<math><mi>x</mi><mo>=</mo><mn>2</mn> holds').html).toBe('x=2 holds');
    // closed by an ancestor's end tag: the same
    expect(clean('<p>icon <svg><use href="#i"></use></p><p>after</p>').html).toBe('<p>icon </p><p>after</p>');
  });

  it('drops a closed textarea, xmp or title with its content, and reads what follows an unclosed one as markup', () => {
    expect(clean('<textarea><b>x</b></textarea>ok<xmp><p>y</p></xmp><title>t</title>')).toEqual({ html: 'ok', removed: ['textarea', 'xmp', 'title'] });
    expect(clean('<p>Use a <textarea> for <b>long</b> &amp; wide input.</p><p>after</p>')).toEqual({
      html: '<p>Use a  for <b>long</b> &amp; wide input.</p><p>after</p>',
      removed: ['textarea'],
    });
    expect(clean('<xmp><p>after <i>it</i></p>').html).toBe('<p>after <i>it</i></p>');
    expect(clean('<title>x &lt;b&gt; <b>y</b>').html).toBe('x &lt;b&gt; <b>y</b>');
  });

  it('keeps nothing executable from what follows an unclosed one', () => {
    const out = clean('<textarea><script>alert(1)</script><img src=x onerror=alert(1)><p onclick=x>after</p>');
    expect(out.html).toBe('<img src="https://blog.example.com/posts/2024/x" referrerpolicy="no-referrer"><p>after</p>');
    expect(out.removed).toEqual(['textarea', 'script', 'img[onerror]', 'p[onclick]']);
    for (const payload of ['<svg><script>alert(1)</script>', '<math><style>x</style><mglyph><a href="javascript:x">', '<xmp><svg onload=alert(1)>', '<select><option><iframe src=javascript:x>']) {
      const { html } = clean(`${payload}<p>after</p>`);
      expect(executableFindings(html), payload).toEqual([]);
      expect(html, payload).toContain('after');
    }
  });

  it('reads the rest again at most a few times: past that it stays escaped text', () => {
    const { html } = clean('<xmp>'.repeat(2000) + '<script>alert(1)</script>after');
    expect(executableFindings(html)).toEqual([]);
    expect(html.endsWith('&lt;script&gt;alert(1)&lt;/script&gt;after')).toBe(true);
    expect(html.split('&lt;xmp&gt;')).toHaveLength(2000 - 5 + 1); // the first 5 were read as tags (4 re-readings)
  });

  it('drops select, option and template with their content when closed, keeps the rest when not', () => {
    expect(clean('a<select><option>1</option></select><template><p>t</p></template>b').html).toBe('ab');
    expect(clean('<select><option>one<option>two').html).toBe('onetwo');
    expect(clean('<template><p>kept</p>').html).toBe('<p>kept</p>');
  });

  it('never writes content inside an iframe (a browser never shows it), and keeps what follows an unclosed one', () => {
    const yt = '<iframe src="https://www.youtube.com/embed/a"></iframe>';
    expect(clean('<iframe src="https://www.youtube.com/embed/a"><p>fallback</p></iframe>after', ['www.youtube.com']).html).toBe(`${yt}after`);
    expect(clean('<iframe src="https://www.youtube.com/embed/a"><p>after</p>', ['www.youtube.com']).html).toBe(`${yt}<p>after</p>`);
    expect(clean('<iframe src="https://evil.example/"><p>fallback</p></iframe>after')).toEqual({ html: 'after', removed: ['iframe'] });
    expect(clean('<iframe src="https://evil.example/"><p>after</p>')).toEqual({ html: '<p>after</p>', removed: ['iframe'] });
    // An image inside a dropped iframe is not the article's image.
    expect(clean('<iframe src="https://evil.example/"><img src="https://a.example/i.png"></iframe>').firstImage).toBeUndefined();
  });
});

// htmlparser2 nests some start tags that a browser's tree builder takes as
// closing open elements; the end tags written later would then close the
// wrong elements, and a <div>'s end tag the article's own <div> wrapper.
describe('sanitizeHtml: nothing closes the article wrapper in a browser', () => {
  it.each([
    ['an <li> in a <div> in an <li>', '<ul><li>a<div>b<li>c</li></div></li></ul>', '<ul><li>a<div>bc</div></li></ul>'],
    ['a <dt> in a <div> in a <dd>', '<dl><dd>a<div><dt>b</dt></div></dd></dl>', '<dl><dd>a<div>b</div></dd></dl>'],
    ['a heading right in a heading', '<h1>a<div><h2>b<h3>c</h3></h2></div></h1>', '<h1>a<div><h2>bc</h2></div></h1>'],
    ['a <table> in a table, outside a cell', '<table><div><table><tr><td>x</td></tr></table><dd>y</dd></div></table>', '<table><div><tr><td>x</td></tr><dd>y</dd></div></table>'],
    ['a table part outside a table (ignored by browsers)', '<dt><tr><div><dt>x</dt></div></tr></dt>', '<dt><tr><div>x</div></tr></dt>'],
  ])('leaves out the start tag of %s, keeping its content', (_name, input, output) => {
    expect(clean(input)).toEqual({ html: output, removed: [] });
  });

  it('keeps what a browser reads the same way', () => {
    for (const html of ['<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>', '<li><b><li>x</li></b></li>', '<h1>a</h1><div><h2>b</h2></div>', '<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>']) {
      expect(clean(html).html).toBe(html);
    }
  });
});

describe('sanitizeHtml: URLs', () => {
  it('resolves relative href/src/srcset/poster against the base', () => {
    const { html } = clean(
      '<a href="../other.html">o</a><a href="/root">r</a><a href="//cdn.example/x">p</a><img src="img/a.png" srcset="img/a.png 1x, /img/a@2x.png 2x"><video poster="p.jpg" src="v.mp4"></video>',
    );
    expect(html).toBe(
      '<a href="https://blog.example.com/posts/other.html">o</a><a href="https://blog.example.com/root">r</a><a href="https://cdn.example/x">p</a>' +
        '<img src="https://blog.example.com/posts/2024/img/a.png" srcset="https://blog.example.com/posts/2024/img/a.png 1x, https://blog.example.com/img/a@2x.png 2x" referrerpolicy="no-referrer">' +
        '<video poster="https://blog.example.com/posts/2024/p.jpg" src="https://blog.example.com/posts/2024/v.mp4"></video>',
    );
  });

  it('leaves fragment links alone and relative URLs relative when there is no base', () => {
    expect(clean('<a href="#sec">s</a>').html).toBe('<a href="#sec">s</a>');
    expect(sanitizeHtml('<img src="a.png">', { allowIframeHosts: [] }).html).toBe('<img src="a.png" referrerpolicy="no-referrer">');
  });
});

describe('sanitizeHtml: Hexo safety', () => {
  it('writes braces as entities everywhere in the body (Nunjucks sees no tags)', () => {
    const { html } = clean('<p>{{ page.title }} {% raw %} {# c #}</p><a href="https://x.example/?q={a}">l</a>');
    expect(html).not.toMatch(/[{}]/);
    expect(html).toBe('<p>&#123;&#123; page.title &#125;&#125; &#123;% raw %&#125; &#123;# c #&#125;</p><a href="https://x.example/?q=&#123;a&#125;">l</a>');
  });

  it('escapes code fences so Hexo does not treat them as Markdown code blocks', () => {
    const { html } = clean('<pre>```js\nx\n```\n~~~\n</pre>');
    expect(html).not.toMatch(/```|~~~/);
    expect(html).toContain('&#96;&#96;&#96;js');
  });

  it('leaves no blank line (it would end the HTML block in Markdown), keeping <pre> content intact', () => {
    const { html } = clean('<p>a</p>\n\n  \n<p>b\n\nc</p>\n<pre>x\n\n  \ny</pre>');
    expect(html).not.toMatch(/\n[ \t]*\n/);
    expect(html).toBe('<p>a</p>\n<p>b\nc</p>\n<pre>x&#10;&#10;  \ny</pre>');
  });

  it('keeps quotes in text and escapes them in attributes', () => {
    const { html } = clean(`<p title='say "hi"'>"quoted" and 'single' &amp; &lt;b&gt;</p>`);
    expect(html).toBe(`<p title="say &quot;hi&quot;">"quoted" and 'single' &amp; &lt;b&gt;</p>`);
  });

  it('writes void elements HTML-style and an empty alt bare, as the reference does', () => {
    expect(clean('<p>a<br/>b<img src="https://a.example/x.png" alt=""/></p><hr />').html).toBe(
      '<p>a<br>b<img src="https://a.example/x.png" alt referrerpolicy="no-referrer"></p><hr>',
    );
  });
});

// Random soup of the pieces attacks are built from.
const ALPHABET = [
  '<', '>', '</', '/>', '/', '"', "'", '`', '=', ' ', '\t', '\n', '\0', 'x', 'ok', '{', '}', '&', '&#', ';', '&#106;', '&#x6A;', '&lt;', '&gt;',
  'script', 'img', 'svg', 'math', 'iframe', 'a', 'p', 'style', 'base', 'meta', 'object', 'embed', 'form', 'button', 'input', 'noscript', 'template',
  'textarea', 'title', 'xmp', 'details', 'video', 'source',
  'href', 'src', 'srcset', 'srcdoc', 'poster', 'formaction', 'action', 'xlink:href', 'data', 'http-equiv', 'refresh', 'content',
  'onerror', 'onload', 'ONCLICK', 'ontoggle', 'javascript:', 'JaVaScRiPt:', 'java\tscript:', 'vbscript:', 'data:text/html,', 'data:image/png,',
  'alert(1)', 'expression(', '@import', 'url(', '<!--', '-->', '<![CDATA[', ']]>', 'https://ok.example/', '//evil.example/',
];

describe('sanitizeHtml: property', () => {
  it('leaves nothing executable from any mix of attack fragments', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 60 }), fc.boolean(), (parts, withIframes) => {
        const hosts = withIframes ? ['ok.example'] : [];
        const { html } = sanitizeHtml(parts.join(''), { baseUrl: BASE, allowIframeHosts: hosts });
        expect(executableFindings(html, hosts)).toEqual([]);
        expect(html).not.toMatch(/[{}]/);
        expect(html).not.toMatch(/\n[ \t]*\n/);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const { html } = sanitizeHtml(s, { baseUrl: BASE, allowIframeHosts: [] });
        expect(executableFindings(html)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the executable-content checker used above', () => {
  it.each([
    '<script>alert(1)</script>',
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JAVASCRIPT:alert(1)">x</a>',
    '<img srcset="https://a.example/a.png 1x, javascript:alert(1) 2x">',
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="x"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<p style="x:expression(alert(1))">x</p>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<img src="data:text/html,x">',
  ])('flags %s', (html) => {
    expect(executableFindings(html).length).toBeGreaterThan(0);
  });
});
