import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { reindexFromFiles } from '../../src/ingest/index.ts';
import { parseArticle } from '../../src/normalize/index.ts';
import { publish } from '../../src/publish/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { item, makeSite, startUpstream, type ChannelDef, type Site, type Upstream } from './site.ts';

// The data-integrity cases found by probing the first store, each reproduced
// end to end (fetch → store → files → feeds) and checked fixed.

let up: Upstream;
const sites: Site[] = [];
const site = (channels: ChannelDef[]) => {
  const s = makeSite(channels);
  sites.push(s);
  return s;
};
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  for (const s of sites) await s.close();
  await up?.close();
});

const articleFiles = (s: Site) => {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(s.config.site.output, rel), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${rel}/${e.name}`);
      else if (e.name.endsWith('.md')) out.push(`${rel}/${e.name}`);
    }
  };
  if (existsSync(path.join(s.config.site.output, 'articles'))) walk('articles');
  return out.sort();
};

describe('1. a link that moves to another item', () => {
  it('keeps both items right and the channel working (no UNIQUE failure)', async () => {
    up.feeds.set('a1', [item('A1', { guid: 'ga1', link: 'https://x.example/A1', title: 'A one' })]);
    up.feeds.set('b1', [item('B1', { guid: 'gb1', link: 'https://x.example/B1', title: 'B one' })]);
    const s = site([
      { group: 'G', source: 'A', channel: 'feed', url: up.url('a1') },
      { group: 'G', source: 'B', channel: 'feed', url: up.url('b1') },
    ]);
    await s.cycle();
    // B's item now links to A1, and B adds an item.
    up.feeds.set('b1', [
      item('B1', { guid: 'gb1', link: 'https://x.example/A1', title: 'B one, moved' }),
      item('B3', { guid: 'gb3', link: 'https://x.example/B3', title: 'B three' }),
    ]);
    for (let run = 0; run < 2; run++) {
      const reports = await s.cycle();
      expect(reports.map((r) => [r.key, r.status, r.error?.code])).toEqual([
        ['g/a/feed', 'unchanged', undefined],
        ['g/b/feed', run === 0 ? 'new' : 'unchanged', undefined],
      ]);
    }
    expect(s.links('g/b/feed').sort()).toEqual(['https://x.example/A1', 'https://x.example/B3']);
    expect(s.links('g/a/feed')).toEqual(['https://x.example/A1']);
    // Each article file holds what its row holds.
    const rows = s.store.db.prepare('SELECT title, path FROM articles').all() as { title: string; path: string }[];
    for (const r of rows) expect(parseArticle(readFileSync(path.join(s.config.site.output, r.path), 'utf8')).title).toBe(r.title);
    expect(rows.map((r) => r.title).sort()).toEqual(['A one', 'B one, moved', 'B three']);
  });
});

describe('2. a feed listed oldest first', () => {
  it('stores the newest `limit` items by date, and the next new one', async () => {
    const ascending = Array.from({ length: 80 }, (_, i) => item(i));
    up.feeds.set('old-first', ascending);
    const s = site([{ group: 'G', source: 'S', channel: 'asc', url: up.url('old-first'), limit: 50 }]);
    const [first] = await s.cycle();
    expect(first.newItems).toBe(50);
    const links = s.links('g/s/asc');
    expect(links).toHaveLength(50);
    expect(links[0]).toBe('https://news.example/79');
    expect(links).not.toContain('https://news.example/29');
    up.feeds.set('old-first', [...ascending, item(80)]);
    const [second] = await s.cycle();
    expect(second.newItems).toBe(1);
    expect(s.links('g/s/asc')[0]).toBe('https://news.example/80');
  });
});

describe('3. renaming a channel (name, slug)', () => {
  it('keeps its history: items the upstream no longer lists stay in every feed, and its files move', async () => {
    up.feeds.set('rn', [1, 2, 3, 4, 5].map((n) => item(n)));
    const before: ChannelDef = { group: 'Tech', source: 'Blog', channel: 'Posts', url: up.url('rn') };
    const s = site([before]);
    await s.cycle();
    expect(s.links('tech/blog/posts')).toHaveLength(5);
    up.feeds.set('rn', [item(5)]);
    // Renamed: a new name (so a new slug) for the same URL.
    s.configure([{ ...before, channel: 'Stories' }]);
    await s.cycle();
    expect(s.links('tech/blog/stories')).toHaveLength(5);
    expect(s.links('')).toHaveLength(5);
    // Same for a slug set by hand, and a new group name.
    s.configure([{ ...before, group: 'Technology', channel: 'Stories', slug: 'all' }]);
    await s.cycle();
    expect(s.links('technology/blog/all')).toHaveLength(5);
    const files = articleFiles(s);
    expect(files).toHaveLength(5);
    expect(files.every((f) => f.startsWith('articles/technology/blog/'))).toBe(true);
    for (const f of files) expect(parseArticle(readFileSync(path.join(s.config.site.output, f), 'utf8')).categories).toEqual(['Technology', 'Blog', 'Stories']);
  });
});

describe('4. an item listed by two channels', () => {
  it('is stored once, in every channel feed it is listed in, the same whichever fetch comes first; removing a channel keeps it', async () => {
    const shared = item('S', { link: 'https://x.example/shared', title: 'Shared' });
    up.feeds.set('latest', [item('L1'), { ...shared, guid: 'latest-guid' }]);
    up.feeds.set('topic', [{ ...shared, guid: 'topic-guid' }, item('T1')]);
    const defs: ChannelDef[] = [
      { group: 'News', source: 'Site', channel: 'Latest', url: up.url('latest') },
      { group: 'News', source: 'Site', channel: 'Topic', url: up.url('topic') },
    ];
    // In one store the first channel's fetch finishes first, in the other the second's: same outcome.
    const outcomes = [];
    for (const slow of ['topic', 'latest']) {
      up.delays.set(slow, 400);
      const s = site(defs);
      await s.cycle();
      up.delays.clear();
      const row = s.store.db.prepare('SELECT id, path, categories FROM articles WHERE link = ?').get('https://x.example/shared') as { id: string; path: string; categories: string };
      expect(s.store.db.prepare('SELECT count(*) AS n FROM articles WHERE link = ?').get('https://x.example/shared')).toEqual({ n: 1 });
      expect(s.links('news/site/latest')).toContain('https://x.example/shared');
      expect(s.links('news/site/topic')).toContain('https://x.example/shared');
      expect(s.links('news/site').filter((l) => l === 'https://x.example/shared')).toHaveLength(1);
      expect(s.links('').filter((l) => l === 'https://x.example/shared')).toHaveLength(1);
      outcomes.push(row);
      // Removing either channel leaves the item in the other's feeds and the merged one.
      s.configure([defs[1]]);
      await s.cycle();
      expect(s.links('news/site/topic')).toContain('https://x.example/shared');
      expect(s.links('')).toContain('https://x.example/shared');
      expect(articleFiles(s).some((f) => f.endsWith(`${row.id.slice(0, 20)}.md`))).toBe(true);
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(JSON.parse(outcomes[0].categories)).toEqual(['News', 'Site', 'Latest']);
  });
});

describe('9. a deleted state database', () => {
  it('is rebuilt from the article files by reindex: the feeds are what they were, undated items keep their dates', async () => {
    up.feeds.set('hist', [item(1), item(2), item(3, { date: undefined, title: 'Undated' })]);
    const s = site([{ group: 'G', source: 'S', channel: 'hist', url: up.url('hist') }]);
    await s.cycle(Date.UTC(2024, 5, 1));
    up.feeds.set('hist', [item(2)]);
    await s.cycle(Date.UTC(2024, 6, 1));
    const feeds = ['rss.xml', 'atom.xml', 'feed.json'].flatMap((f) => ['', 'g/', 'g/s/', 'g/s/hist/'].map((d) => `${d}${f}`));
    const before = new Map(feeds.map((f) => [f, readFileSync(path.join(s.config.site.output, f), 'utf8')]));
    await s.store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(s.config.site.state + suffix, { force: true });
    s.store = new SqliteStore(s.config.site.state);
    const report = await reindexFromFiles(s.config, s.store, silentLogger);
    expect(report).toMatchObject({ files: 3, restored: 3, skipped: [] });
    await publish(s.config, s.store, { logger: silentLogger, full: true });
    for (const [f, text] of before) expect(readFileSync(path.join(s.config.site.output, f), 'utf8'), f).toBe(text);
    // The next fetch knows every item again: nothing new, nothing re-dated.
    up.feeds.set('hist', [item(1), item(2), item(3, { date: undefined, title: 'Undated' })]);
    const [r] = await s.cycle(Date.UTC(2024, 7, 1));
    expect(r).toMatchObject({ newItems: 0, updatedItems: 0 });
    for (const [f, text] of before) expect(readFileSync(path.join(s.config.site.output, f), 'utf8'), f).toBe(text);
  });
});
