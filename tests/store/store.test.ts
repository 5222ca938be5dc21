import { mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { StateCorruptError, StateLostError } from '../../src/store/index.ts';
import { item, storeContract } from './contract.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'refeed-store-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

storeContract('SQLite', async () => {
  const file = path.join(tmp(), 'state.db');
  return { open: async () => new SqliteStore(file) };
});

/** Takes a current SQLite state back to the schema version 4 left (before item fragments). */
// What version 4 did not have: version 5's fragments and version 6's channel meta.
const AS_V4 = 'DROP TRIGGER item_fragments_stale; DROP TRIGGER item_fragments_gone; DROP INDEX articles_contentless; DROP TABLE item_fragments; ALTER TABLE channels DROP COLUMN meta; DROP TABLE full_text; ALTER TABLE articles DROP COLUMN original; ALTER TABLE channels DROP COLUMN rewrites; DROP INDEX articles_unlinked; DROP INDEX articles_pending; CREATE INDEX articles_pending ON articles(id) WHERE file_hash IS NOT content_hash; ALTER TABLE articles DROP COLUMN hidden; ALTER TABLE channels DROP COLUMN rules';

describe('SQLite store', () => {
  it('uses WAL, survives reopening, and stays intact', async () => {
    const file = path.join(tmp(), 'state.db');
    const st = new SqliteStore(file);
    expect(st.db.pragma('journal_mode', { simple: true })).toBe('wal');
    await st.ensureChannel('g/s/c', 'https://a.example/feed', 1);
    await st.recordSuccess('g/s/c', { now: 10, status: 'new', etag: '"e1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
    await st.close();
    const again = new SqliteStore(file);
    expect(await again.channelState('g/s/c')).toMatchObject({ etag: '"e1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT', lastStatus: 'new', lastSuccessAt: 10 });
    expect(again.db.pragma('integrity_check', { simple: true })).toBe('ok');
    await again.close();
  });

  it('knows when its file is deleted, replaced or emptied under it, and then refuses every write', async () => {
    for (const [how, lose, reason] of [
      ['deleted', (f: string) => rmSync(f), /state\.db was deleted/],
      ['replaced', (f: string) => (renameSync(f, `${f}.old`), writeFileSync(f, 'x')), /state\.db was replaced/],
      ['emptied', (f: string) => truncateSync(f, 0), /state\.db was emptied/],
    ] as const) {
      const file = path.join(tmp(), 'state.db');
      const st = new SqliteStore(file);
      await st.ensureChannel('g/s/c', 'https://a.example/feed', 1);
      expect(st.stateLost(), how).toBeUndefined();
      lose(file);
      expect(st.stateLost(), how).toMatch(reason);
      await expect(st.recordSuccess('g/s/c', { now: 10, status: 'new' }), how).rejects.toBeInstanceOf(StateLostError);
      await st.close();
    }
    // Moved away and back: the same file again, writable again.
    const file = path.join(tmp(), 'state.db');
    const st = new SqliteStore(file);
    renameSync(file, `${file}.away`);
    expect(st.stateLost()).toMatch(/deleted/);
    renameSync(`${file}.away`, file);
    expect(st.stateLost()).toBeUndefined();
    await st.recordSuccess('g/s/c', { now: 10, status: 'new' });
    await st.close();
  });

  it('upgrades a store of the first layout in place: ids, files and history kept', async () => {
    const file = path.join(tmp(), 'state.db');
    const v1 = new Database(file);
    v1.exec(`CREATE TABLE channels (key TEXT PRIMARY KEY, config_url TEXT NOT NULL, url TEXT NOT NULL, etag TEXT, last_modified TEXT,
        last_fetch_at INTEGER, last_success_at INTEGER, last_status TEXT, last_error TEXT, consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_run_at INTEGER, disabled INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE articles (id TEXT PRIMARY KEY, channel_key TEXT NOT NULL, identity TEXT NOT NULL, g TEXT NOT NULL, s TEXT NOT NULL, c TEXT NOT NULL,
        title TEXT NOT NULL, link TEXT, date INTEGER NOT NULL, first_seen INTEGER NOT NULL, content_hash TEXT NOT NULL, path TEXT NOT NULL,
        author TEXT, headimg TEXT, guid TEXT, categories TEXT, html TEXT, file_mtime REAL, file_size INTEGER);
      CREATE UNIQUE INDEX articles_link ON articles(link) WHERE link IS NOT NULL;
      CREATE TABLE dirty_feeds (key TEXT PRIMARY KEY);
      CREATE TABLE published_feeds (key TEXT PRIMARY KEY, spec_hash TEXT NOT NULL, rows_hash TEXT NOT NULL);
      INSERT INTO channels (key, config_url, url, etag, last_status) VALUES ('g/s/c', 'https://a.example/f', 'https://a.example/moved', '"e"', 'new');
      INSERT INTO articles VALUES ('aaaa', 'g/s/c', 'guid-1', 'g', 's', 'c', 'T', 'https://a.example/1', 5000, 4000, 'h1', 'articles/g/s/aaaa.md',
        'A', '', 'guid-1', '["G","S","C"]', '<p>x</p>', 1.5, 10);
      INSERT INTO published_feeds VALUES ('g', 'spec', 'rows');`);
    v1.close();
    const st = new SqliteStore(file);
    expect(await st.channelState('g/s/c')).toMatchObject({ url: 'https://a.example/moved', etag: '"e"', createdAt: 4000 });
    expect(await st.topArticles('g/s/c', 10)).toEqual([
      { id: 'aaaa', itemKey: 'guid-1', channelKey: 'g/s/c', slugs: ['g', 's', 'c'], title: 'T', link: 'https://a.example/1', date: 5000, firstSeen: 4000, contentHash: 'h1', path: 'articles/g/s/aaaa.md' },
    ]);
    expect(await st.pendingFiles(10)).toEqual([]); // its file was written by the old version
    expect((await st.articleContent(['aaaa'])).get('aaaa')).toMatchObject({ html: '<p>x</p>' });
    expect((await st.ledger()).get('g')).toEqual({ specHash: 'spec', rowsHash: 'rows' });
    // The old item is known under its item key: fetching it again is no new item.
    expect((await st.knownItems('g/s/c', ['guid-1'])).get('guid-1')).toMatchObject({ articleId: 'aaaa', owned: true, contentHash: 'h1' });
    expect(st.db.pragma('user_version', { simple: true })).toBe(9);
    expect((await st.articleContent(['aaaa'])).get('aaaa')).toMatchObject({ tags: [], enclosures: [] });
    await st.close();
  });

  it('upgrades a version 2 store: existing articles get no enclosures or tags, and take them from the next commit', async () => {
    const file = path.join(tmp(), 'state.db');
    const st = new SqliteStore(file);
    await st.syncChannels([{ key: 'g/s/c', url: 'https://a.example/f', names: ['G', 'S', 'C'] }], 1000);
    const r = await st.commitItems('g/s/c', [item('old')], { now: 1000, status: 'new' });
    const id = r.files[0].articleId;
    await st.markFilesWritten([{ id, contentHash: r.files[0].contentHash, expectHash: r.files[0].contentHash }]);
    await st.close();
    // As version 2 left it: no extra column, no content key, no fragments.
    const v2 = new Database(file);
    v2.exec(`${AS_V4}; ALTER TABLE articles DROP COLUMN extra; DROP INDEX entries_content; ALTER TABLE entries DROP COLUMN content_key`);
    v2.pragma('user_version = 2');
    v2.close();
    const again = new SqliteStore(file);
    expect(again.db.pragma('user_version', { simple: true })).toBe(9);
    expect((await again.articleContent([id])).get(id)).toMatchObject({ title: 'title old', tags: [], enclosures: [] });
    const write = item('old', { hash: 'h2' });
    await again.commitItems('g/s/c', [{ ...write, article: { ...write.article, tags: ['New'], enclosures: [{ url: 'https://a.example/1.mp3', type: 'audio/mpeg', length: 1 }] } }], { now: 2000, status: 'updated' });
    expect((await again.pendingFiles(10))[0].content).toMatchObject({ tags: ['New'], enclosures: [{ url: 'https://a.example/1.mp3', type: 'audio/mpeg', length: 1 }] });
    await again.close();
  });

  it('upgrades a version 3 store in place: entries get their content key (issue 20), rows kept', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'refeed-v3-')), 'state.db');
    const st = new SqliteStore(file);
    await st.syncChannels([{ key: 'g/s/c', url: 'https://a.example/feed', names: ['G', 'S', 'C'] }], 1000);
    st.db.exec(`INSERT INTO entries (channel_id, item_key, article_id, first_seen, date, g, s, c) VALUES (1, 'old', 'x', 1, 1, 'g', 's', 'c')`);
    // As version 3 left it: no content_key column, no fragments.
    st.db.exec(`${AS_V4}; DROP INDEX entries_content; ALTER TABLE entries DROP COLUMN content_key; PRAGMA user_version = 3`);
    await st.close();
    const again = new SqliteStore(file);
    expect(again.db.pragma('user_version', { simple: true })).toBe(9);
    expect(again.db.prepare('SELECT item_key, content_key FROM entries').all()).toEqual([{ item_key: 'old', content_key: null }]);
    expect(await again.knownContent('g/s/c', ['k'])).toEqual(new Map());
    await again.close();
  });

  it('upgrades a version 4 store in place: articles get fragments, which a change of enclosures or tags drops', async () => {
    const file = path.join(tmp(), 'state.db');
    const st = new SqliteStore(file);
    await st.syncChannels([{ key: 'g/s/c', url: 'https://a.example/f', names: ['G', 'S', 'C'] }], 1000);
    const r = await st.commitItems('g/s/c', [item('old')], { now: 1000, status: 'new' });
    const id = r.files[0].articleId;
    st.db.exec(`${AS_V4}; PRAGMA user_version = 4`);
    await st.close();
    const again = new SqliteStore(file);
    expect(again.db.pragma('user_version', { simple: true })).toBe(9);
    again.db.prepare(`INSERT INTO item_fragments (article_id, version, item_id, rss, atom, json) VALUES (?, 'v', 'i', x'00', x'00', x'00')`).run(id);
    expect((await again.itemFragments([id], 'v')).get(id)).toMatchObject({ id: 'i' });
    // Only the extra column changes (enclosures, tags): the fragments encoded from the old ones go.
    again.db.prepare(`UPDATE articles SET extra = '{"tags":["New"]}' WHERE id = ?`).run(id);
    expect(await again.itemFragments([id], 'v')).toEqual(new Map());
    await again.close();
  });

  it('upgrades a version 6 store in place: a full_text table, empty, rows kept (issue 21)', async () => {
    const file = path.join(tmp(), 'state.db');
    const st = new SqliteStore(file);
    await st.syncChannels([{ key: 'g/s/c', url: 'https://a.example/f', names: ['G', 'S', 'C'] }], 1000);
    await st.commitItems('g/s/c', [item('old')], { now: 1000, status: 'new' });
    st.db.exec('DROP TABLE full_text; ALTER TABLE articles DROP COLUMN original; ALTER TABLE channels DROP COLUMN rewrites; DROP INDEX articles_unlinked; DROP INDEX articles_pending; CREATE INDEX articles_pending ON articles(id) WHERE file_hash IS NOT content_hash; ALTER TABLE articles DROP COLUMN hidden; ALTER TABLE channels DROP COLUMN rules; PRAGMA user_version = 6');
    await st.close();
    const again = new SqliteStore(file);
    expect(again.db.pragma('user_version', { simple: true })).toBe(9);
    expect(await again.countArticles()).toBe(1);
    expect(await again.fullTextEntries(['https://a.example/1'])).toEqual(new Map());
    await again.saveFullText([{ link: 'https://a.example/1', mode: 'readability', html: '<p>x</p>', failures: 0, at: 5 }]);
    expect((await again.fullTextEntries(['https://a.example/1'])).get('https://a.example/1')).toMatchObject({ html: '<p>x</p>' });
    await again.close();
  });

  it('upgrades a version 4 store in place: channels get an empty meta, then what a full fetch records (issue 22)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'refeed-v4-')), 'state.db');
    const st = new SqliteStore(file);
    await st.syncChannels([{ key: 'g/s/c', url: 'https://a.example/feed', names: ['G', 'S', 'C'] }], 1000);
    await st.recordSuccess('g/s/c', { now: 1500, status: 'unchanged', etag: '"e"' });
    // As version 4 left it: no meta column.
    st.db.exec(`${AS_V4}; PRAGMA user_version = 4`);
    await st.close();
    const again = new SqliteStore(file);
    expect(again.db.pragma('user_version', { simple: true })).toBe(9);
    const before = await again.channelState('g/s/c');
    expect(before).toMatchObject({ etag: '"e"', lastSuccessAt: 1500 });
    expect(before?.meta).toBeUndefined();
    const meta = { image: 'https://a.example/logo.png', hubs: ['https://hub.example/'], self: 'https://a.example/feed' };
    await again.commitItems('g/s/c', [item('one')], { now: 2000, status: 'new', meta });
    expect((await again.channelState('g/s/c'))?.meta).toEqual(meta);
    // A 304 (or a push) carries no meta: what the last full fetch said stays.
    await again.recordSuccess('g/s/c', { now: 3000, status: 'not-modified' });
    expect((await again.channelStates())[0].meta).toEqual(meta);
    // A full fetch whose feed no longer names them forgets them.
    await again.recordSuccess('g/s/c', { now: 4000, status: 'unchanged', meta: {} });
    expect((await again.channelState('g/s/c'))?.meta).toBeUndefined();
    // A damaged value reads as nothing known, not as an error.
    again.db.exec(`UPDATE channels SET meta = '{"image": 5, "hubs": "x"'`);
    expect((await again.channelState('g/s/c'))?.meta).toEqual({});
    await again.close();
  });

  it('says a damaged file is corrupt and names the fix', async () => {
    const file = path.join(tmp(), 'state.db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'this is not a database, just text that is long enough to be read as a header'.repeat(20));
    expect(() => new SqliteStore(file)).toThrow(StateCorruptError);
    expect(() => new SqliteStore(file)).toThrow(/refeed reindex/);
  });
});

describe('SQLite schema migration', () => {
  it('two processes opening the same new file: the one that loses the race finds it migrated, not half-done', async () => {
    const { migrate, SCHEMA_VERSION } = await import('../../src/store/sqlite/schema.ts');
    const file = path.join(tmp(), 'state.db');
    const late = new Database(file);
    late.pragma('busy_timeout = 1000');
    // The late opener reads user_version 0; before it starts its transaction, another process migrates the file.
    let first = true;
    const racing = new Proxy(late, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === 'pragma' && first) {
          return (...args: Parameters<Database.Database['pragma']>) => {
            const read = target.pragma(...args);
            first = false;
            const other = new Database(file);
            migrate(other, 1);
            other.close();
            return read;
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    expect(() => migrate(racing, 2)).not.toThrow();
    expect(late.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(late.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '%_v1'").get()).toEqual({ n: 0 });
    late.close();
  });
});
