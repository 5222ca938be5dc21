import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { PreparePool, runFetch, syncChannels } from '../../src/ingest/index.ts';
import { FRAGMENT_ENCODER, planFeeds, publish } from '../../src/publish/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { channelOf, makeArticle, storeArticle } from '../helpers/articles.ts';
import { oneSourceYaml } from '../helpers/config-file.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { CONFIG_YAML, expectedItems, fixtureFactory, idOf, KEYS, snapshot, writeConfig, type Fixture } from './fixture.ts';

// Each item is encoded once into its RSS, Atom and JSON Feed fragments, which
// the store keeps with the content: a publish concatenates them. The oracle
// is the bytes a publish encoding everything from the content gives.

const opts = { logger: silentLogger, now: () => Date.UTC(2024, 2, 12, 8, 0) };
const make = fixtureFactory();
const bytesOf = (f: { output: string }) => new Map([...snapshot(f.output)].map(([rel, s]) => [rel, s.bytes]));
const fragmentRows = (f: Fixture) => (f.state.db.prepare('SELECT count(*) AS n FROM item_fragments').get() as { n: number }).n;
const hasFragments = (f: Fixture, id: string) => f.state.db.prepare('SELECT 1 FROM item_fragments WHERE article_id = ?').get(id) !== undefined;

describe('publish: items encoded once, their stored fragments concatenated', () => {
  it('encodes each article once; later publishes concatenate the stored fragments, to the same bytes', async () => {
    const f = await make(CONFIG_YAML);
    const distinct = new Set(planFeeds(f.config).flatMap((s) => expectedItems(s, f.articles)));
    const first = await publish(f.config, f.state, opts);
    expect(first.articlesEncoded).toBe(distinct.size);
    expect(fragmentRows(f)).toBe(distinct.size);
    const before = bytesOf(f);

    const again = await publish(f.config, f.state, { ...opts, full: true });
    expect(again.articlesEncoded).toBe(0);
    expect(again.written).toEqual([]);
    expect(bytesOf(f)).toEqual(before);
  });

  it('loads the fragments of the next feeds together (a round trip each on a server database), not one query per feed', async () => {
    const f = await make(CONFIG_YAML);
    await publish(f.config, f.state, opts);
    let queries = 0;
    const get = f.state.itemFragments.bind(f.state);
    f.state.itemFragments = async (...args) => (queries++, get(...args));
    const r = await publish(f.config, f.state, { ...opts, full: true });
    expect(r.rebuilt.length).toBeGreaterThan(5);
    expect(queries).toBe(1);
  });

  it('what a feed carries is the stored fragment itself, not an encoding made on the fly', async () => {
    const f = await make(CONFIG_YAML);
    await publish(f.config, f.state, opts);
    const newest = expectedItems(planFeeds(f.config).find((s) => s.key === KEYS.lwn)!, f.articles)[0];
    const row = f.state.db.prepare('SELECT rss FROM item_fragments WHERE article_id = ?').get(idOf(newest)) as { rss: Buffer };
    const marked = Buffer.from(row.rss.toString('utf8').replace('<title>', '<title><![CDATA[stored fragment]]></title><title>'));
    f.state.db.prepare('UPDATE item_fragments SET rss = ? WHERE article_id = ?').run(marked, idOf(newest));
    await publish(f.config, f.state, { ...opts, full: true });
    expect(readFileSync(path.join(f.output, KEYS.lwn, 'rss.xml'), 'utf8')).toContain('stored fragment');
  });

  it('a change of the site settings items depend on encodes them again, once, lazily', async () => {
    const f = await make(CONFIG_YAML);
    const first = await publish(f.config, f.state, opts);
    const moved = writeConfig(f.dir, CONFIG_YAML.replace('url: https://feeds.example/sub/', 'url: https://elsewhere.example/'));
    const second = await publish(moved, f.state, opts);
    expect(second.articlesEncoded).toBe(first.articlesEncoded);
    const third = await publish(moved, f.state, { ...opts, full: true });
    expect(third.articlesEncoded).toBe(0);
  });

  it('new content and a renamed channel (new categories) drop the fragments of what they replace', async () => {
    const f = await make(CONFIG_YAML);
    await publish(f.config, f.state, opts);
    const [newest, second] = expectedItems(planFeeds(f.config).find((s) => s.key === KEYS.front)!, f.articles);
    expect(hasFragments(f, idOf(newest))).toBe(true);

    // The owner stores new content for its article: the fragments of the old content go.
    await storeArticle(f.config, f.state, { ...newest, title: 'Rewritten title', contentHash: 'changed' });
    expect(hasFragments(f, idOf(newest))).toBe(false);
    expect(hasFragments(f, idOf(second))).toBe(true);
    const r = await publish(f.config, f.state, opts);
    expect(r.articlesEncoded).toBe(1);
    expect(readFileSync(path.join(f.output, KEYS.front, 'rss.xml'), 'utf8')).toContain('Rewritten title');

    // A renamed channel gives its articles new categories: their fragments go, the new names are published.
    const renamed = writeConfig(f.dir, CONFIG_YAML.replace('- name: Front page', '- name: Front page renamed\n            slug: front-page'));
    await syncChannels(renamed, f.state, Date.now(), silentLogger);
    expect(hasFragments(f, idOf(second))).toBe(false);
    await publish(renamed, f.state, opts);
    const item = readFileSync(path.join(f.output, KEYS.front, 'feed.json'), 'utf8');
    expect(JSON.parse(item).items[0].tags).toContain('Front page renamed');
  });

  it('an article the owner updated after a publish encoded it is not stored with the stale fragments', async () => {
    const f = await make(CONFIG_YAML);
    const newest = expectedItems(planFeeds(f.config).find((s) => s.key === KEYS.front)!, f.articles)[0];
    const stale = { id: idOf(newest), contentHash: 'what the publish read', categories: newest.categories, fragments: { version: 'v', id: 'x', rss: Buffer.from('r'), atom: Buffer.from('a'), json: Buffer.from('j') } };
    await f.state.setItemFragments([stale]);
    expect(hasFragments(f, idOf(newest))).toBe(false);
    await f.state.setItemFragments([{ ...stale, contentHash: newest.contentHash }]);
    expect(hasFragments(f, idOf(newest))).toBe(true);
  });
});

describe('ingest: the prepare step encodes the fragments', () => {
  const rss = (n: number) =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>${Array.from(
      { length: n },
      (_, i) =>
        `<item><title>Item ${i} &amp; &lt;more&gt;</title><link>https://a.example/${i}</link><guid>${i % 2 ? `g-${i}` : `https://a.example/${i}`}</guid>` +
        `<pubDate>${new Date(Date.UTC(2024, 0, 1 + i)).toUTCString()}</pubDate><description><![CDATA[<p>Body ${i} <img src="/i${i}.png"></p>]]></description></item>`,
    ).join('')}<item><title>undated</title><link>https://a.example/undated</link><description>no date</description></item></channel></rss>`;

  let upstream: TestServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    upstream = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(12)));
  });
  afterAll(async () => {
    await upstream?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const setup = (): { config: RefeedConfig; store: SqliteStore } => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-fragments-'));
    dirs.push(dir);
    const config = parseConfig(oneSourceYaml([`{ name: C, url: "${upstream.url}/a.xml" }`, `{ name: D, url: "${upstream.url}/d.xml" }`]), path.join(dir, 'refeed.yaml'), {});
    return { config, store: new SqliteStore(config.site.state) };
  };

  for (const where of ['in-process', 'on a worker thread'] as const) {
    it(`stores every dated item's fragments with its content (${where}); publish encodes none of them, with the bytes it would have encoded`, async () => {
      const { config, store } = setup();
      const pool = where === 'in-process' ? new PreparePool({ size: 0 }) : new PreparePool({ size: 1, inlineBytes: 0 });
      try {
        await runFetch(config, store, { logger: silentLogger, pool, fragmentEncoder: FRAGMENT_ENCODER });
        if (where !== 'in-process') expect(pool.workerJobs).toBeGreaterThan(0);
      } finally {
        await pool.close();
      }
      const articles = (store.db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n;
      // The undated item is dated by when the store first saw it: encoded by the publish.
      expect((store.db.prepare('SELECT count(*) AS n FROM item_fragments').get() as { n: number }).n).toBe(articles - 1);
      const first = await publish(config, store, opts);
      expect(first.articlesEncoded).toBe(1);
      const ingested = bytesOf({ output: config.site.output });

      store.db.exec('DELETE FROM item_fragments');
      const fromContent = await publish(config, store, { ...opts, full: true });
      expect(fromContent.articlesEncoded).toBe(articles);
      expect(fromContent.written).toEqual([]);
      expect(bytesOf({ output: config.site.output })).toEqual(ingested);
      await store.close();
    });
  }

  it('without an encoder the ingest stores none, and the first publish encodes them', async () => {
    const { config, store } = setup();
    await runFetch(config, store, { logger: silentLogger, pool: new PreparePool({ size: 0 }) });
    expect((store.db.prepare('SELECT count(*) AS n FROM item_fragments').get() as { n: number }).n).toBe(0);
    const r = await publish(config, store, opts);
    expect(r.articlesEncoded).toBe(r.articlesUsed);
    expect((await publish(config, store, { ...opts, full: true })).articlesEncoded).toBe(0);
    await store.close();
  });
});

// Keeps the fixture's helpers honest about what they store: no fragments (ingest's encoder is not theirs).
it('fixture articles are stored without fragments', async () => {
  const f = await make(CONFIG_YAML);
  await storeArticle(f.config, f.state, makeArticle(channelOf(f.config, KEYS.best), { title: 'x', date: '2024-04-01T00:00:00Z' }));
  expect(fragmentRows(f)).toBe(0);
});
