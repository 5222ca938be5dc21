import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parse as yamlParse } from 'yaml';
import type { Article } from '../../src/core/types.ts';
import { ArticleFileError, parseArticle } from '../../src/normalize/index.ts';
import { channel, ctx, normalize, rawItem, renderArticle } from './helpers.ts';

function article(over: Partial<Article> = {}): Article {
  return {
    itemKey: 'https://example.com/p/1',
    channelKey: 'g/s/c',
    categories: ['Group', 'Source', 'Channel'],
    slugs: ['g', 's', 'c'],
    title: 'A title',
    author: 'Someone',
    date: new Date('2022-07-30T00:00:00Z'),
    headimg: 'https://example.com/a.jpg',
    html: '<p>body</p>',
    tags: [],
    enclosures: [],
    contentHash: '',
    ...over,
  };
}

/** The YAML between the `---` lines, as Hexo's front-matter splitter would take it. */
function frontMatterYaml(file: string): string {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(file);
  if (!m) throw new Error('no front matter');
  return m[1];
}

/** Both readers — the yaml package, and js-yaml as Hexo uses it. */
function readBoth(file: string): [Record<string, unknown>, Record<string, unknown>] {
  const yaml = frontMatterYaml(file);
  return [yamlParse(yaml) as Record<string, unknown>, jsyaml.load(yaml) as Record<string, unknown>];
}

// Reference for what survives in a one-line scalar, written independently of
// the implementation: walk code points, drop what YAML forbids, turn each run
// of line breaks (and the blanks around it) into one space, trim.
function expectedOneLine(input: string): string {
  const isBreak = (c: number) => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
  const forbidden = (c: number) =>
    (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || (c >= 0x80 && c <= 0x9f && c !== 0x85) ||
    (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff;
  let out = '';
  for (const ch of input) {
    const c = ch.codePointAt(0)!;
    if (forbidden(c)) continue;
    out += isBreak(c) ? '\n' : ch;
  }
  return out.replace(/[ \t]*\n[ \t\n]*/g, ' ').trim();
}

const TRICKY = [
  "'", "''", '"', ':', ': ', ' :', '#', ' #', '- ', '-', '? ', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`', '\\',
  '\n', '\r\n', '\r', '\t', ' ', '\0', '\x07', '\x1b', '\x7f', '\x85', '\x9f', '\u2028', '\ufeff', '\ud800', '\udfff',
  '---', '...', 'yes', 'no', 'on', 'null', '~', 'true', '0o17', '0x1F', '1_000', '12:30', '2022-07-30', '1e3', '.inf', '<<', '=',
  '产业互联网', '「引号」', '😀', 'x', 'word ',
];
const trickyString = fc.oneof(
  fc.array(fc.constantFrom(...TRICKY), { maxLength: 12 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

describe('renderArticle: front matter scalars', () => {
  it('quotes titles in single quotes, doubling inner quotes, and keeps braces literal', () => {
    const file = renderArticle(article({ title: "It's {{ big }}: #1 - 'quoted'" }));
    expect(file).toContain("\ntitle: 'It''s {{ big }}: #1 - ''quoted'''\n");
    expect(readBoth(file).map((d) => d.title)).toEqual(Array(2).fill("It's {{ big }}: #1 - 'quoted'"));
  });

  it('collapses newlines in titles and drops characters YAML forbids', () => {
    const file = renderArticle(article({ title: 'line one\r\n  line two\x07\x00 end\n' }));
    expect(file).toContain("\ntitle: 'line one line two end'\n");
  });

  it('writes the author plain when YAML reads that back as the same string, quoted otherwise', () => {
    const line = (author: string) => renderArticle(article({ author })).split('\n').find((l) => l.startsWith('author:'));
    expect(line('人人都是产品经理')).toBe('author: 人人都是产品经理');
    expect(line("O'Brien")).toBe("author: O'Brien");
    expect(line('yes')).toBe("author: 'yes'");
    expect(line('2022-07-30')).toBe("author: '2022-07-30'");
    expect(line('- dash')).toBe("author: '- dash'");
    expect(line('a: b')).toBe("author: 'a: b'");
    expect(line('#tag')).toBe("author: '#tag'");
    expect(line('--- doc')).toBe("author: '--- doc'");
  });

  it('writes link and guid only when present', () => {
    const without = renderArticle(article());
    expect(without).not.toMatch(/^link:|^guid:/m);
    const withBoth = renderArticle(article({ link: "https://example.com/it's", guid: 'tag:example.com,2022:1' }));
    expect(withBoth).toContain("\nthumbnail: 'https://example.com/a.jpg'\nlink: 'https://example.com/it''s'\nguid: 'tag:example.com,2022:1'\n---\n");
  });

  it('reads back identically with the yaml package and with js-yaml (Hexo) for any title, author and names', () => {
    fc.assert(
      fc.property(trickyString, trickyString, fc.tuple(trickyString, trickyString, trickyString), (title, author, names) => {
        const a = article({ title, author, categories: names });
        const file = renderArticle(a);
        const yaml = frontMatterYaml(file);
        // one line per key: no scalar spills onto a second line
        expect(yaml.split('\n')).toHaveLength(10);
        expect(yaml.split('\n')[0]).toMatch(/^title: '.*'$/);
        for (const doc of readBoth(file)) {
          expect(doc.title).toBe(expectedOneLine(title));
          expect(doc.author).toBe(expectedOneLine(author));
          expect(doc.categories).toEqual(names.map(expectedOneLine));
          expect(doc.date).toBe('Sat, 30 Jul 2022 00:00:00 GMT');
          expect(doc.comments).toBe(false);
        }
      }),
      // Regressions found by this property: number spellings only js-yaml knows.
      { numRuns: 1500, examples: [['', '', ['', '-0o17', '']], ['0b1_0', '+.5', ['0x1F', '1_000', '.inf']]] },
    );
  });

  it('keeps a string exactly when it has nothing to drop or collapse', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), (s) => {
        fc.pre(expectedOneLine(s) === s);
        const file = renderArticle(article({ title: s, author: s }));
        for (const doc of readBoth(file)) {
          expect(doc.title).toBe(s);
          expect(doc.author).toBe(s);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseArticle', () => {
  it('round-trips what renderArticle writes', () => {
    const a = article({
      title: "Quotes ' \" and {braces}",
      categories: ['新媒体', 'yes', '- x'],
      author: '2022-07-30',
      link: 'https://example.com/p?a=1&b=2',
      guid: '12345',
      html: '<p>a&#123;b&#125;</p>\n<p>c</p>',
    });
    const p = parseArticle(renderArticle(a));
    expect(p).toEqual({
      title: a.title,
      categories: a.categories,
      headimg: a.headimg,
      author: a.author,
      date: a.date,
      link: a.link,
      guid: a.guid,
      html: a.html,
      tags: [],
      enclosures: [],
    });
  });

  it('round-trips normalized items, body included', () => {
    const { article: a } = normalize(
      rawItem({ title: 'T', link: '/p/1', date: '2024-01-02T03:04:05Z', html: '<p>x {y}</p><img src="/i.png">' }),
      ctx({ channel: channel({ author: 'item' }) }),
    );
    const p = parseArticle(renderArticle(a));
    expect(p.title).toBe(a.title);
    expect(p.link).toBe('https://feeds.example.com/p/1');
    expect(p.date).toEqual(a.date);
    expect(p.headimg).toBe('https://feeds.example.com/i.png');
    expect(p.html).toBe(a.html);
  });

  it('writes an empty body without a blank line inside the wrapper', () => {
    const file = renderArticle(article({ html: '' }));
    expect(file.endsWith('---\n\n<div>\n</div>\n')).toBe(true);
    expect(parseArticle(file).html).toBe('');
  });

  it.each([
    ['empty file', '', /no front matter/],
    ['no front matter', '<div>\n<p>x</p>\n</div>\n', /no front matter/],
    ['unterminated front matter', "---\ntitle: 'x'\ndate: Sat, 30 Jul 2022 00:00:00 GMT\n\n<div></div>\n", /no front matter/],
    ['bad YAML', "---\ntitle: 'unterminated\ndate: Sat, 30 Jul 2022 00:00:00 GMT\n---\n", /bad YAML/],
    ['duplicate key', "---\ntitle: 'a'\ntitle: 'b'\ndate: Sat, 30 Jul 2022 00:00:00 GMT\n---\n", /bad YAML/],
    ['front matter is a list', '---\n- a\n- b\n---\n', /not a mapping/],
    ['missing title', '---\ndate: Sat, 30 Jul 2022 00:00:00 GMT\n---\n', /missing `title`/],
    ['missing date', "---\ntitle: 'x'\n---\n", /missing `date`/],
    ['unreadable date', "---\ntitle: 'x'\ndate: someday\n---\n", /unreadable `date`/],
    ['title is a map', "---\ntitle:\n  a: 1\ndate: Sat, 30 Jul 2022 00:00:00 GMT\n---\n", /`title` must be a string/],
    ['category is a map', "---\ntitle: 'x'\ncategories:\n - a: 1\ndate: Sat, 30 Jul 2022 00:00:00 GMT\n---\n", /`categories\[0\]` must be a string/],
  ])('rejects a broken file: %s', (_name, text, reason) => {
    let error: unknown;
    try {
      parseArticle(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArticleFileError);
    expect((error as ArticleFileError).reason).toMatch(reason);
    expect((error as Error).message).toMatch(/^broken article file: /);
  });

  it('accepts hand-edited variations: CRLF, a BOM, no wrapper, ISO date', () => {
    const p = parseArticle("\ufeff---\r\ntitle: Plain title\r\ndate: 2022-07-30T08:00:00+08:00\r\n---\r\n\r\n<p>no wrapper</p>\r\n");
    expect(p.title).toBe('Plain title');
    expect(p.date.toISOString()).toBe('2022-07-30T00:00:00.000Z');
    expect(p.html).toBe('<p>no wrapper</p>');
    expect(p.categories).toEqual([]);
  });

  it('reads tags, enclosures, summary, updated and guidIsPermaLink back as written', () => {
    const a = article({
      guid: 'ep-1',
      guidIsPermaLink: false,
      updated: new Date('2022-07-31T00:00:00Z'),
      summary: "It's short: very",
      tags: ['yes', '2024-01-01', '- dash', '#hash', 'a: b'],
      enclosures: [
        { url: 'https://pod.example/1.mp3', type: 'audio/mpeg', length: 123, duration: 45 },
        { url: 'https://pod.example/2.pdf' },
      ],
    });
    const p = parseArticle(renderArticle(a));
    expect(p).toMatchObject({ guid: 'ep-1', guidIsPermaLink: false, updated: a.updated, summary: a.summary, tags: a.tags });
    // An enclosure without a type gets the one its extension names, as a feed's does.
    expect(p.enclosures).toEqual([a.enclosures[0], { url: 'https://pod.example/2.pdf', type: 'application/pdf' }]);
    // The Hexo reader sees the same lists.
    expect(jsyaml.load(renderArticle(a).split('---')[1])).toMatchObject({ tags: a.tags, enclosures: [a.enclosures[0], { url: 'https://pod.example/2.pdf' }] });
  });

  it('writes none of the new keys for an article without them: the file is as before', () => {
    const text = renderArticle(article({ link: 'https://example.com/p/1' }));
    expect(text).not.toMatch(/^(tags|enclosures|summary|updated|guidIsPermaLink):/m);
  });

  it('cleans hand-edited tags and enclosures as a feed\'s, and says what is wrong with unusable ones', () => {
    const file = (extra: string) => `---\ntitle: T\ndate: 2022-07-30T00:00:00Z\ncategories:\n - A\n${extra}\n---\n<div></div>\n`;
    expect(parseArticle(file('tags: solo')).tags).toEqual(['solo']);
    expect(parseArticle(file('tags:\n - A\n - x\n - X')).tags).toEqual(['x']);
    expect(parseArticle(file('enclosures:\n - url: javascript:alert(1)\n - url: https://e.example/a.mp3\n   length: -5')).enclosures).toEqual([
      { url: 'https://e.example/a.mp3', type: 'audio/mpeg' },
    ]);
    for (const [extra, reason] of [
      ['tags:\n - a: b', /`tags\[0\]` must be a string/],
      ['enclosures: https://e.example/a.mp3', /`enclosures` must be a list/],
      ['enclosures:\n - https://e.example/a.mp3', /`enclosures\[0\]` must be a mapping with a `url`/],
      ['guidIsPermaLink: maybe', /`guidIsPermaLink` must be true or false/],
      ['updated: someday', /unreadable `updated`/],
    ] as const) {
      expect(() => parseArticle(file(extra)), extra).toThrow(reason);
    }
  });
});

