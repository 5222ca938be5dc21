import fs, { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import type { Article } from '../../src/core/types.ts';
import { excerpt, htmlToText, planFeeds, publish, type FeedSpec } from '../../src/publish/index.ts';
import { writeArticleFiles } from '../../src/cli/publish-step.ts';
import { reindexFromFiles } from '../../src/ingest/index.ts';
import { articlePath } from '../../src/store/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { sfeedItems } from '../helpers/feed-clients.ts';
import { CONFIG_YAML, expectedItems, fixtureFactory, idOf, KEYS, snapshot, type Fixture } from './fixture.ts';

// A fixed clock: publishes into different stores are compared byte for byte, index.html's "updated" time included.
const opts = { logger: silentLogger, now: () => Date.UTC(2024, 2, 12, 8, 0) };
const make = fixtureFactory();
const fresh = () => make(CONFIG_YAML);

const fileOf = (f: Fixture, a: Article) => path.join(f.output, articlePath(a.slugs, idOf(a)));
const rssTitles = (f: Fixture, key: string) => sfeedItems(readFileSync(path.join(f.output, key, 'rss.xml'), 'utf8')).map((i) => i.title);
const bytesOf = (f: Fixture) => new Map([...snapshot(f.output)].map(([rel, s]) => [rel, s.bytes]));
const newestOf = (f: Fixture, key: string) => expectedItems(planFeeds(f.config).find((s) => s.key === key) as FeedSpec, f.articles)[0];

describe('publish: article content from the store, never from the article files', () => {
  it('touches no article file: with the articles folder gone, or every file edited by hand, publish writes the same bytes', async () => {
    const reference = await fresh();
    const expected = await publish(reference.config, reference.state, opts);
    const distinct = new Set(planFeeds(reference.config).flatMap((s) => expectedItems(s, reference.articles)));
    expect(expected.articlesUsed).toBe(distinct.size);
    expect(expected.skipped).toEqual([]);

    const gone = await fresh();
    rmSync(path.join(gone.output, 'articles'), { recursive: true });
    const r = await publish(gone.config, gone.state, opts);
    expect(r.skipped).toEqual([]);
    expect(bytesOf(gone)).toEqual(bytesOf(reference));
    expect(existsSync(path.join(gone.output, 'articles')), 'publish writes no article file either').toBe(false);

    const edited = await fresh();
    const newest = newestOf(edited, KEYS.front);
    const text = readFileSync(fileOf(edited, newest), 'utf8');
    writeFileSync(fileOf(edited, newest), text.replace(/^title: .*$/m, 'title: Retitled by hand').replace('</p>', ' Corrected by hand.</p>'));
    await publish(edited.config, edited.state, { ...opts, full: true });
    expect(bytesOf(edited)).toEqual(bytesOf(reference));
  });

  it('opens, stats and reads nothing under the articles folder (fs calls counted)', async () => {
    const f = await fresh();
    const articles = path.join(f.output, 'articles');
    const touched: string[] = [];
    const spies = (['statSync', 'lstatSync', 'readFileSync', 'openSync', 'existsSync', 'readdirSync'] as const).map((name) => {
      const original = fs[name] as (...a: unknown[]) => unknown;
      return vi.spyOn(fs, name).mockImplementation(((...a: unknown[]) => {
        if (String(a[0]).startsWith(articles)) touched.push(`${name} ${String(a[0])}`);
        return original(...a);
      }) as never);
    });
    try {
      const r = await publish(f.config, f.state, { ...opts, full: true });
      expect(r.articlesUsed).toBeGreaterThan(0);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(touched).toEqual([]);
  });

  it('hand edits to an article file come back through `reindex` (a state rebuilt from the files), not through publish', async () => {
    const f = await fresh();
    const newest = newestOf(f, KEYS.front);
    const file = fileOf(f, newest);
    writeFileSync(file, readFileSync(file, 'utf8').replace('</p>', ' Corrected by hand.</p>'));
    await publish(f.config, f.state, opts);
    const feed = () => JSON.parse(readFileSync(path.join(f.output, KEYS.front, 'feed.json'), 'utf8')) as { items: { content_html: string }[] };
    expect(feed().items[0].content_html).not.toContain('Corrected by hand.');

    await f.state.close();
    rmSync(f.config.site.state);
    const rebuilt = new SqliteStore(f.config.site.state);
    try {
      await reindexFromFiles(f.config, rebuilt, silentLogger);
      await publish(f.config, rebuilt, { ...opts, full: true });
      expect(feed().items[0].content_html).toContain('Corrected by hand.');
    } finally {
      await rebuilt.close();
    }
  });

  it('content a state from refeed 0.1 kept only in the files is read back once by the command step; without a file too, the article is skipped', async () => {
    const f = await fresh();
    const [newest, second] = expectedItems(planFeeds(f.config).find((s) => s.key === KEYS.front) as FeedSpec, f.articles);
    const contentless = f.state.db.prepare('UPDATE articles SET html = NULL, author = \'\', categories = \'[]\' WHERE id = ?');
    contentless.run(idOf(newest));
    contentless.run(idOf(second));
    rmSync(fileOf(f, second));
    const reference = await fresh();
    await publish(reference.config, reference.state, opts);

    await writeArticleFiles(f.config, f.state, silentLogger);
    const report = await publish(f.config, f.state, opts);
    expect(report.skipped).toEqual([{ path: articlePath(second.slugs, idOf(second)), reason: expect.stringMatching(/no content/) }]);
    const titles = rssTitles(f, KEYS.front);
    expect(titles[0]).toBe(newest.title);
    expect(titles).not.toContain(second.title);
    expect(titles).toHaveLength(4);
    const feed = (x: Fixture) => JSON.parse(readFileSync(path.join(x.output, KEYS.front, 'feed.json'), 'utf8')) as { items: { id: string }[] };
    expect(feed(f).items[0]).toEqual(feed(reference).items[0]);
    expect(await f.state.articlesWithoutContent(10)).toEqual([{ id: idOf(second), path: articlePath(second.slugs, idOf(second)) }]);
  });

  it('an item whose id clashes in a feed gets an id of its own there, with its whole body', async () => {
    // The newest articles of two channels of one group get the same guid: the group and merged feeds give the second a new id.
    const f = await fresh();
    for (const key of [KEYS.front, KEYS.lwn]) f.state.db.prepare('UPDATE articles SET guid = ? WHERE id = ?').run('urn:same:1', idOf(newestOf(f, key)));
    await publish(f.config, f.state, opts);
    const tech = JSON.parse(readFileSync(path.join(f.output, 'tech', 'feed.json'), 'utf8')) as { items: { id: string; content_html: string }[] };
    const renamed = tech.items.find((i) => i.id.startsWith('urn:same:1#'));
    expect(renamed, 'the clashing item got an id of its own').toBeDefined();
    expect(renamed!.content_html).toContain('<p>');
    const own = JSON.parse(readFileSync(path.join(f.output, KEYS.lwn, 'feed.json'), 'utf8')) as { items: { id: string }[] };
    expect(own.items[0].id, 'in its channel feed it keeps its id').toBe('urn:same:1');
  });
});

describe('excerpt', () => {
  // The excerpt stops parsing once it has enough text: it must equal the one cut from the whole text.
  const reference = (html: string, max: number) => {
    const chars = Array.from(htmlToText(html));
    if (chars.length <= max) return chars.join('');
    let cut = chars.slice(0, max - 1).join('');
    const space = cut.lastIndexOf(' ');
    if (space > cut.length * 0.7) cut = cut.slice(0, space);
    return `${cut.trimEnd()}…`;
  };
  const piece = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom('<p>', '</p>', '<br>', '<script>x < y</script>', '&amp;', '&lt;b&gt;', '  \n\t ', '🎉', '中文', '\u0001', '\uD800', '<li>', '<style>p{}</style>'),
  );

  it('equals the excerpt of the full text for any HTML, however long', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (parts, max) => {
        const html = parts.join('');
        expect(excerpt(html, max)).toBe(reference(html, max));
      }),
      { numRuns: 300 },
    );
  });

  it('stops early on a long article yet cuts it as the full text would', () => {
    const html = `<p>${'word '.repeat(20000)}</p><p>${'中文'.repeat(5000)}</p>`;
    expect(excerpt(html)).toBe(reference(html, 240));
    expect(Array.from(excerpt(html)).length).toBeLessThanOrEqual(240);
  });
});
