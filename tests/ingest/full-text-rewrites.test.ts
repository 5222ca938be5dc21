import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { reapplyRewrites, runFetch } from '../../src/ingest/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Full text and rewrites together (issue 21): a page's article is a body like
// any other, so the channel's rewrites (remove selectors, tracking pixels)
// apply to it, and it is the original that changed rewrites start from, not
// the feed's teaser.

const words = 'the long text of the article, with enough words in it to be an article for readability.';
const page = `<!doctype html><html><body><nav>Home</nav><article><h1>Story</h1>
${`<p>Story: ${words}</p>`.repeat(5)}
<blockquote class="promo">Buy our book today</blockquote>
<img src="https://medium.com/_/stat?event=post.clientViewed&amp;postId=1" width="1" height="1">
<p>Last paragraph: ${words}</p></article></body></html>`;

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const base = `http://${req.headers.host}`;
    if (req.url === '/feed.xml') {
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${base}/</link>
<item><title>Story</title><link>${base}/story.html</link><guid>story</guid><pubDate>Mon, 01 Jul 2024 10:00:00 GMT</pubDate><description>Only a teaser</description></item>
</channel></rss>`);
    }
    if (req.url === '/story.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    res.writeHead(404).end();
  });
});
afterAll(async () => void (await server?.close()));

describe('full text with rewrites', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-ft-rw-'));
  const file = path.join(dir, 'refeed.yaml');
  const yaml = (rewrite: string) => `site: { output: out, state: state.db }
defaults: { allow_private: true, full_text: true }
groups:
  - name: G
    sources:
      - name: S
        channels:
          - name: c
            url: "${server.url}/feed.xml"
${rewrite}`;
  const load = (rewrite: string) => {
    writeFileSync(file, yaml(rewrite));
    return parseConfig(yaml(rewrite), file);
  };
  let state: SqliteStore;
  const stored = () => state.db.prepare('SELECT title, html FROM articles').get() as { title: string; html: string };
  afterAll(async () => void (await state?.close()));

  it("applies the channel's rewrites to the page's article, and drops its tracking pixel", async () => {
    const config = load(`            rewrite:
              - remove: ".promo"
              - prefix title: "[G] "
`);
    state = new SqliteStore(config.site.state);
    await runFetch(config, state, { logger: silentLogger, now: () => Date.UTC(2024, 6, 2) });
    const a = stored();
    expect(a.html).toContain('Last paragraph');
    expect(a.html).not.toContain('Only a teaser');
    expect(a.html).not.toContain('Buy our book');
    expect(a.html).not.toContain('medium.com/_/stat');
    expect(a.title).toBe('[G] Story');
    // The page's first image was the pixel: it is not the head image either.
    expect((state.db.prepare('SELECT headimg FROM articles').get() as { headimg: string }).headimg).not.toContain('medium.com');
  });

  it('re-applies changed rewrites from the full text, not from the teaser', async () => {
    const config = load(`            rewrite:
              - replace content: "Last paragraph"
                with: "Final words"
`);
    await reapplyRewrites(config, state, silentLogger);
    const a = stored();
    expect(a.html).toContain('Final words');
    expect(a.html).not.toContain('Only a teaser');
    // The .promo block is back (its remove rule is gone), the tracking pixel is not (on by default).
    expect(a.html).toContain('Buy our book');
    expect(a.html).not.toContain('medium.com/_/stat');
    expect(a.title).toBe('Story');
  });
});
