import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { parseArticle } from '../../src/normalize/index.ts';
import { publish } from '../../src/publish/index.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { routes, startServer, type Handler, type TestServer } from '../helpers/server.ts';
import { sfeedItems } from '../helpers/feed-clients.ts';
import { writeConfig } from './fixture.ts';

// fetch fixture feeds → publish → serve the output folder → fetch refeed's own
// merged feed as a new source: same items, and no duplicates when the feed
// comes back into the store that produced it.

const FIXTURES = path.join(import.meta.dirname, '../fixtures/publish/roundtrip');
const TYPES: Record<string, string> = { '.xml': 'application/xml; charset=utf-8', '.json': 'application/feed+json', '.html': 'text/html; charset=utf-8', '.opml': 'text/x-opml' };

/** Serves a folder read at request time (the published output). */
function staticFolder(root: string): Handler {
  return (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const file = path.resolve(root, rel || 'index.html');
    let body: Buffer;
    try {
      if (!file.startsWith(root + path.sep)) throw new Error('outside');
      body = readFileSync(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  };
}

const opts = { logger: silentLogger };
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'refeed-roundtrip-'));
  dirs.push(d);
  return d;
};

let sources: TestServer;
let published: TestServer;
let home: string;
let config: RefeedConfig;
let state: Store;

const yamlFor = (siteUrl: string, groups: string) => `
site:
  title: refeed
  url: ${siteUrl}/
  output: out
  state: state.db
defaults:
  allow_private: true
groups:
${groups}`;

const sourceGroups = () => `
  - name: Tech
    sources:
      - name: Example News
        slug: news
        channels:
          - name: All
            url: ${sources.url}/news.rss.xml
      - name: Example Blog
        slug: blog
        channels:
          - name: Posts
            url: ${sources.url}/blog.atom.xml
`;

const rowsOf = async (st: Store) => (await st.topArticles('', 1000)).map((r) => ({ title: r.title, link: r.link, date: r.date }));

beforeAll(async () => {
  sources = await startServer(
    routes({
      '/news.rss.xml': { body: readFileSync(path.join(FIXTURES, 'news.rss.xml')) },
      '/blog.atom.xml': { body: readFileSync(path.join(FIXTURES, 'blog.atom.xml')), type: 'application/atom+xml; charset=utf-8' },
    }),
  );
  home = tmp();
  published = await startServer(staticFolder(path.join(home, 'out')));
  config = writeConfig(home, yamlFor(published.url, sourceGroups()));
  state = await openStore(config.site.state);
  const reports = await runFetch(config, state, opts);
  expect(reports.map((r) => [r.key, r.status, r.newItems])).toEqual([
    ['tech/news/all', 'new', 3],
    ['tech/blog/posts', 'new', 2],
  ]);
  const report = await publish(config, state, opts);
  expect(report.errors).toEqual([]);
  expect(report.skipped).toEqual([]);
});

afterAll(async () => {
  await state?.close();
  await sources?.close();
  await published?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('round trip: refeed reads its own published feeds', () => {
  it('the merged feed holds every fetched item, newest first', async () => {
    const items = sfeedItems(readFileSync(path.join(home, 'out/rss.xml'), 'utf8'));
    expect(items.map((i) => ({ title: i.title, link: i.link, date: i.date! * 1000 }))).toEqual(await rowsOf(state));
    expect(items).toHaveLength(5);
    expect(items.map((i) => i.title)).toContain('产业互联网需要被正名');
  });

  for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
    it(`a fresh refeed subscribed to the merged ${file} stores the same items, with the same bodies`, async () => {
      const dir = tmp();
      const cfg = writeConfig(
        dir,
        yamlFor('http://127.0.0.1:9/', `
  - name: Mirror
    sources:
      - name: Upstream refeed
        channels:
          - name: Merged
            url: ${published.url}/${file}
`),
      );
      const st = await openStore(cfg.site.state);
      try {
        const [r] = await runFetch(cfg, st, opts);
        expect(r.error).toBeUndefined();
        expect(r).toMatchObject({ status: 'new', newItems: 5, duplicates: 0 });
        expect(await rowsOf(st)).toEqual(await rowsOf(state));
        // Bodies survive the trip: the mirror's article files hold the same sanitized HTML.
        const bodies = async (s: Store, out: string) =>
          (await s.topArticles('', 1000)).map((row) => parseArticle(readFileSync(path.join(out, row.path), 'utf8')).html);
        expect(await bodies(st, cfg.site.output)).toEqual(await bodies(state, config.site.output));
      } finally {
        await st.close();
      }
    });
  }

  it('subscribing the producing store to its own merged feed adds no duplicates', async () => {
    const looped = writeConfig(
      home,
      yamlFor(published.url, `${sourceGroups()}
  - name: Loop
    sources:
      - name: Myself
        channels:
          - name: Merged
            url: ${published.url}/atom.xml
`),
    );
    const before = await rowsOf(state);
    const reports = await runFetch(looped, state, opts);
    const self = reports.find((r) => r.key === 'loop/myself/merged')!;
    expect(self.error).toBeUndefined();
    expect(self).toMatchObject({ newItems: 0, duplicates: 5 });
    expect(await rowsOf(state)).toEqual(before);
    await publish(looped, state, opts);
    const merged = sfeedItems(readFileSync(path.join(home, 'out/rss.xml'), 'utf8'));
    expect(merged.map((i) => i.link)).toEqual(before.map((r) => r.link));
    // Stored once, but listed in every channel that carries it: the loop channel's own feed shows the five.
    const loop = sfeedItems(readFileSync(path.join(home, 'out/loop/myself/merged/rss.xml'), 'utf8'));
    expect(loop.map((i) => i.link)).toEqual(before.map((r) => r.link));
  });
});
