import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { createArticleRenderer, readArticleFile } from '../../src/normalize/index.ts';
import { openStore } from '../../src/store/index.ts';
import { discoverCommand } from '../../src/cli/commands/discover.ts';
import { previewCommand } from '../../src/cli/commands/preview.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { runCommand } from './run-command.ts';

const FIX = path.join(import.meta.dirname, '../fixtures/editors');
const read = (name: string) => readFileSync(path.join(FIX, name), 'utf8');

let server: TestServer;
let base: string;

beforeAll(async () => {
  // One loopback "internet": a blog advertising its feeds, a quiet site whose
  // feed is only at a common path, and a page with nothing at all.
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    const host = req.headers.host!;
    switch (url.pathname) {
      case '/blog/':
        return send(200, 'text/html; charset=utf-8', read('site-with-links.html').replace('HOST', host));
      case '/feed.xml':
        return send(200, 'application/rss+xml; charset=utf-8', read('preview-rss.xml'));
      case '/blog/atom.xml':
        return send(200, 'application/atom+xml', read('atom.xml'));
      case '/feed.json':
        return send(200, 'application/feed+json', read('feed.json'));
      case '/quiet/':
        return send(200, 'text/html', read('site-without-links.html'));
      case '/nothing/':
        return send(200, 'text/html', '<!doctype html><title>nothing</title><p>hi</p>');
      case '/big5/feed':
        return send(200, 'text/xml', '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>');
      default:
        break;
    }
    if (url.pathname === '/rss.xml' && req.headers['x-site'] !== 'none') {
      // Served with a wrong Content-Type: only parsing can tell it is a feed.
      return send(200, 'text/html', read('preview-rss.xml'));
    }
    if (url.pathname === '/feed') return send(301, 'text/plain', '', { location: '/rss.xml' });
    if (url.pathname === '/index.xml') return send(200, 'text/html', '<!doctype html><title>SPA</title>'); // catch-all page, not a feed
    send(404, 'text/plain', 'not found');
  });
  base = server.url;
});

afterAll(() => server.close());

/** A config file in a fresh folder; its state DB and output live next to it. */
function workConfig(extra = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'refeed-preview-'));
  const file = path.join(dir, 'refeed.yaml');
  writeFileSync(
    file,
    `site:
  output: out
  state: state/refeed.db
  fallback_image: https://img.example/{n}.jpg
defaults:
  allow_private: true
groups:
  - name: Tech
    sources:
      - name: Example
        exclude: "^Sponsored"
        channels:
          - name: Posts
            url: ${base}/feed.xml
${extra}`,
  );
  return file;
}

describe('refeed discover', () => {
  it('lists the feeds a page advertises, each confirmed, the broken one flagged', async () => {
    const before = server.requests.length;
    const r = await runCommand(discoverCommand, [`${base}/blog/`, '--json', '-c', workConfig()]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { url: `${base}/feed.xml`, type: 'application/rss+xml', title: 'Example Blog (RSS)', via: 'link', format: 'rss', items: 3 },
      { url: `${base}/blog/atom.xml`, type: 'application/atom+xml', title: 'Example Blog (Atom)', via: 'link', format: 'atom', items: 1 },
      { url: `${base}/feed.json`, type: 'application/feed+json', title: 'Example Blog (JSON)', via: 'link', format: 'json', items: 2 },
      { url: `${base}/comments/broken.xml`, type: 'application/rss+xml', title: 'Old comments feed', via: 'link', error: expect.stringMatching(/404/) },
    ]);
    // Feeds were advertised: the common paths were left alone.
    expect(server.requests.slice(before).map((q) => q.path).sort()).toEqual(['/blog/', '/blog/atom.xml', '/comments/broken.xml', '/feed.json', '/feed.xml']);
  });

  it('prints a table (url, type, title) on stdout', async () => {
    const r = await runCommand(discoverCommand, [`${base}/blog/`, '-c', workConfig()]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['URL', 'TYPE', 'TITLE', 'FOUND BY', 'PROBLEM']);
    expect(lines[1].split(/\s{2,}/)).toEqual([`${base}/feed.xml`, 'rss', 'Example Blog (RSS)', 'link rel=alternate']);
    expect(lines).toHaveLength(5);
    expect(r.stderr).toContain(`refeed sources add --group G --source S --channel C ${base}/feed.xml`);
  });

  it('falls back to common paths, sniffing content and merging redirects', async () => {
    const r = await runCommand(discoverCommand, [`${base}/quiet/`, '--json', '-c', workConfig()]);
    expect(r.code).toBe(0);
    const feeds = JSON.parse(r.stdout);
    // /feed redirects to /rss.xml, served as text/html but a real RSS feed; /index.xml is an HTML page; /feed.xml and /feed.json are real.
    expect(feeds.map((f: { url: string; via: string; format: string }) => [f.url, f.via, f.format])).toEqual([
      [`${base}/rss.xml`, 'probe', 'rss'],
      [`${base}/feed.xml`, 'probe', 'rss'],
      [`${base}/feed.json`, 'probe', 'json'],
    ]);
    expect(feeds[0].title).toBe('Example Blog');
  });

  it('a feed URL is its own answer', async () => {
    const r = await runCommand(discoverCommand, [`${base}/blog/atom.xml`, '--json', '-c', workConfig()]);
    expect(JSON.parse(r.stdout)).toEqual([{ url: `${base}/blog/atom.xml`, type: 'application/atom+xml', title: 'Example Blog (Atom)', via: 'self', format: 'atom', items: 1 }]);
  });

  it('exits 1 when nothing is found or the page fails, 64 without a URL', async () => {
    // A site with no feed anywhere: its page advertises none and every common path is a 404 or an HTML page.
    const bare = await startServer((req, res) => {
      if (req.url === '/' || req.url === '/index.xml') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bare</title>');
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
    try {
      const none = await runCommand(discoverCommand, [`${bare.url}/`, '-c', workConfig()]);
      expect(none.code).toBe(1);
      expect(none.stdout).toBe('');
      expect(none.stderr).toBe(`refeed discover: no working feed found at ${bare.url}/ (also tried 12 common paths)\n`);
      expect(bare.requests.map((q) => q.path).sort()).toEqual(['/', '/?feed=rss2', '/atom', '/atom.xml', '/feed', '/feed.json', '/feed.xml', '/feed/atom', '/index.rss', '/index.xml', '/rss', '/rss.xml', '/rss/index.xml'].sort());
    } finally {
      await bare.close();
    }
    const missing = await runCommand(discoverCommand, [`${base}/gone/`, '-c', workConfig()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^refeed discover: http:\/\/127\.0\.0\.1:\d+\/gone\/: http-status: .*404/);
    const usage = await runCommand(discoverCommand, ['-c', workConfig()]);
    expect(usage.code).toBe(64);
    const scheme = await runCommand(discoverCommand, ['ftp://example.org/', '-c', workConfig()]);
    expect(scheme.code).toBe(64);
  });
});

describe('refeed preview', () => {
  it('prints the first kept article exactly as fetch would write it, storing nothing', async () => {
    const file = workConfig();
    const config = loadConfig(file);
    const r = await runCommand(previewCommand, [`${base}/feed.xml`, '-c', file]);
    expect(r.code).toBe(0);
    expect(existsSync(config.site.state)).toBe(false);
    expect(existsSync(config.site.output)).toBe(false);

    expect(r.stderr).toContain('feed:     Example Blog — RSS, utf-8,');
    // The channel's exclude drops the sponsored item.
    expect(r.stderr).toContain("items:    3 in the feed, 2 kept by this channel's filters and limit (50), 1 blocked by its rules");
    expect(r.stderr).toContain('  "Sponsored: buy things" — exclude: "^Sponsored"');
    expect(r.stderr).toContain('channel:  Tech / Example / Posts (configured, groups[0].sources[0].channels[0])');
    expect(r.stderr).toMatch(/no-date: 1 of 2 — no date \(dated when first seen\)/);
    expect(r.stderr).toMatch(/sanitized: 1 of 2 — HTML removed by the sanitizer/);
    const fileLine = /file:\s+(\S+) \(not written: preview stores nothing\)/.exec(r.stderr);
    expect(fileLine).not.toBeNull();

    // Now really fetch with the same config: the file written must be byte-identical to what preview printed.
    const store = await openStore(config.site.state);
    try {
      const reports = await runFetch(config, store, { logger: silentLogger });
      expect(reports[0].error).toBeUndefined();
    } finally {
      await store.close();
    }
    // Byte-identical but for the stamp fetch appends (the article id exists only once stored: preview stores nothing).
    const written = readArticleFile(readFileSync(fileLine![1], 'utf8'), createArticleRenderer());
    expect(written.stamp).toBeDefined();
    expect(written.unstamped).toBe(r.stdout);
    expect(r.stdout).toMatch(/^---\n/);
    expect(r.stdout).toContain('Hello & welcome');
    expect(r.stdout).not.toContain('<script');
    // Relative image resolved against the feed's site, and used as the head image.
    expect(r.stdout).toContain("headimg: 'https://blog.example.org/img/cat.jpg'");
  });

  it('says which rule dropped each item, with the evaluator the ingest and the publisher run', async () => {
    const file = workConfig('            rules:\n              - keep title: "(?i)hello|sponsored"\n              - block link: "/posts/hello$"\n');
    const r = await runCommand(previewCommand, [`${base}/feed.xml`, '--json', '-c', file]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.kept).toBe(0);
    expect(j.blocked).toEqual([
      // Blocks win over keeps: the title is kept, the link is blocked.
      { title: 'Hello & welcome', link: 'https://blog.example.org/posts/hello', reason: 'block link: "/posts/hello$"' },
      { title: 'Undated and imageless', link: 'https://blog.example.org/posts/second', reason: 'not matched by keep title: "(?i)hello|sponsored"' },
      // The source's exclude (block any, ignoring case) blocks it before any keep rule is asked.
      { title: 'Sponsored: buy things', link: 'https://blog.example.org/posts/ad', reason: 'exclude: "^Sponsored"' },
    ]);
  });

  it('previews an unconfigured feed under the named group/source, inheriting their settings', async () => {
    const file = workConfig();
    const r = await runCommand(previewCommand, [`${base}/feed.xml`, '--group', 'tech', '--source', 'Example', '--channel', 'Another', '--json', '-c', file]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      format: 'rss',
      charset: 'utf-8',
      items: 3,
      kept: 2,
      channel: { key: 'tech/example/another', group: 'Tech', source: 'Example', channel: 'Another', configured: false },
    });
    expect(j.article).toMatch(/^---\n/);
    expect(j.article).toMatch(/categories:[\s\S]*Tech[\s\S]*Example[\s\S]*Another/);
    // Over the two kept items: the first had a <script> removed, the second has neither date nor image.
    const counts = Object.fromEntries(j.warnings.map((w: { code: string; items: number }) => [w.code, w.items]));
    expect(counts).toEqual({ sanitized: 1, 'no-date': 1, 'no-image': 1 });
    expect(j.articleWarnings).toEqual([{ code: 'sanitized', detail: 'removed script' }]);
    expect(existsSync(loadConfig(file).site.state)).toBe(false);
  });

  it('a JSON Feed without any config file, names from the feed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'refeed-noconf-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await runCommand(previewCommand, [`${base}/feed.json`, '--json', '--allow-private'], { REFEED_CONFIG: undefined });
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ format: 'json', items: 2, kept: 2, channel: { group: 'Preview', source: 'Example Blog (JSON Feed)', configured: false } });
      expect(existsSync(path.join(dir, '.refeed'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a page instead of a feed: exit 1 and the feeds it advertises', async () => {
    const r = await runCommand(previewCommand, [`${base}/blog/`, '-c', workConfig()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not-a-feed/);
    expect(r.stderr).toContain(`refeed preview ${base}/feed.xml`);
    expect(r.stdout).toBe('');
  });

  it('an invalid config is exit 2, a missing URL 64', async () => {
    const file = workConfig('          - name: Bad\n            url: nope\n');
    const bad = await runCommand(previewCommand, [`${base}/feed.xml`, '-c', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/url: must be an absolute http\(s\) URL/);
    expect((await runCommand(previewCommand, ['-c', file])).code).toBe(64);
  });
});
