import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { runFetch } from '../../src/ingest/index.ts';
import type { Store } from '../../src/store/index.ts';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { postgresServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Issue 20: 10 fetches of a feed whose 20 items get new guids each time gave
// 200 articles, 200 files and a 50-item feed with 20 distinct titles; with
// stable links the entries table still grew by 20 per fetch. Within a
// channel, an item whose content (title, link, body) a stored item has is
// that article again, whatever its guid.

let fetchNo = 0;
/** 20 items whose guids (and dates) are new on every request; `links` says whether their links are too. */
function churningFeed(links: 'stable' | 'churning'): string {
  fetchNo++;
  const items = Array.from({ length: 20 }, (_, i) => {
    const link = links === 'stable' ? `https://churn.example/post/${i}` : `https://churn.example/post/${i}?session=${fetchNo}`;
    const date = new Date(Date.UTC(2024, 0, 1) + fetchNo * 60_000 + i * 1000).toUTCString();
    return `<item><title>Post ${i}</title><link>${link}</link><guid isPermaLink="false">urn:uuid:${fetchNo}-${i}-${Math.random()}</guid><pubDate>${date}</pubDate><description>Body of post ${i}.</description></item>`;
  }).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>churn</title><link>https://churn.example/</link>${items}</channel></rss>`;
}

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer((req, res) => {
    const body = req.url === '/stable.xml' ? churningFeed('stable') : req.url === '/churning-links.xml' ? churningFeed('churning') : undefined;
    if (body) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
    else res.writeHead(404).end();
  });
});
afterAll(async () => void (await upstream?.close()));

function configFor(feed: string, state: string): RefeedConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-churn-'));
  return parseConfig(
    `site: { output: out, state: "${state || 'state.db'}" }
defaults: { allow_private: true, limit: 50 }
groups:
  - name: g
    sources:
      - name: s
        channels:
          - { name: c, url: "${upstream.url}/${feed}" }
`,
    path.join(dir, 'refeed.yaml'),
  );
}

interface Counts {
  articles: number;
  entries: number;
  warning: string | null;
}

function churnTests(engine: string, open: (config: RefeedConfig) => Promise<{ store: Store; counts: () => Promise<Counts> }>, state: () => Promise<string>) {
  describe(`a feed that regenerates guids (${engine})`, () => {
    it('10 fetches of 20 items under new guids give 20 articles, 20 entries and 20 files, and a guid-churn warning', async () => {
      const config = configFor('stable.xml', await state());
      const { store, counts } = await open(config);
      try {
        const reports = [];
        for (let i = 0; i < 10; i++) reports.push(...(await runFetch(config, store, { logger: silentLogger })));
        expect(reports[0].newItems).toBe(20);
        for (const r of reports.slice(1)) {
          expect(r.newItems).toBe(0);
          expect(r.sameContent).toBe(20);
        }
        const c = await counts();
        expect(c.articles).toBe(20);
        expect(c.entries).toBe(20);
        expect(c.warning).toMatch(/^guid-churn: 20 of 20 items came back under new guids/);
        expect(readdirSync(path.join(config.site.output, 'articles/g/s'))).toHaveLength(20);
        const feed = await store.topArticles('g/s/c', 50);
        expect(new Set(feed.map((a) => a.title)).size).toBe(feed.length);
      } finally {
        await store.close();
      }
    });

    it('links that change too are new content: stored (pruning bounds those), no warning', async () => {
      const config = configFor('churning-links.xml', await state());
      const { store, counts } = await open(config);
      try {
        for (let i = 0; i < 3; i++) await runFetch(config, store, { logger: silentLogger });
        const c = await counts();
        expect(c.entries).toBe(60);
        expect(c.warning).toBeNull();
      } finally {
        await store.close();
      }
    });
  });
}

churnTests(
  'SQLite',
  async (config) => {
    const store = new SqliteStore(config.site.state);
    const counts = async (): Promise<Counts> => ({
      articles: (store.db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n,
      entries: (store.db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n,
      warning: (store.db.prepare('SELECT last_warning AS w FROM channels').get() as { w: string | null }).w,
    });
    return { store, counts };
  },
  async () => '',
);

const pgServer = serverOrSkip('PostgreSQL', await postgresServer());
const databases = pgServer && new TestDatabases(pgServer.url, 'refeed_churn');
afterAll(async () => {
  await databases?.dropAll();
  await pgServer?.stop();
});
if (pgServer) {
  churnTests(
    'PostgreSQL',
    async (config) => {
      const store = await PostgresStore.open(config.site.state);
      const one = async <T>(sql: string): Promise<T> => {
        const client = new pg.Client({ connectionString: config.site.state });
        await client.connect();
        try {
          return (await client.query(sql)).rows[0] as T;
        } finally {
          await client.end();
        }
      };
      const counts = async (): Promise<Counts> => ({
        articles: (await one<{ n: number }>('SELECT count(*)::int AS n FROM articles')).n,
        entries: (await one<{ n: number }>('SELECT count(*)::int AS n FROM entries')).n,
        warning: (await one<{ w: string | null }>('SELECT last_warning AS w FROM channels')).w,
      });
      return { store, counts };
    },
    () => databases!.create(),
  );
}
