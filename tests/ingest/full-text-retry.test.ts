import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { MAX_ATTEMPTS, RETRY_AFTER_MS } from '../../src/ingest/full-text.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Full text's retry policy (issue 21): a failed page is tried again at a later
// fetch, no sooner than RETRY_AFTER_MS after its last attempt and at most
// MAX_ATTEMPTS times in all; a page that then gives an article updates its
// item. An item dated by first sight keeps its full text when dated again.

const page = (what: string) =>
  `<!doctype html><html><body><nav>Home</nav><article><h1>${what}</h1>${`<p>${what}: the long text of the article, with enough words in it to be an article for readability.</p>`.repeat(5)}</article></body></html>`;

let server: TestServer;
let flakyUp = false;
let onSlow: (() => void) | undefined;
const hits = (p: string) => server.requests.filter((r) => r.path === p).length;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const base = `http://${req.headers.host}`;
    const p = req.url ?? '/';
    if (p === '/feed.xml') {
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${base}/</link>
<item><title>Flaky</title><link>${base}/flaky.html</link><guid>flaky</guid><pubDate>Mon, 01 Jul 2024 10:00:00 GMT</pubDate><description>Flaky teaser</description></item>
<item><title>Down</title><link>${base}/down.html</link><guid>down</guid><pubDate>Mon, 01 Jul 2024 09:00:00 GMT</pubDate><description>Down teaser</description></item>
<item><title>Undated</title><link>${base}/undated.html</link><guid>undated</guid><description>Undated teaser</description></item>
</channel></rss>`);
    }
    if (p === '/flaky.html') return void (flakyUp ? res.writeHead(200, { 'content-type': 'text/html' }).end(page('Flaky story')) : res.writeHead(503).end());
    if (p === '/down.html') return void res.writeHead(500).end();
    if (p === '/slow-feed.xml') {
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${base}/</link>
<item><title>Slow</title><link>${base}/slow.html</link><guid>slow</guid><pubDate>Mon, 01 Jul 2024 10:00:00 GMT</pubDate><description>Slow teaser</description></item>
</channel></rss>`);
    }
    if (p === '/slow.html') {
      onSlow?.();
      return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end(page('Slow story')), 3000);
    }
    if (p === '/undated.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page('Undated story'));
    res.writeHead(404).end();
  });
});
afterAll(async () => void (await server?.close()));

describe('full text: retries and re-dating', () => {
  let config: RefeedConfig;
  let state: SqliteStore;
  const T = Date.UTC(2024, 6, 2);
  const run = (at: number) => runFetch(config, state, { logger: silentLogger, now: () => at });
  const html = (title: string) => (state.db.prepare('SELECT html FROM articles WHERE title = ?').get(title) as { html: string }).html;

  beforeAll(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-ft-retry-'));
    config = parseConfig(
      `site: { output: out, state: state.db }
defaults: { allow_private: true, full_text: true }
groups:
  - name: G
    sources:
      - name: S
        channels:
          - { name: c, url: "${server.url}/feed.xml" }
`,
      path.join(dir, 'refeed.yaml'),
    );
    state = new SqliteStore(config.site.state);
  });
  afterAll(async () => void (await state?.close()));

  it('stores the teasers of failed pages, with the warning', async () => {
    const [r] = await run(T);
    expect(r).toMatchObject({ status: 'new', newItems: 3, pagesFetched: 3 });
    expect(html('Flaky')).toContain('Flaky teaser');
    expect(html('Undated')).toContain('Undated story: the long text');
    expect((await state.channelState(r.key))?.lastWarning).toMatch(/^full-text: 2 of 3 items keep the feed's content, .*flaky\.html: rate-limited: HTTP 503.*tried again at a later fetch\)$/);
  });

  it('does not try again within the hour; an undated item keeps its full text when dated again', async () => {
    const [r] = await run(T + RETRY_AFTER_MS - 1000);
    expect(r.status).toBe('unchanged');
    expect(r.pagesFetched).toBeUndefined();
    expect([hits('/flaky.html'), hits('/down.html'), hits('/undated.html')]).toEqual([1, 1, 1]);
    expect(html('Undated')).toContain('Undated story: the long text');
  });

  it('tries a failed page again after the hour, and updates the item when it gives an article', async () => {
    flakyUp = true;
    const [r] = await run(T + RETRY_AFTER_MS);
    expect(r).toMatchObject({ status: 'updated', updatedItems: 1, pagesFetched: 2 });
    expect(html('Flaky')).toContain('Flaky story: the long text');
    expect([hits('/flaky.html'), hits('/down.html'), hits('/undated.html')]).toEqual([2, 2, 1]);
    expect((await state.channelState(r.key))?.lastWarning).toMatch(/^full-text: 1 of 3 items .*down\.html/);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts in all`, async () => {
    for (let k = 2; k <= 6; k++) await run(T + k * RETRY_AFTER_MS);
    expect(hits('/down.html')).toBe(MAX_ATTEMPTS);
    expect(hits('/flaky.html')).toBe(2);
    expect((await state.channelState('g/s/c'))?.lastWarning).toMatch(/down\.html: http-status: HTTP 500.*given up after 3 attempts\)$/);
    expect(html('Down')).toContain('Down teaser');
  });

  it('keeps stored full texts when the state no longer has their entries (a state rebuilt by reindex)', async () => {
    state.db.exec('DELETE FROM full_text');
    const before = hits('/undated.html');
    const [r] = await run(T + 7 * RETRY_AFTER_MS);
    expect(r.status).toBe('unchanged');
    expect(hits('/undated.html')).toBe(before);
    expect(html('Flaky')).toContain('Flaky story: the long text');
    expect(html('Undated')).toContain('Undated story: the long text');
  });
});

describe('full text: a run stopped while a page is fetched', () => {
  it('stores nothing of the new item whose page was cut short: the next run reads it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-ft-stop-'));
    const config = parseConfig(
      `site: { output: out, state: state.db }
defaults: { allow_private: true, full_text: true }
groups:
  - name: G
    sources:
      - name: S
        channels:
          - { name: c, url: "${server.url}/slow-feed.xml" }
`,
      path.join(dir, 'refeed.yaml'),
    );
    const state = new SqliteStore(config.site.state);
    try {
      const stop = new AbortController();
      onSlow = () => stop.abort();
      await runFetch(config, state, { logger: silentLogger, signal: stop.signal });
      onSlow = undefined;
      expect(state.db.prepare('SELECT count(*) AS n FROM articles').get()).toEqual({ n: 0 });
      expect(state.db.prepare('SELECT count(*) AS n FROM full_text').get()).toEqual({ n: 0 });
      const [r] = await runFetch(config, state, { logger: silentLogger });
      expect(r).toMatchObject({ status: 'new', newItems: 1, pagesFetched: 1 });
      expect((state.db.prepare('SELECT html FROM articles').get() as { html: string }).html).toContain('Slow story: the long text');
    } finally {
      await state.close();
    }
  }, 30_000);
});
