import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Issue 21, full text end to end through the CLI: a feed of teasers whose
// links are local article pages. After `once`, the stored article, its file
// and the published feeds carry the pages' articles; a second `once` fetches
// no page again (the per-link cache); a page that fails leaves its item with
// the teaser and the channel with a `full-text` warning in `status`.

const para = (n: number) => `<p>Paragraph ${n} of the full story: the council met on Tuesday and voted, after a long debate about the budget, to rebuild the old bridge.</p>`;
const page = (title: string, extra = '') => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><script>window.evil = 1</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>${title}</h1>${[1, 2, 3, 4, 5].map(para).join('\n')}${extra}<p><a href="related/more.html">Related story</a></p></article>
<footer>© Local paper</footer></body></html>`;

const HOSTILE_EXTRA = `<p>Look <img src="pic.png" onerror="alert(1)"> and <a href="javascript:alert(2)">click</a>.</p><script>alert(3)</script><iframe src="https://evil.example/x"></iframe>`;

let server: TestServer;
let brokenAnswers = 404;

const feed = (base: string) => `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Teasers</title><link>${base}/</link>
<item><title>Bridge</title><link>${base}/news/bridge.html</link><guid>bridge</guid><pubDate>Mon, 01 Jul 2024 10:00:00 GMT</pubDate><description>Teaser: the bridge…</description></item>
<item><title>Scripts</title><link>${base}/news/scripts.html</link><guid>scripts</guid><pubDate>Mon, 01 Jul 2024 09:00:00 GMT</pubDate><description>Teaser: scripts…</description></item>
<item><title>Broken</title><link>${base}/news/broken.html</link><guid>broken</guid><pubDate>Mon, 01 Jul 2024 08:00:00 GMT</pubDate><description>Teaser of the broken page</description></item>
</channel></rss>`;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const p = req.url ?? '/';
    if (p === '/feed.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(server.url));
    if (p === '/plain.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(server.url).replaceAll('/news/', '/plain/'));
    if (p === '/news/bridge.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Bridge'));
    if (p === '/news/scripts.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page('Scripts', HOSTILE_EXTRA));
    if (p === '/news/broken.html') return void res.writeHead(brokenAnswers, { 'content-type': 'text/html' }).end(brokenAnswers === 200 ? page('Broken, now fixed') : 'gone');
    res.writeHead(404).end();
  });
});
afterAll(async () => void (await server?.close()));

const pageRequests = () => server.requests.filter((r) => r.path.startsWith('/news/')).length;

describe('full_text: true on a channel of teasers', () => {
  let file: string;
  let dir: string;
  const out = (...p: string[]) => path.join(dir, 'out', ...p);
  const articleFiles = () => {
    const folder = out('articles', 'g', 's');
    return readdirSync(folder).map((f) => readFileSync(path.join(folder, f), 'utf8'));
  };

  it('stores, writes and publishes the pages\' articles; the failing page keeps the teaser', async () => {
    file = writeTempConfig(
      oneSourceYaml([`{ name: full, url: "${server.url}/feed.xml", full_text: true }`, `{ name: plain, url: "${server.url}/plain.xml" }`]),
      'refeed-fulltext-',
    );
    dir = path.dirname(file);
    const run = await runRefeed(['once', '--all', '-c', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(pageRequests()).toBe(3);
    expect(run.stdout).toMatch(/g\/s\/full\s+new\s+new 3, updated 0, full text: 3 pages fetched, 1 without an article/);
    // The plain channel (no full_text) fetched no page.
    expect(server.requests.some((r) => r.path.startsWith('/plain/'))).toBe(false);

    const db = new Database(path.join(dir, 'state.db'), { readonly: true });
    const rows = db.prepare("SELECT title, html, extra FROM articles WHERE link LIKE '%/news/%' ORDER BY title").all() as { title: string; html: string; extra: string }[];
    const cache = db.prepare('SELECT link, html IS NOT NULL AS ok, error, failures FROM full_text ORDER BY link').all() as { link: string; ok: number; error: string | null; failures: number }[];
    db.close();
    const byTitle = Object.fromEntries(rows.map((r) => [r.title, r]));
    expect(byTitle.Bridge.html).toContain('Paragraph 5 of the full story');
    expect(byTitle.Bridge.html).not.toContain('Teaser');
    // Relative links are resolved against the page's URL; the site's navigation is not the article.
    expect(byTitle.Bridge.html).toContain(`href="${server.url}/news/related/more.html"`);
    expect(byTitle.Bridge.html).not.toContain('About');
    // The feed's teaser stays available as the summary.
    expect(JSON.parse(byTitle.Bridge.extra).summary).toBe('Teaser: the bridge…');
    expect(byTitle.Broken.html).toContain('Teaser of the broken page');
    expect(cache).toEqual([
      { link: `${server.url}/news/bridge.html`, ok: 1, error: null, failures: 0 },
      { link: `${server.url}/news/broken.html`, ok: 0, error: expect.stringMatching(/^http-status: HTTP 404/), failures: 1 },
      { link: `${server.url}/news/scripts.html`, ok: 1, error: null, failures: 0 },
    ]);

    // The script-laden page: nothing of its code reaches the article, its file or the feeds.
    expect(byTitle.Scripts.html).toContain('Paragraph 3 of the full story');
    const published = ['rss.xml', 'atom.xml', 'feed.json'].map((f) => readFileSync(out('g', 's', 'full', f), 'utf8'));
    const files = articleFiles();
    for (const text of [byTitle.Scripts.html, ...files, ...published]) {
      expect(text).not.toMatch(/<script|onerror|javascript:|alert\(|evil\.example/i);
    }
    // The article files and every feed format carry the full text.
    expect(files.filter((t) => t.includes('Paragraph 5 of the full story'))).toHaveLength(2);
    for (const text of published) expect(text).toContain('Paragraph 5 of the full story');
  }, 60_000);

  it('shows the full-text warning in status', async () => {
    const status = await runRefeed(['status', '-c', file]);
    expect(status.code, status.stderr).toBe(0);
    const line = status.stdout.split('\n').find((l) => l.includes('g/s/full'));
    expect(line).toMatch(/full-text: 1 of 3 items keep the feed's content/);
    expect(line).toContain('broken.html');
    expect(status.stdout.split('\n').find((l) => l.includes('g/s/plain'))).not.toMatch(/full-text/);
  }, 30_000);

  it('fetches no page again on the next run (cached by link; a failure is not retried within the hour)', async () => {
    brokenAnswers = 200;
    const before = pageRequests();
    const run = await runRefeed(['once', '--all', '-c', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(pageRequests()).toBe(before);
    // Nothing changed: the stored full text is what the cached entries give.
    expect(run.stdout).toMatch(/g\/s\/full\s+unchanged/);
  }, 60_000);
});
