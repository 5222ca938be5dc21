import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/normalize/index.ts';
import { ctx, normalize, rawItem, renderArticle, seedParts, squash } from './helpers.ts';

// The reference article (tests/fixtures/normalize/seed-article.md, a copy of
// ../shared/seed-article.md) rebuilt from an RSS 2.0 item: what a WordPress
// feed (woshipm.com) gives for it — title, pubDate, content:encoded holding
// the body as published, i.e. without the referrerpolicy refeed adds.
describe('golden: the reference article', () => {
  const seed = seedParts();
  const item = rawItem({
    title: '产业互联网需要被正名',
    date: 'Sat, 30 Jul 2022 00:00:00 GMT',
    html: seed.body.replace(/ referrerpolicy="no-referrer"/g, ''),
  });
  const { article, warnings } = normalize(item, ctx({ feedUrl: 'https://www.woshipm.com/feed' }));
  const file = renderArticle(article);

  it('writes front matter byte-identical to the reference', () => {
    expect(seed.body).toContain('referrerpolicy="no-referrer"'); // the fixture is the real one
    expect(item.html).not.toContain('referrerpolicy');
    const frontMatter = file.slice(0, file.indexOf('\n---\n', 4) + '\n---\n'.length);
    expect(frontMatter).toBe(seed.frontMatter);
  });

  it('lays the file out as the reference: front matter, blank line, <div>, body, </div>', () => {
    // The reference file starts with a stray blank line before `---`; refeed starts at `---`,
    // which every front-matter reader (Hexo's included) expects on the first line.
    expect(seed.text.startsWith('\n---\n')).toBe(true);
    expect(file.startsWith('---\n')).toBe(true);
    expect(file).toMatch(/\n---\n\n<div>\n[\s\S]*\n<\/div>\n$/);
  });

  it('keeps the body, except what the sanitizer removes by design (button, svg)', () => {
    // (The reference has no link, so neither has the item: hence no-link.)
    expect(warnings).toEqual([{ code: 'no-link' }, { code: 'sanitized', detail: 'removed button, svg' }]);
    // The removals, applied to the reference by hand: the <svg> icon goes whole,
    // the <button> goes but keeps its label text.
    const expected = seed.body
      .replace(/<svg\b[\s\S]*?<\/svg>/, '')
      .replace(/<button\b[^>]*>/, '')
      .replace('</button>', '');
    expect(expected).not.toBe(seed.body);
    expect(squash(article.html)).toBe(squash(expected));
    expect(file).toContain(`<div>\n${article.html}\n</div>\n`);
  });

  it('takes the head image from the first <img>', () => {
    expect(article.headimg).toBe('https://image.woshipm.com/wp-files/2022/07/mIErfHCdPvIQv0gsfMtE.jpg');
  });

  it('reads back with parseArticle, and the reference itself parses the same way', () => {
    const mine = parseArticle(file);
    const ref = parseArticle(seed.text);
    for (const p of [mine, ref]) {
      expect(p.title).toBe('产业互联网需要被正名');
      expect(p.categories).toEqual(['新媒体', '人人都是产品经理', '最新文章']);
      expect(p.author).toBe('人人都是产品经理');
      expect(p.date.toISOString()).toBe('2022-07-30T00:00:00.000Z');
      expect(p.headimg).toBe(article.headimg);
    }
    expect(mine.html).toBe(article.html);
    expect(squash(ref.html)).toBe(squash(seed.body));
  });
});

// The same article carrying what a podcast item adds: the reference lines stay
// exactly as they are, and the new keys come after them, before the closing `---`.
describe('golden: the reference article with enclosures and tags', () => {
  const seed = seedParts();
  const { article } = normalize(
    rawItem({
      title: '产业互联网需要被正名',
      date: 'Sat, 30 Jul 2022 00:00:00 GMT',
      html: seed.body.replace(/ referrerpolicy="no-referrer"/g, ''),
      categories: ['产业互联网', 'Industry: internet', '最新文章'],
      enclosures: [{ url: 'https://media.woshipm.example/2022/07/episode.mp3', type: 'audio/mpeg', length: 8727310, duration: 1024 }],
    }),
    ctx({ feedUrl: 'https://www.woshipm.com/feed' }),
  );
  const file = renderArticle(article);

  it('keeps every reference line, then writes tags: and enclosures:', () => {
    const seedLines = seed.frontMatter.replace(/---\n$/, '');
    expect(file.startsWith(seedLines)).toBe(true);
    const added = file.slice(seedLines.length, file.indexOf('\n---\n', seedLines.length - 1) + 1);
    expect(added).toBe(
      [
        'tags:',
        ' - 产业互联网',
        " - 'Industry: internet'",
        'enclosures:',
        " - url: 'https://media.woshipm.example/2022/07/episode.mp3'",
        '   type: audio/mpeg',
        '   length: 8727310',
        '   duration: 1024',
        '',
      ].join('\n'),
    );
    expect(parseArticle(file)).toMatchObject({ tags: ['产业互联网', 'Industry: internet'], enclosures: article.enclosures });
  });
});
