import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { createArticleRenderer, readArticleFile } from '../../src/normalize/index.ts';
import { normalize, rawItem } from './helpers.ts';

// The stamp an article file carries (issue 18, lossless reindex): its id and
// item key as the last front-matter keys, after every seed line, read back
// exactly (whatever the key holds) by refeed and by Hexo's js-yaml, and left
// out of the text its content hash is taken of.

const ID = '5a1d0c3e9b7f42e6a8c1d2e3f4a5b6c7d8e9f001';
const frontMatterOf = (file: string) => file.slice(4, file.indexOf('\n---\n', 3));

describe('article stamp', () => {
  it('goes after every other front-matter line, changing none of them', () => {
    const renderer = createArticleRenderer();
    const { text } = normalize(rawItem());
    const stamped = renderer.stamp(text, { id: ID, key: 'https://example.com/a?b=1#c' });
    const lines = frontMatterOf(stamped).split('\n');
    expect(lines.slice(-2)).toEqual([`article_id: '${ID}'`, "item_key: 'https://example.com/a?b=1#c'"]);
    expect(frontMatterOf(text).split('\n')).toEqual(lines.slice(0, -2));
    expect(stamped.slice(stamped.indexOf('\n---\n'))).toBe(text.slice(text.indexOf('\n---\n')));
  });

  it('reads back the same id and key, and the unstamped text, for any key (refeed and js-yaml alike)', () => {
    const renderer = createArticleRenderer();
    const { text } = normalize(rawItem());
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }), (key) => {
        const stamped = renderer.stamp(text, { id: ID, key });
        const read = readArticleFile(stamped, renderer);
        expect(read.stamp).toEqual({ id: ID, key });
        expect(read.unstamped).toBe(text);
        const hexo = jsyaml.load(frontMatterOf(stamped)) as Record<string, unknown>;
        expect(hexo.article_id).toBe(ID);
        expect(hexo.item_key).toBe(key);
      }),
      { numRuns: 300 },
    );
  });

  it('a file without a stamp, or with a broken one, reads as before: no stamp, its text unchanged', () => {
    const renderer = createArticleRenderer();
    const { text } = normalize(rawItem());
    expect(readArticleFile(text, renderer)).toMatchObject({ unstamped: text });
    expect(readArticleFile(text, renderer).stamp).toBeUndefined();
    const badId = renderer.stamp(text, { id: 'not-an-id', key: 'k' });
    expect(readArticleFile(badId, renderer).stamp).toBeUndefined();
    // A hand edit to the stamp lines keeps the stamp as edited, and the text as it is (its hash then differs: it is new content).
    const edited = renderer.stamp(text, { id: ID, key: 'k' }).replace("item_key: 'k'", 'item_key: k2');
    const read = readArticleFile(edited, renderer);
    expect(read.stamp).toEqual({ id: ID, key: 'k2' });
    expect(read.unstamped).toBe(edited);
  });
});
