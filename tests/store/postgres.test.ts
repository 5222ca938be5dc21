import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, StateMissingError, StoreUnavailableError, articleIdFor, type Store } from '../../src/store/index.ts';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { connect } from '../../src/store/postgres/connection.ts';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../src/store/postgres/schema.ts';
import { freePort, postgresServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { channel, item, storeContract } from './contract.ts';
import { paritySequence } from './parity.ts';

// The PostgreSQL store against a real server (see tests/helpers/servers.ts):
// the contract every store meets, then what only a shared server has to get
// right: processes committing at once, migrations, the run lock across
// sessions, and a server that is not there.

const server = serverOrSkip('PostgreSQL', await postgresServer());
const ok = { now: Date.UTC(2024, 0, 1), status: 'new' as const };

const stores: Store[] = [];
const databases = server && new TestDatabases(server.url, 'refeed_store');
const freshDatabase = () => databases!.create();

async function open(url: string): Promise<PostgresStore> {
  const st = await PostgresStore.open(url);
  stores.push(st);
  return st;
}

afterAll(async () => {
  for (const st of stores) await st.close();
  await databases?.dropAll();
  await server?.stop();
});

if (server) {
  storeContract('PostgreSQL', async () => {
    const url = await freshDatabase();
    return { open: () => open(url) };
  });
} else {
  describe.skip('store contract: PostgreSQL (no server)', () => it('runs against a PostgreSQL server', () => undefined));
}

describe.skipIf(!server)('PostgreSQL store', () => {
  it('stores each article once when two processes commit the same links at once, owned by the lowest-id channel', async () => {
    const url = await freshDatabase();
    const [x, y] = [await open(url), await open(url)];
    const keys = ['g/a/one', 'g/b/two', 'g/c/three'];
    await x.syncChannels(keys.map((k) => channel(k)), ok.now);
    const rounds = 8;
    const perRound = 12;
    const itemsOf = (key: string, round: number) =>
      Array.from({ length: perRound }, (_, i) =>
        item(`${key}#${round}.${i}`, { link: `https://x.example/${round}/${i}`, title: `${key} ${round}.${i}`, date: round * 100 + i }),
      );
    for (let round = 0; round < rounds; round++) {
      // Every channel from both stores, in opposite orders, all at once (the same channel twice too).
      await Promise.all([
        ...keys.map((k) => x.commitItems(k, itemsOf(k, round), ok)),
        ...[...keys].reverse().map((k) => y.commitItems(k, itemsOf(k, round), ok)),
      ]);
    }
    expect(await x.countArticles()).toBe(rounds * perRound);
    for (const k of keys) {
      const listed = await y.topArticles(k, 1000);
      expect(listed, k).toHaveLength(rounds * perRound);
      // The content is the first configured channel's, whichever stored the article first.
      expect(new Set(listed.map((a) => a.title.split(' ')[0])), k).toEqual(new Set(['g/a/one']));
      expect(listed.every((a) => a.path.startsWith('articles/g/a/'))).toBe(true);
      const known = await x.knownItems(k, itemsOf(k, 0).map((i) => i.itemKey));
      expect([...known.values()].every((v) => v.owned === (k === 'g/a/one')), k).toBe(true);
    }
    expect(new Set((await x.topArticles('', 1000)).map((a) => a.id)).size).toBe(rounds * perRound);
    const pending = await x.pendingFiles(10_000);
    expect(pending).toHaveLength(rounds * perRound);
    expect(pending.every((p) => p.path.startsWith('articles/g/a/') && p.content.categories[0] === 'G')).toBe(true);
  });

  it('answers a long script of operations exactly as the SQLite store does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-parity-'));
    try {
      const sqlite = new SqliteStore(path.join(dir, 'state.db'));
      const expected = await paritySequence(sqlite);
      await sqlite.close();
      expect(await paritySequence(await open(await freshDatabase()))).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes another process\'s new article for a duplicate when both insert the same link (the id collision), and still decides ownership', async () => {
    const url = await freshDatabase();
    const st = await open(url);
    await st.syncChannels([channel('g/a/one'), channel('g/b/two')], ok.now);
    const idOf = async (key: string) => (await st.channelState(key))!.id;
    // The other process's channel owns the article it inserts; the committer takes it over only with a lower id.
    for (const [committer, theirs, expectOwned] of [['g/a/one', 'g/b/two', true], ['g/b/two', 'g/a/one', false]] as const) {
      const owner = await idOf(theirs);
      const [g, s, c] = theirs.split('/');
      const link = `https://race.example/${committer}`;
      const id = articleIdFor(0, '', link);
      // Another process has inserted the article and not committed yet: our insert must wait for it, then yield.
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, path) VALUES ($1, 'i', $2, 'theirs', $3, 5, 5, 'h', $4)`,
        [id, owner, link, `articles/${g}/${s}/x.md`],
      );
      await other.query(`INSERT INTO entries (channel_id, item_key, article_id, first_seen, date, g, s, c) VALUES ($1, 'k', $2, 5, 5, $3, $4, $5)`, [owner, id, g, s, c]);
      const pendingCommit = st.commitItems(committer, [item(`k-${committer}`, { link, title: 'mine' })], ok);
      const watcher = new pg.Client({ connectionString: url });
      await watcher.connect();
      for (let i = 0; i < 400; i++) {
        const { rows } = await watcher.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted');
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await watcher.end();
      await other.query('COMMIT');
      await other.end();
      const r = await pendingCommit;
      expect(r).toMatchObject({ newItems: 0, duplicates: 1 });
      expect(r.files.map((f) => f.articleId)).toEqual(expectOwned ? [id] : []);
      expect((await st.knownItems(committer, [`k-${committer}`])).get(`k-${committer}`)).toMatchObject({ articleId: id, owned: expectOwned });
    }
    expect(await st.countArticles()).toBe(2);
  });

  it('keeps an item key holding U+0000 findable', async () => {
    const st = await open(await freshDatabase());
    await st.syncChannels([channel('g/s/c')], ok.now);
    const r = await st.commitItems('g/s/c', [item('a\u0000b', { title: 'nul \u0000 title' })], ok);
    expect(r.newItems).toBe(1);
    expect((await st.knownItems('g/s/c', ['a\u0000b'])).get('a\u0000b')).toMatchObject({ articleId: r.files[0].articleId, owned: true });
    expect((await st.commitItems('g/s/c', [item('a\u0000b', { title: 'nul \u0000 title' })], ok)).newItems).toBe(0);
  });

  it('migrates an empty database once, and again finds nothing to do; processes starting together take turns', async () => {
    const url = await freshDatabase();
    const readonly = PostgresStore.open(url, { readonly: true });
    await expect(readonly).rejects.toBeInstanceOf(StateMissingError);
    const both = await Promise.all([open(url), open(url)]);
    expect(both).toHaveLength(2);
    const pool = await connect(url);
    try {
      const { rows } = await pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      expect(await migrate(pool, url)).toBe(0);
      // A newer refeed's migration: this one refuses that database rather than misread it.
      expect(await migrate(pool, url, [...MIGRATIONS, 'CREATE TABLE later (x int)'])).toBe(1);
      await expect(PostgresStore.open(url)).rejects.toThrow(/upgrade refeed/);
    } finally {
      await pool.end();
    }
  });

  it('upgrades a database at migration 3 to the current migration: articles kept; their fragments dropped by a change of extra alone', async () => {
    const url = await freshDatabase();
    const pool = await connect(url);
    try {
      expect(await migrate(pool, url, MIGRATIONS.slice(0, 3))).toBe(3);
      await pool.query(`INSERT INTO channels (key, config_url, url, created_at) VALUES ('g/s/c', 'https://a.example/f', 'https://a.example/f', 1)`);
      await pool.query(`INSERT INTO articles (id, identity, owner_id, title, date, first_seen, content_hash, path, html)
        VALUES ('a1', 'k', 1, 'T', 1, 1, 'h', 'articles/g/s/a1.md', '<p>x</p>')`);
      expect(await migrate(pool, url)).toBe(SCHEMA_VERSION - 3);
      expect((await pool.query('SELECT title, extra FROM articles')).rows).toEqual([{ title: 'T', extra: '{}' }]);
      await pool.query(`INSERT INTO item_fragments (article_id, version, item_id, rss, atom, json) VALUES ('a1', 'v', 'i', '\\x00', '\\x00', '\\x00')`);
      await pool.query(`UPDATE articles SET extra = '{"tags":["New"]}' WHERE id = 'a1'`);
      expect((await pool.query('SELECT count(*)::int AS n FROM item_fragments')).rows).toEqual([{ n: 0 }]);
    } finally {
      await pool.end();
    }
  });

  it('upgrades a database at migration 3: channels keep their state and get an empty meta (issue 22)', async () => {
    const url = await freshDatabase();
    const pool = await connect(url);
    try {
      expect(await migrate(pool, url, MIGRATIONS.slice(0, 3))).toBe(3);
      await pool.query(`INSERT INTO channels (key, config_url, url, created_at, etag) VALUES ('g/s/c', 'https://a.example/f', 'https://a.example/f', 1000, '"e"')`);
      expect(await migrate(pool, url)).toBe(SCHEMA_VERSION - 3);
      const { rows } = await pool.query<{ meta: string }>('SELECT meta FROM channels');
      expect(rows).toEqual([{ meta: '{}' }]);
    } finally {
      await pool.end();
    }
    const st = await open(url);
    expect(await st.channelState('g/s/c')).toMatchObject({ etag: '"e"', createdAt: 1000 });
    await st.commitItems('g/s/c', [item('one')], { ...ok, meta: { hubs: ['https://hub.example/'], self: 'https://a.example/f' } });
    expect((await st.channelState('g/s/c'))?.meta).toEqual({ hubs: ['https://hub.example/'], self: 'https://a.example/f' });
  });

  it('frees the run lock when the holding session dies, and waits for a release', async () => {
    const url = await freshDatabase();
    const [a, b] = [await open(url), await open(url)];
    const first = await a.acquireRunLock({ waitMs: 0, what: 'refeed run' });
    expect(first.acquired).toBe(true);
    const held = await b.acquireRunLock({ waitMs: 0, what: 'refeed fetch' });
    expect(held).toMatchObject({ acquired: false, holder: expect.stringMatching(/refeed run \(pid \d+ on /) });
    // The holder's process dies: the server ends its session, and the lock with it.
    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    await killer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'refeed run (%'`);
    await killer.end();
    const second = await b.acquireRunLock({ waitMs: 10_000, what: 'refeed fetch' });
    expect(second.acquired).toBe(true);
    if (first.acquired) await first.release(); // its session is gone: a no-op
    const third = a.acquireRunLock({ waitMs: 20_000, what: 'refeed once' });
    if (second.acquired) setTimeout(() => void second.release(), 200);
    const got = await third;
    expect(got.acquired).toBe(true);
    if (got.acquired) await got.release();
  });
});

describe('PostgreSQL store, no server', () => {
  it('says which server it cannot reach, without the password, after a few attempts', async () => {
    const port = await freePort();
    const url = `postgres://refeed:s3cret-pw@127.0.0.1:${port}/refeed`;
    const err = await PostgresStore.open(url, { attempts: 2, retryDelayMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}/refeed`);
    expect((err as Error).message).toMatch(/ECONNREFUSED.*2 attempts/);
    expect((err as Error).message).not.toContain('s3cret');
    // openStore chooses PostgreSQL by the URL's scheme.
    await expect(openStore(url.replace('postgres:', 'postgresql:'))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it.skipIf(!server)('says so at once when the database does not exist', async () => {
    const u = new URL(server!.url);
    u.pathname = '/refeed_no_such_database';
    u.password = 'hidden-pw';
    const err = await PostgresStore.open(u.toString()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/refeed_no_such_database.*does not exist/);
    expect((err as Error).message).not.toMatch(/attempts|hidden-pw/);
  });
});
