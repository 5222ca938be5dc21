import { readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import type { Article } from '../../src/core/types.ts';
import { excerpt, htmlToText, planFeeds, publish, type FeedSpec } from '../../src/publish/index.ts';
import { articlePath } from '../../src/store/index.ts';
import { sfeedItems } from '../helpers/feed-clients.ts';
import { CONFIG_YAML, expectedItems, fixtureFactory, idOf, KEYS, snapshot, type Fixture } from './fixture.ts';

// A fixed clock: publishes into different stores are compared byte for byte, index.html's "updated" time included.
const opts = { logger: silentLogger, now: () => Date.UTC(2024, 2, 12, 8, 0) };
const make = fixtureFactory();
const fresh = (cached: boolean) => make(CONFIG_YAML, { cached });

const fileOf = (f: Fixture, a: Article) => path.join(f.output, articlePath(a.slugs, idOf(a)));
const rssTitles = (f: Fixture, key: string) => sfeedItems(readFileSync(path.join(f.output, key, 'rss.xml'), 'utf8')).map((i) => i.title);
const newestOf = (f: Fixture, key: string) => expectedItems(planFeeds(f.config).find((s) => s.key === key) as FeedSpec, f.articles)[0];

describe('publish: article content from the store', () => {
  it('parses no article file when the store holds their content, and writes the bytes a publish from the files writes', async () => {
    const cached = await fresh(true);
    const fromStore = await publish(cached.config, cached.state, opts);
    expect(fromStore.articlesParsed).toBe(0);
    const distinct = new Set(planFeeds(cached.config).flatMap((s) => expectedItems(s, cached.articles)));
    expect(fromStore.articlesUsed).toBe(distinct.size);
    expect(fromStore.skipped).toEqual([]);

    const plain = await fresh(false);
    const fromFiles = await publish(plain.config, plain.state, opts);
    expect(fromFiles.articlesParsed).toBe(distinct.size);
    const a = snapshot(cached.output);
    const b = snapshot(plain.output);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [rel, s] of a) expect(s.bytes, rel).toBe(b.get(rel)!.bytes);
    // Parsing recorded the content: the next full rebuild reads no file either.
    expect((await publish(plain.config, plain.state, { ...opts, full: true })).articlesParsed).toBe(0);
  });

  it('an article file edited by hand after ingest is read again, and the store learns the new version', async () => {
    const f = await fresh(true);
    await publish(f.config, f.state, opts);
    const newest = newestOf(f, KEYS.front);
    const file = fileOf(f, newest);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('</p>');
    writeFileSync(file, text.replace('</p>', ' Corrected by hand.</p>'));
    // A different mtime even on a coarse clock: the size changed anyway.
    utimesSync(file, new Date(), new Date(Date.now() + 5000));

    const first = await publish(f.config, f.state, { ...opts, full: true });
    expect(first.articlesParsed).toBe(1);
    expect(first.skipped).toEqual([]);
    const feed = readFileSync(path.join(f.output, KEYS.front, 'feed.json'), 'utf8');
    expect(JSON.parse(feed).items[0].content_html).toContain('Corrected by hand.');

    const second = await publish(f.config, f.state, { ...opts, full: true });
    expect(second.articlesParsed).toBe(0);
    expect(second.written).toEqual([]);
    expect(readFileSync(path.join(f.output, KEYS.front, 'feed.json'), 'utf8')).toBe(feed);
  });

  it('a hand-edited title is published from the file (the store keeps the row title), on every run, with the same bytes', async () => {
    const f = await fresh(true);
    await publish(f.config, f.state, opts);
    const newest = newestOf(f, KEYS.front);
    const file = fileOf(f, newest);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/^title: .*$/m, 'title: Retitled by hand');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const first = await publish(f.config, f.state, { ...opts, full: true });
    expect(first.articlesParsed).toBe(1);
    expect(rssTitles(f, KEYS.front)[0]).toBe('Retitled by hand');
    const before = snapshot(f.output);
    const second = await publish(f.config, f.state, { ...opts, full: true });
    expect(second.articlesParsed).toBe(1);
    expect(second.written).toEqual([]);
    for (const [rel, s] of snapshot(f.output)) expect(s.bytes, rel).toBe(before.get(rel)!.bytes);
  });

  it('a deleted or broken article file is reported and skipped even though the store holds its content', async () => {
    const f = await fresh(true);
    const [newest, second] = expectedItems(planFeeds(f.config).find((s) => s.key === KEYS.front) as FeedSpec, f.articles);
    unlinkSync(fileOf(f, newest));
    writeFileSync(fileOf(f, second), 'title: no front matter fences\n<div>oops</div>\n');
    const report = await publish(f.config, f.state, opts);
    const rel = (a: Article) => articlePath(a.slugs, idOf(a));
    expect(report.skipped).toEqual([
      { path: rel(newest), reason: expect.stringMatching(/missing/) },
      { path: rel(second), reason: expect.stringMatching(/front matter/) },
    ]);
    expect(report.articlesParsed).toBe(1);
    const titles = rssTitles(f, KEYS.front);
    expect(titles).not.toContain(newest.title);
    expect(titles).not.toContain(second.title);
    expect(titles).toHaveLength(3);
    expect(sfeedItems(readFileSync(path.join(f.output, 'rss.xml'), 'utf8'))).toHaveLength(6);
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

describe('publish: render workers', () => {
  const workers = { size: 2, from: 1 };
  const bytesOf = (f: Fixture) => new Map([...snapshot(f.output)].map(([rel, s]) => [rel, s.bytes]));

  it('worker threads render exactly what the in-process path renders, and use the same articles', async () => {
    const inProcess = await fresh(true);
    const a = await publish(inProcess.config, inProcess.state, { ...opts, renderWorkers: { size: 0 } });
    const threaded = await fresh(true);
    const b = await publish(threaded.config, threaded.state, { ...opts, renderWorkers: workers });
    expect(bytesOf(threaded)).toEqual(bytesOf(inProcess));
    expect(b.articlesUsed).toBe(a.articlesUsed);
    expect(b.articlesParsed).toBe(0);
    expect(b.rebuilt).toEqual(a.rebuilt);
    expect(a.articlesRenderedByWorkers).toBe(0);
    expect(b.articlesRenderedByWorkers).toBe(b.articlesUsed);
  });

  it('leaves hand-edited, deleted and uncached articles to the main thread, which reads, reports and caches them', async () => {
    const f = await fresh(true);
    const edited = newestOf(f, KEYS.front);
    const deleted = newestOf(f, KEYS.lwn);
    const text = readFileSync(fileOf(f, edited), 'utf8');
    writeFileSync(fileOf(f, edited), text.replace('</p>', ' Edited.</p>'));
    utimesSync(fileOf(f, edited), new Date(), new Date(Date.now() + 5000));
    unlinkSync(fileOf(f, deleted));
    const r = await publish(f.config, f.state, { ...opts, renderWorkers: workers });
    expect(r.articlesParsed).toBe(1);
    expect(r.articlesRenderedByWorkers).toBe(r.articlesUsed - 1);
    expect(r.skipped.map((s) => s.path)).toEqual([articlePath(deleted.slugs, idOf(deleted))]);
    expect(JSON.parse(readFileSync(path.join(f.output, KEYS.front, 'feed.json'), 'utf8')).items[0].content_html).toContain('Edited.');
    expect(rssTitles(f, KEYS.lwn)).not.toContain(deleted.title);
  });

  it('an item whose id clashes in a feed is rendered again whole, as the in-process path renders it', async () => {
    // The newest article of two channels of one group get the same guid: the
    // group and merged feeds give the second a new id, and need its body.
    const clash = async (f: Fixture) => {
      for (const key of [KEYS.front, KEYS.lwn]) f.state.db.prepare('UPDATE articles SET guid = ? WHERE id = ?').run('urn:same:1', idOf(newestOf(f, key)));
      return f;
    };
    const inProcess = await clash(await fresh(true));
    await publish(inProcess.config, inProcess.state, { ...opts, renderWorkers: { size: 0 } });
    const threaded = await clash(await fresh(true));
    const r = await publish(threaded.config, threaded.state, { ...opts, renderWorkers: workers });
    expect(r.articlesRenderedByWorkers).toBe(r.articlesUsed);
    expect(bytesOf(threaded)).toEqual(bytesOf(inProcess));
    const tech = JSON.parse(readFileSync(path.join(threaded.output, 'tech', 'feed.json'), 'utf8')) as { items: { id: string; content_html: string }[] };
    const renamed = tech.items.find((i) => i.id.startsWith('urn:same:1#'));
    expect(renamed, 'the clashing item got an id of its own').toBeDefined();
    expect(renamed!.content_html).toContain('<p>');
  });

  it('a worker that cannot start or crashes costs time, not output: the main thread renders instead', async () => {
    const reference = await fresh(true);
    await publish(reference.config, reference.state, { ...opts, renderWorkers: { size: 0 } });
    const f = await fresh(true);
    const entry = new URL('../fixtures/store/broken-worker.js', import.meta.url);
    const r = await publish(f.config, f.state, { ...opts, renderWorkers: { ...workers, entry } });
    expect(r.errors).toEqual([]);
    expect(r.articlesRenderedByWorkers).toBe(0);
    expect(bytesOf(f)).toEqual(bytesOf(reference));
  });
});
