import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { retentionOf } from '../../src/ingest/prune.ts';
import type { Store } from '../../src/store/index.ts';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { postgresServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Issue 20: nothing pruned, so a feed whose items never repeat (here: links
// and guids new on every request) grew the store and the output folder
// without limit. Entries and articles that fell out of every feed are kept
// up to `retention` (default: 10 × the channel's limit, or 90 days, whichever
// keeps more), then removed with their files; what a feed shows never is.

let fetchNo = 0;
function freshItemsFeed(): string {
  fetchNo++;
  const items = Array.from({ length: 5 }, (_, i) => {
    const n = `${fetchNo}-${i}`;
    const date = new Date(Date.UTC(2024, 0, 1) + fetchNo * 3600_000 + i * 1000).toUTCString();
    return `<item><title>Post ${n}</title><link>https://fresh.example/${n}</link><guid>g-${n}</guid><pubDate>${date}</pubDate><description>Body ${n}</description></item>`;
  }).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>fresh</title><link>https://fresh.example/</link>${items}</channel></rss>`;
}

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer((req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(freshItemsFeed()));
});
afterAll(async () => void (await upstream?.close()));

function configFor(state: string, o: { siteLimit: number; retention?: string; rules?: string; dir?: string }): RefeedConfig {
  const dir = o.dir ?? mkdtempSync(path.join(os.tmpdir(), 'refeed-retention-'));
  return parseConfig(
    `site: { output: out, state: "${state || 'state.db'}", limit: ${o.siteLimit} }
defaults: { allow_private: true, limit: 5${o.retention ? `, retention: ${o.retention}` : ''} }
groups:
  - name: g
    sources:
      - name: s
        channels:
          - { name: c, url: "${upstream.url}/feed.xml"${o.rules ? `, rules: [${o.rules}]` : ''} }
`,
    path.join(dir, 'refeed.yaml'),
  );
}

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 0, 1);

type Count = (sql: string) => Promise<number>;

/** Six fetches of five new items, two hours apart (on the fetch's clock). */
async function sixFetches(config: RefeedConfig, store: Store) {
  const reports = [];
  for (let i = 0; i < 6; i++) {
    const at = T0 + i * 2 * HOUR;
    reports.push(...(await runFetch(config, store, { logger: silentLogger, now: () => at })));
  }
  return reports;
}

function retentionTests(engine: string, open: (config: RefeedConfig) => Promise<{ store: Store; count: Count }>, state: () => Promise<string>) {
  describe(`retention (${engine})`, () => {
    it('prunes entries, articles and files beyond `retention`, keeping the newest and every item a feed shows', async () => {
      const config = configFor(await state(), { siteLimit: 5, retention: '{ items: 10, age: 1h }' });
      const { store, count } = await open(config);
      try {
        const reports = await sixFetches(config, store);
        expect(reports.map((r) => r.newItems)).toEqual([5, 5, 5, 5, 5, 5]);
        expect(reports.map((r) => r.pruned ?? 0)).toEqual([0, 0, 5, 5, 5, 5]);
        expect(await count('SELECT count(*) AS n FROM entries')).toBe(10);
        expect(await count('SELECT count(*) AS n FROM articles')).toBe(10);
        const files = readdirSync(path.join(config.site.output, 'articles/g/s'));
        expect(files).toHaveLength(10);
        // The newest ten are the ones kept: fetches 5 and 6 (this run's items are numbered from fetchNo).
        const top = await store.topArticles('g/s/c', 10);
        expect(top).toHaveLength(10);
        for (const a of top) expect(existsSync(path.join(config.site.output, a.path)), a.path).toBe(true);
        expect(new Set(top.map((a) => a.title.replace(/-\d+$/, '')))).toEqual(new Set([`Post ${fetchNo - 1}`, `Post ${fetchNo}`]));
      } finally {
        await store.close();
      }
    });

    it('never prunes what a feed shows: a merged feed of 20 keeps 20 entries of a channel bounded at 10', async () => {
      const config = configFor(await state(), { siteLimit: 20, retention: '{ items: 10, age: 1h }' });
      const { store, count } = await open(config);
      try {
        await sixFetches(config, store);
        expect(await count('SELECT count(*) AS n FROM entries')).toBe(20);
        expect((await store.topArticles('', 20)).map((a) => a.id).sort()).toEqual(
          (await store.topArticles('g/s/c', 100)).map((a) => a.id).sort(),
        );
      } finally {
        await store.close();
      }
    });

    it('never prunes what a feed shows through its rules: stored items a new rule lets through, deeper than the newest entries', async () => {
      const first = configFor(await state(), { siteLimit: 5, retention: '{ items: 5, age: 1h }' });
      const { store, count } = await open(first);
      try {
        // Half an hour apart: nothing is older than the hour yet.
        for (let i = 0; i < 2; i++) await runFetch(first, store, { logger: silentLogger, now: () => T0 + (i * HOUR) / 2 });
        expect(await count('SELECT count(*) AS n FROM entries')).toBe(10);
        const [older, newer, next] = [fetchNo - 1, fetchNo, fetchNo + 1];
        // A rule hides the newer fetch's five and three of the next: the feeds show the next two, then the older fetch's newest three.
        const ruled = configFor(first.site.state, {
          siteLimit: 5,
          retention: '{ items: 5, age: 1h }',
          rules: `{ "block title": "^Post (${newer}-|${next}-[0-2]$)" }`,
          dir: path.dirname(first.file),
        });
        const [report] = await runFetch(ruled, store, { logger: silentLogger, now: () => T0 + 4 * HOUR });
        expect(report.newItems).toBe(2);
        // The newest five entries are kept anyway (the two new, three hidden); of the older fetch, the three the feeds show stay.
        expect(await count(`SELECT count(*) AS n FROM articles WHERE title LIKE 'Post ${older}-%'`)).toBe(3);
        expect(await count(`SELECT count(*) AS n FROM articles WHERE title LIKE 'Post ${older}-%' AND title IN ('Post ${older}-2', 'Post ${older}-3', 'Post ${older}-4')`)).toBe(3);
      } finally {
        await store.close();
      }
    });

    it('by default keeps 10 × the limit or 90 days, whichever keeps more: 30 entries 10 hours old all stay', async () => {
      const config = configFor(await state(), { siteLimit: 5 });
      expect(retentionOf(config.channels[0].settings)).toEqual({ items: 50, ageMs: 90 * 24 * HOUR });
      const { store, count } = await open(config);
      try {
        const reports = await sixFetches(config, store);
        expect(reports.every((r) => !r.pruned)).toBe(true);
        expect(await count('SELECT count(*) AS n FROM entries')).toBe(30);
      } finally {
        await store.close();
      }
    });
  });
}

describe('the retention setting', () => {
  it('is set at any level, key by key, and refuses what it does not know', () => {
    const config = parseConfig(
      `defaults: { retention: { items: 100 } }
groups:
  - name: g
    retention: { age: 30d }
    sources:
      - name: s
        channels:
          - { name: a, url: "https://a.example/feed" }
          - { name: b, url: "https://b.example/feed", retention: { items: 7 } }
`,
      path.join(os.tmpdir(), 'refeed.yaml'),
    );
    const [a, b] = config.channels;
    expect(retentionOf(a.settings)).toEqual({ items: 100, ageMs: 30 * 24 * HOUR });
    expect(retentionOf(b.settings)).toEqual({ items: 7, ageMs: 30 * 24 * HOUR });
    expect(() => parseConfig('defaults: { retention: { itmes: 5 } }', path.join(os.tmpdir(), 'refeed.yaml'))).toThrow(ConfigError);
    expect(() => parseConfig('defaults: { retention: { age: soon } }', path.join(os.tmpdir(), 'refeed.yaml'))).toThrow(ConfigError);
  });
});

retentionTests(
  'SQLite',
  async (config) => {
    const store = new SqliteStore(config.site.state);
    return { store, count: async (sql) => (store.db.prepare(sql).get() as { n: number }).n };
  },
  async () => '',
);

const pgServer = serverOrSkip('PostgreSQL', await postgresServer());
const databases = pgServer && new TestDatabases(pgServer.url, 'refeed_retention');
afterAll(async () => {
  await databases?.dropAll();
  await pgServer?.stop();
});
if (pgServer) {
  retentionTests(
    'PostgreSQL',
    async (config) => {
      const store = await PostgresStore.open(config.site.state);
      const count: Count = async (sql) => {
        const client = new pg.Client({ connectionString: config.site.state });
        await client.connect();
        try {
          return Number((await client.query<{ n: string }>(sql)).rows[0].n);
        } finally {
          await client.end();
        }
      };
      return { store, count };
    },
    () => databases!.create(),
  );
}
