import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sfeedItems } from '../helpers/feed-clients.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { item, startUpstream, yamlFor, type Upstream } from './site.ts';

// Issue 20 item 1 and issue 18's lossless reindex, through the real CLI:
// `refeed reindex` on a lost, a rebuilt and a healthy state puts back the same
// ids and keys (an item with neither guid nor link included, from the stamp
// its file carries), duplicates nothing, and the next fetch stores nothing new.

let up: Upstream;
const dirs: string[] = [];
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const refeed = (file: string, ...args: string[]) => runRefeed([...args, '--config', file], { REFEED_LOG_LEVEL: 'warn' });

function site(feed: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-reindex-'));
  dirs.push(dir);
  const file = path.join(dir, 'refeed.yaml');
  writeFileSync(file, yamlFor([{ group: 'G', source: 'S', channel: feed, url: up.url(feed) }]));
  const out = path.join(dir, 'out');
  const state = path.join(dir, 'state.db');
  return {
    file,
    out,
    state,
    dropState: () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(state + suffix, { force: true });
    },
    /** Every article and listing the state holds, in a stable order. */
    rows: () => {
      const db = new Database(state, { readonly: true });
      try {
        return {
          articles: db.prepare('SELECT id, identity, path, title, date, content_hash FROM articles ORDER BY id').all(),
          entries: db.prepare('SELECT item_key, article_id, date FROM entries ORDER BY item_key').all(),
        };
      } finally {
        db.close();
      }
    },
    files: () => {
      const folder = path.join(out, 'articles/g/s');
      return new Map(readdirSync(folder).map((n) => [n, readFileSync(path.join(folder, n), 'utf8')]));
    },
    feeds: () => new Map(['rss.xml', 'atom.xml', 'feed.json', 'g/s/' + feed + '/rss.xml'].map((f) => [f, readFileSync(path.join(out, f), 'utf8')])),
  };
}

const ok = (r: { code: number | null; stderr: string }) => {
  expect(r.stderr).not.toMatch(/UNIQUE|internal/);
  expect(r.code, r.stderr).toBe(0);
  return r;
};

const frontMatter = (text: string) => parse(text.split('\n---\n')[0].replace(/^---\n/, '')) as Record<string, unknown>;

// Two ordinary items, one with only a link, one with neither guid nor link (known by a hash of its title and date).
const ITEMS = [
  item(1),
  item(2),
  item(3, { guid: undefined, title: 'Link only' }),
  item(4, { guid: undefined, link: undefined, title: 'Neither guid nor link' }),
];

describe('reindex', () => {
  it('after the state is lost, puts back the same ids and keys; the next fetch stores nothing new and the merged feed lists each item once', async () => {
    up.feeds.set('lost', ITEMS);
    const s = site('lost');
    ok(await refeed(s.file, 'once', '--all'));
    const before = s.rows();
    expect(before.articles).toHaveLength(4);
    expect(before.entries.map((e) => (e as { item_key: string }).item_key)).toContain('https://news.example/3');
    expect(before.entries.some((e) => (e as { item_key: string }).item_key.startsWith('hash:'))).toBe(true);
    // Each file says which article it is, and under which key its channel knows it, as the last front-matter keys.
    const files = s.files();
    for (const [name, text] of files) {
      const fm = frontMatter(text);
      const row = before.articles.find((a) => (a as { id: string }).id === fm.article_id) as { id: string; identity: string } | undefined;
      expect(row, name).toBeDefined();
      expect(name).toBe(`${row!.id.slice(0, 20)}.md`);
      expect(fm.item_key).toBe(row!.identity);
      expect(Object.keys(fm).slice(-2)).toEqual(['article_id', 'item_key']);
    }
    const feeds = s.feeds();

    s.dropState();
    const r = ok(await refeed(s.file, 'reindex'));
    expect(r.stderr).toMatch(/4 article files, 4 put back, 0 already known/);
    expect(s.rows()).toEqual(before);
    expect(s.files()).toEqual(files);
    expect(s.feeds()).toEqual(feeds);

    // Fetched again: every item is known, nothing is stored again or rewritten.
    ok(await refeed(s.file, 'once', '--all'));
    expect(s.rows()).toEqual(before);
    expect(s.files()).toEqual(files);
    const merged = sfeedItems(readFileSync(path.join(s.out, 'rss.xml'), 'utf8')).map((i) => i.title);
    expect(merged.sort()).toEqual(['Item 1', 'Item 2', 'Link only', 'Neither guid nor link']);
  });

  it('run twice in a row, or on a full healthy state, changes nothing (no UNIQUE failure)', async () => {
    up.feeds.set('twice', ITEMS);
    const s = site('twice');
    ok(await refeed(s.file, 'once', '--all'));
    const before = s.rows();
    const feeds = s.feeds();
    // Healthy state: everything already known.
    expect(ok(await refeed(s.file, 'reindex')).stderr).toMatch(/4 article files, 0 put back, 4 already known/);
    expect(s.rows()).toEqual(before);
    // Lost, then rebuilt twice: the second run finds everything.
    s.dropState();
    ok(await refeed(s.file, 'reindex'));
    expect(ok(await refeed(s.file, 'reindex')).stderr).toMatch(/4 article files, 0 put back, 4 already known/);
    expect(s.rows()).toEqual(before);
    expect(s.feeds()).toEqual(feeds);
  });

  it('puts back what a partly lost state misses: a dropped listing, a dropped article', async () => {
    up.feeds.set('partly', ITEMS);
    const s = site('partly');
    ok(await refeed(s.file, 'once', '--all'));
    const before = s.rows();
    const db = new Database(s.state);
    db.prepare("DELETE FROM entries WHERE item_key = 'g-1'").run();
    db.prepare("DELETE FROM entries WHERE item_key = 'g-2'").run();
    db.prepare("DELETE FROM articles WHERE link = 'https://news.example/2'").run();
    db.close();
    expect(ok(await refeed(s.file, 'reindex')).stderr).toMatch(/4 article files, 2 put back, 2 already known/);
    expect(s.rows()).toEqual(before);
  });

  it('an article two channels list (same link) comes back once, and the other channel\'s next fetch lists it without storing it again', async () => {
    up.feeds.set('first', [item('shared', { guid: 'a-shared' }), item(7)]);
    up.feeds.set('second', [item('shared', { guid: 'b-shared' }), item(8)]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-reindex-'));
    dirs.push(dir);
    const file = path.join(dir, 'refeed.yaml');
    writeFileSync(
      file,
      yamlFor([
        { group: 'G', source: 'S', channel: 'first', url: up.url('first') },
        { group: 'G', source: 'T', channel: 'second', url: up.url('second') },
      ]),
    );
    const state = path.join(dir, 'state.db');
    const articles = () => {
      const db = new Database(state, { readonly: true });
      try {
        return db.prepare('SELECT id, identity FROM articles ORDER BY id').all();
      } finally {
        db.close();
      }
    };
    ok(await refeed(file, 'once', '--all'));
    const before = articles();
    expect(before).toHaveLength(3);
    for (const suffix of ['', '-wal', '-shm']) rmSync(state + suffix, { force: true });
    expect(ok(await refeed(file, 'reindex')).stderr).toMatch(/3 article files, 3 put back/);
    expect(articles()).toEqual(before);
    ok(await refeed(file, 'once', '--all'));
    expect(articles()).toEqual(before);
    const merged = sfeedItems(readFileSync(path.join(dir, 'out', 'rss.xml'), 'utf8')).map((i) => i.title);
    expect(merged.sort()).toEqual(['Item 7', 'Item 8', 'Item shared']);
    expect(sfeedItems(readFileSync(path.join(dir, 'out', 'g/t/second/rss.xml'), 'utf8')).map((i) => i.title).sort()).toEqual(['Item 8', 'Item shared']);
  });

  it('reads files written before the stamp as before, without duplicating what a healthy state holds', async () => {
    up.feeds.set('old', ITEMS);
    const s = site('old');
    ok(await refeed(s.file, 'once', '--all'));
    const before = s.rows();
    // Files as an earlier refeed wrote them: no stamp.
    for (const [name, text] of s.files()) {
      writeFileSync(path.join(s.out, 'articles/g/s', name), text.replace(/\narticle_id: .*\nitem_key: .*\n---\n/, '\n---\n'));
    }
    expect(Object.keys(frontMatter([...s.files().values()][0]))).not.toContain('article_id');
    expect(ok(await refeed(s.file, 'reindex')).stderr).toMatch(/4 article files, 0 put back, 4 already known/);
    expect(s.rows().entries).toEqual(before.entries);
    // A lost state: each comes back with the full id its file name abbreviates (from its link), keyed by guid, else link.
    s.dropState();
    expect(ok(await refeed(s.file, 'reindex')).stderr).toMatch(/4 article files, 4 put back/);
    const ids = (s.rows().articles as { id: string }[]).map((a) => a.id);
    const withLinks = (before.articles as { id: string; title: string }[]).filter((a) => a.title !== 'Neither guid nor link').map((a) => a.id);
    for (const id of withLinks) expect(ids).toContain(id);
    ok(await refeed(s.file, 'once', '--all'));
    const titles = sfeedItems(readFileSync(path.join(s.out, 'rss.xml'), 'utf8')).map((i) => i.title);
    expect(titles.filter((t) => t !== 'Neither guid nor link').sort()).toEqual(['Item 1', 'Item 2', 'Link only']);
  });
});
