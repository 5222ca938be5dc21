import { parse as hexoParse } from 'hexo-front-matter';
import { describe, expect, it } from 'vitest';
import { ctx, normalize, rawItem, renderArticle, seedParts } from './helpers.ts';

// Hexo's own front-matter reader (hexo-front-matter) must accept what refeed
// writes, with the values the reference article has.
describe('articles as Hexo reads them', () => {
  it('parses the reference article and refeed’s rendering of it the same way', () => {
    const seed = seedParts();
    const { article } = normalize(
      rawItem({ title: '产业互联网需要被正名', date: 'Sat, 30 Jul 2022 00:00:00 GMT', html: seed.body.replace(/ referrerpolicy="no-referrer"/g, '') }),
      ctx({ feedUrl: 'https://www.woshipm.com/feed' }),
    );
    const ours = hexoParse(renderArticle(article));
    const reference = hexoParse(seed.text.trimStart());
    for (const key of ['title', 'categories', 'headimg', 'author', 'comments', 'thumbnail']) expect(ours[key]).toEqual(reference[key]);
    expect(ours.title).toBe('产业互联网需要被正名');
    expect(ours.categories).toEqual(['新媒体', '人人都是产品经理', '最新文章']);
    expect(ours.comments).toBe(false);
    expect(new Date(ours.date).toISOString()).toBe('2022-07-30T00:00:00.000Z');
    expect(ours._content.trim().startsWith('<div>')).toBe(true);
    expect(ours._content.trim().endsWith('</div>')).toBe(true);
  });

  it('keeps awkward titles and template braces intact for Hexo', () => {
    const title = `It's "ok": #1 - {{ page.title }} {% raw %}`;
    const { article } = normalize(rawItem({ title, date: '2024-01-01T00:00:00Z', html: '<p>{{ site.title }} and {% include x %}</p>' }), ctx());
    const parsed = hexoParse(renderArticle(article));
    expect(parsed.title).toBe(title);
    // No raw `{{` / `{%` reaches the body that Hexo renders through Nunjucks.
    expect(parsed._content).not.toMatch(/\{\{|\{%/);
    expect(parsed._content).toContain('&#123;&#123; site.title &#125;&#125;');
  });
});
