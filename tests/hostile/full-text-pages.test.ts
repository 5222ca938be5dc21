import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_DEFAULTS } from '../../src/config/resolve.ts';
import type { ChannelSettings, ResolvedChannel } from '../../src/core/types.ts';
import { createFetchAgents, type FetchAgents } from '../../src/fetch/index.ts';
import { extractPage, pageLimiter, type PageResult } from '../../src/ingest/full-text.ts';
import { FullTextPool } from '../../src/ingest/full-text-pool.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Issue 21: the pages full text fetches are anyone's. Each hostile one is
// contained by the channel's fetch policy or the extraction's bounds, fails
// with a clear reason, and leaves the run (and the other pages) going.

const ARTICLE = `<!doctype html><html><head><title>x</title></head><body><article>${'<p>An ordinary paragraph of an ordinary article, long enough for readability to take it as one.</p>'.repeat(6)}</article></body></html>`;
const MB = 1024 * 1024;

let server: TestServer;
let inFlight = 0;
let mostInFlight = 0;
let agents: FetchAgents;
let pool: FullTextPool;
const timers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  server = await startServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (p.startsWith('/queued/')) {
      // Slow enough that every request made at once would overlap.
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      return void setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'text/html' }).end(ARTICLE);
      }, 150);
    }
    switch (p) {
      case '/ok.html':
        return void res.writeHead(200, { 'content-type': 'text/html' }).end(ARTICLE);
      case '/huge.html': {
        // 20 MB of paragraphs, chunked (no Content-Length to refuse it by).
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.from('<p>' + 'x'.repeat(64 * 1024 - 7) + '</p>');
        let sent = 0;
        const more = () => {
          while (sent < 20 * MB) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        res.on('close', () => (sent = Infinity));
        return more();
      }
      case '/endless.html': {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><body>');
        const t = setInterval(() => res.write('<p>' + 'more '.repeat(4000) + '</p>'), 1);
        timers.add(t);
        res.on('close', () => clearInterval(t));
        return;
      }
      case '/slow.html': {
        res.writeHead(200, { 'content-type': 'text/html' });
        const t = setInterval(() => res.write('<'), 200);
        timers.add(t);
        res.on('close', () => clearInterval(t));
        return;
      }
      case '/image.png':
        return void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
      case '/data.json':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ html: '<p>not a page</p>' }));
      case '/loop-a':
        return void res.writeHead(302, { location: '/loop-b' }).end();
      case '/loop-b':
        return void res.writeHead(302, { location: '/loop-a' }).end();
      case '/scripts.html':
        return void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            ARTICLE.replace(
              '</article>',
              `<p>Look <img src="x.png" onerror="alert(1)" onload="alert(2)"> <a href="javascript:alert(3)">here</a> <a href="JaVaScRiPt&colon;alert(4)">there</a></p><script>alert(5)</script><svg onload="alert(6)"></svg><form action="javascript:alert(7)"><button formaction="javascript:alert(8)">b</button></form></article>`,
            ),
          );
      default:
        res.writeHead(404).end();
    }
  });
  agents = createFetchAgents();
  pool = new FullTextPool({ size: 1 });
});

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  await pool?.close();
  await agents?.close();
  await server?.close();
});

function channel(settings: Partial<ChannelSettings> = {}): ResolvedChannel {
  const named = { name: 'x', slug: 'x' };
  return {
    key: 'x/x/x',
    url: `${server.url}/feed.xml`,
    group: named,
    source: named,
    channel: named,
    settings: { ...BUILTIN_DEFAULTS, allowPrivate: true, fullText: true, ...settings },
    configPath: 'groups[0].sources[0].channels[0]',
  };
}

const extract = (p: string, settings: Partial<ChannelSettings> = {}): Promise<PageResult> =>
  extractPage({ link: `${server.url}${p}`, channel: channel(settings), pool, pages: pageLimiter({ concurrency: 8, perHostConcurrency: 2 }), agents });

const errorOf = (r: PageResult) => ('error' in r ? r.error : `no error; extracted ${r.html.length} chars`);

describe('hostile pages for full text', () => {
  it('reads an ordinary page on a worker thread', async () => {
    const r = await extract('/ok.html');
    expect('html' in r && r.html).toContain('An ordinary paragraph');
    expect(pool.workerJobs).toBeGreaterThan(0);
  });

  it('sends the channel\'s credentials only to the feed\'s own origin', async () => {
    const headers = { Authorization: 'Bearer feed-secret', Cookie: 'session=feed', 'X-Client': 'refeed-test' };
    await extract('/ok.html?same', { headers });
    const same = server.requests.find((q) => q.path === '/ok.html?same')!;
    expect(same.headers).toMatchObject({ authorization: 'Bearer feed-secret', cookie: 'session=feed', 'x-client': 'refeed-test' });
    // The same server under another origin (localhost vs 127.0.0.1): an item linking elsewhere.
    const other = `${server.url.replace('127.0.0.1', 'localhost')}/ok.html?other`;
    const r = await extractPage({ link: other, channel: channel({ headers }), pool, pages: pageLimiter({ concurrency: 8, perHostConcurrency: 2 }), agents });
    expect('html' in r).toBe(true);
    const cross = server.requests.find((q) => q.path === '/ok.html?other')!;
    expect(cross.headers['x-client']).toBe('refeed-test');
    expect(cross.headers.authorization).toBeUndefined();
    expect(cross.headers.cookie).toBeUndefined();
  });

  it('makes at most 2 requests at a time to one host', async () => {
    const pages = pageLimiter({ concurrency: 8, perHostConcurrency: 8 });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => extractPage({ link: `${server.url}/queued/${i}.html`, channel: channel(), pool, pages, agents })),
    );
    expect(results.every((r) => 'html' in r)).toBe(true);
    expect(mostInFlight).toBe(2);
  });

  it('cuts a 20 MB page at max_bytes, without reading the rest', async () => {
    const before = process.memoryUsage().rss;
    const r = await extract('/huge.html', { maxBytes: 2 * MB });
    expect(errorOf(r)).toMatch(/^too-large: response body exceeds the 2 MiB limit/);
    // Cut at the cap: nowhere near the 20 MB the page would have taken (and its DOM many times that).
    expect(process.memoryUsage().rss - before).toBeLessThan(15 * MB);
  });

  it('cuts an endless page at max_bytes', async () => {
    const r = await extract('/endless.html', { maxBytes: 1 * MB, timeoutMs: 10_000 });
    expect(errorOf(r)).toMatch(/^too-large: /);
  });

  it('gives up on a slow page at the timeout', async () => {
    const started = Date.now();
    const r = await extract('/slow.html', { timeoutMs: 800 });
    expect(errorOf(r)).toMatch(/^timeout: no complete response from .*slow\.html within 800 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses what is not HTML (an image, JSON)', async () => {
    expect(errorOf(await extract('/image.png'))).toMatch(/^not-html: .*image\.png is not an HTML page \(image\/png\)/);
    expect(errorOf(await extract('/data.json'))).toMatch(/^not-html: .*data\.json is not an HTML page \(application\/json\)/);
  });

  it('stops at a redirect loop', async () => {
    expect(errorOf(await extract('/loop-a'))).toMatch(/^redirect-loop: redirect loop: .*loop-a → .*loop-b → .*loop-a/);
  });

  it('refuses a private address unless the channel allows it', async () => {
    const r = await extract('/ok.html', { allowPrivate: false });
    expect(errorOf(r)).toMatch(/^blocked: fetching .*refused: 127\.0\.0\.1 is a loopback address \(set allow_private: true/);
    expect(server.requests.filter((q) => q.path === '/ok.html')).toHaveLength(1); // the allowed fetch of the first test only
  });

  it('keeps no script, event handler or javascript: URL of a script-laden page', async () => {
    const r = await extract('/scripts.html');
    expect('html' in r).toBe(true);
    const html = 'html' in r ? r.html : '';
    expect(html).toContain('An ordinary paragraph');
    expect(html).toContain(`src="${server.url}/x.png"`);
    expect(html).not.toMatch(/<script|<svg|<form|onerror|onload|javascript|alert\(/i);
  });

  it('reads a page nested far deeper than browsers allow in bounded time', async () => {
    const { extractFullText } = await import('../../src/normalize/full-text.ts');
    const started = Date.now();
    const r = extractFullText({ html: '<div>'.repeat(200_000) + 'deep' + '</div>'.repeat(200_000), url: 'http://e.example/', allowIframeHosts: [] });
    expect(r.kind).toBe('error');
    expect(Date.now() - started).toBeLessThan(5000);
    const wide = extractFullText({ html: '<p>w</p>'.repeat(100_000), url: 'http://e.example/', allowIframeHosts: [] });
    expect(wide).toEqual({ kind: 'error', reason: 'not read: the page has more than 60000 elements' });
  });

  it('fails the page, not the run, when the worker reading it dies', async () => {
    const broken = new FullTextPool({ size: 1, workerEntry: new URL('data:text/javascript,process.exit(3)') });
    try {
      const r = await extractPage({ link: `${server.url}/ok.html`, channel: channel(), pool: broken, pages: pageLimiter({ concurrency: 1, perHostConcurrency: 2 }), agents });
      expect(errorOf(r)).toMatch(/^extraction stopped: the worker reading the page failed/);
    } finally {
      await broken.close();
    }
  });
});
