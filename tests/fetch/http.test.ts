import type http from 'node:http';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { Agent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readBody } from '../../src/fetch/body.ts';
import { fetchBytes, fetchFeed } from '../../src/fetch/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { MINIMAL_RSS, testSettings } from './helpers.ts';

const servers: TestServer[] = [];
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, base: string) => void): Promise<TestServer> {
  let base = '';
  const s = await startServer((req, res) => handler(req, res, base));
  base = s.url;
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const RSS_TYPE = 'application/rss+xml; charset=utf-8';

describe('request headers and conditional GET', () => {
  it('sends the user agent, feed Accept, Accept-Encoding and configured headers', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE }).end(MINIMAL_RSS));
    const out = await fetchFeed({ url: `${s.url}/feed`, settings: testSettings({ headers: { 'X-Api-Key': 'k123', Cookie: 'a=b' } }) });
    expect(out.kind).toBe('ok');
    const h = s.requests[0].headers;
    expect(h['user-agent']).toBe('refeed-test/1.0 (+https://example.invalid/refeed)');
    expect(h.accept).toMatch(/^application\/rss\+xml, application\/atom\+xml, application\/feed\+json/);
    expect(h['accept-encoding']).toBe('gzip, deflate, br');
    expect(h['x-api-key']).toBe('k123');
    expect(h.cookie).toBe('a=b');
    expect(h['if-none-match']).toBeUndefined();
    expect(h['if-modified-since']).toBeUndefined();
  });

  it('round-trips ETag and Last-Modified: the second fetch is a 304 not-modified without a body', async () => {
    const etag = '"v42"';
    const lastModified = 'Tue, 05 Mar 2024 09:30:00 GMT';
    const s = await serve((req, res) => {
      if (req.headers['if-none-match'] === etag && req.headers['if-modified-since'] === lastModified) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': RSS_TYPE, etag, 'last-modified': lastModified }).end(MINIMAL_RSS);
    });
    const first = await fetchFeed({ url: `${s.url}/feed`, settings: testSettings() });
    expect(first.kind).toBe('ok');
    if (first.kind !== 'ok') return;
    expect(first.etag).toBe(etag);
    expect(first.lastModified).toBe(lastModified);
    expect(first.status).toBe(200);

    const second = await fetchFeed({ url: `${s.url}/feed`, settings: testSettings(), etag: first.etag, lastModified: first.lastModified });
    expect(second).toEqual({ kind: 'not-modified', finalUrl: `${s.url}/feed`, status: 304, etag, lastModified });
    expect(s.requests[1].headers['if-none-match']).toBe(etag);
    expect(s.requests[1].headers['if-modified-since']).toBe(lastModified);
  });

  it('keeps the validators it sent when a 304 does not repeat them', async () => {
    const s = await serve((_req, res) => res.writeHead(304).end());
    const out = await fetchFeed({ url: `${s.url}/f`, settings: testSettings(), etag: 'W/"abc"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
    expect(out).toMatchObject({ kind: 'not-modified', etag: 'W/"abc"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
  });

  it('sends Basic credentials from the URL, also after a same-origin redirect, and keeps them out of finalUrl', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/private') res.writeHead(301, { location: '/moved' }).end();
      else res.writeHead(200, { 'content-type': RSS_TYPE }).end(MINIMAL_RSS);
    });
    const url = s.url.replace('http://', 'http://reader:s%3Acret@');
    const out = await fetchFeed({ url: `${url}/private`, settings: testSettings() });
    const basic = `Basic ${Buffer.from('reader:s:cret').toString('base64')}`;
    expect(s.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/private', basic],
      ['/moved', basic],
    ]);
    // The stored URL must keep working (credentials kept); the base for relative links must not leak them.
    expect(out).toMatchObject({ kind: 'ok', finalUrl: `${s.url}/moved`, permanentRedirect: `${url}/moved` });
  });
});

describe('compression and size limits', () => {
  const feed = Buffer.from(MINIMAL_RSS);

  it.each([
    ['gzip', zlib.gzipSync(feed)],
    ['br', zlib.brotliCompressSync(feed)],
    ['deflate', zlib.deflateSync(feed)],
    // Raw deflate (no zlib header) under the deflate label: what early IIS sent, and browsers accept.
    ['deflate', zlib.deflateRawSync(feed)],
    // gzip bytes mislabelled as deflate.
    ['deflate', zlib.gzipSync(feed)],
  ])('decodes a %s response', async (encoding, body) => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE, 'content-encoding': encoding }).end(body));
    const out = await fetchFeed({ url: `${s.url}/f`, settings: testSettings() });
    expect(out.kind).toBe('ok');
    if (out.kind !== 'ok') return;
    expect(out.feed.items.map((i) => i.title)).toEqual(['Only item']);
    expect(out.bytes).toBe(feed.length);
  });

  it('gunzips a gzip body sent without Content-Encoding (a .xml.gz file)', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/x-gzip' }).end(zlib.gzipSync(feed)));
    const out = await fetchFeed({ url: `${s.url}/feed.xml.gz`, settings: testSettings() });
    expect(out.kind).toBe('ok');
  });

  it('stops a gzip bomb at maxBytes of decompressed output', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    const maxBytes = 1024 * 1024;
    expect(bomb.length).toBeLessThan(maxBytes); // the wire size alone would pass
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE, 'content-encoding': 'gzip' }).end(bomb));
    const started = Date.now();
    const out = await fetchFeed({ url: `${s.url}/bomb`, settings: testSettings({ maxBytes }) });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'too-large' } });
    if (out.kind === 'error') expect(out.error.message).toMatch(/decompressed body exceeds the 1 MiB limit/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses a body whose Content-Length is over the limit without reading it', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE, 'content-length': String(5000) }).end(Buffer.alloc(5000, 0x20)));
    const out = await fetchFeed({ url: `${s.url}/big`, settings: testSettings({ maxBytes: 1000 }) });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'too-large' } });
    if (out.kind === 'error') expect(out.error.message).toMatch(/announces 4\.9 KiB, over the 1000 bytes limit/);
  });

  it('stops an endless chunked stream at maxBytes', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': RSS_TYPE });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      let closed = false;
      res.on('close', () => (closed = true));
      const pump = () => {
        while (!closed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    });
    const out = await fetchFeed({ url: `${s.url}/endless`, settings: testSettings({ maxBytes: 256 * 1024 }) });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'too-large' } });
  });

  it('stops a raw-deflate bomb at maxBytes of decompressed output', async () => {
    const bomb = zlib.deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE, 'content-encoding': 'deflate' }).end(bomb));
    const out = await fetchFeed({ url: `${s.url}/bomb`, settings: testSettings({ maxBytes: 1024 * 1024 }) });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'too-large', message: expect.stringMatching(/decompressed body exceeds the 1 MiB limit/) } });
  });

  it('stops inflating a deflate body once the read is given up (too large, aborted, timed out)', async () => {
    const bomb = zlib.deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    const inflaters: zlib.InflateRaw[] = [];
    const create = zlib.createInflateRaw;
    const spy = vi.spyOn(zlib, 'createInflateRaw').mockImplementation((opts) => {
      const d = create(opts);
      inflaters.push(d);
      return d;
    });
    try {
      await expect(readBody(Readable.from([bomb]), { contentEncoding: 'deflate', maxBytes: 64 * 1024 })).rejects.toMatchObject({ code: 'too-large' });
    } finally {
      spy.mockRestore();
    }
    expect(inflaters).toHaveLength(1);
    expect(inflaters[0].destroyed).toBe(true);
  });

  it('reports a corrupt deflate body as a decode error', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE, 'content-encoding': 'deflate' }).end(Buffer.from([0xff, 0xff, 0xff, 0x00, 0x01])));
    const out = await fetchFeed({ url: `${s.url}/corrupt`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'decode' } });
  });

  it('reports a corrupt gzip body as a decode error', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE, 'content-encoding': 'gzip' }).end(Buffer.from('definitely not gzip')));
    const out = await fetchFeed({ url: `${s.url}/corrupt`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'decode' } });
  });

  it('reports an unsupported Content-Encoding as a decode error', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE, 'content-encoding': 'zstd' }).end('xx'));
    const out = await fetchFeed({ url: `${s.url}/zstd`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'decode', message: expect.stringContaining('zstd') } });
  });
});

describe('timeouts', () => {
  it('times out a server that accepts and never answers', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const started = Date.now();
    const out = await fetchFeed({ url: `${s.url}/silent`, settings: testSettings({ timeoutMs: 300 }) });
    const elapsed = Date.now() - started;
    expect(out).toMatchObject({ kind: 'error', error: { code: 'timeout', message: expect.stringContaining('within 300 ms') } });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2000);
  });

  it('times out a body dripping one byte at a time: the limit covers the whole response', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': RSS_TYPE });
      const timer = setInterval(() => res.write('<'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const out = await fetchFeed({ url: `${s.url}/drip`, settings: testSettings({ timeoutMs: 300 }) });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a caller abort as a network error, not a timeout', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const out = await fetchFeed({ url: `${s.url}/slow`, settings: testSettings({ timeoutMs: 5000 }), signal: ac.signal });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'network', message: expect.stringContaining('aborted') } });
  });
});

describe('redirects', () => {
  function redirector(map: Record<string, [number, string]>) {
    return (req: http.IncomingMessage, res: http.ServerResponse, base: string) => {
      const hop = map[req.url ?? ''];
      if (hop) {
        const [status, to] = hop;
        res.writeHead(status, { location: to.startsWith('/') ? `${base}${to}` : to }).end();
        return;
      }
      res.writeHead(200, { 'content-type': RSS_TYPE }).end(MINIMAL_RSS);
    };
  }

  it('follows a temporary chain and reports the final URL but no permanent move', async () => {
    const s = await serve(redirector({ '/a': [302, '/b'], '/b': [301, '/c'] }));
    const out = await fetchFeed({ url: `${s.url}/a`, settings: testSettings() });
    expect(out.kind).toBe('ok');
    if (out.kind !== 'ok') return;
    expect(out.finalUrl).toBe(`${s.url}/c`);
    expect(out.permanentRedirect).toBeUndefined();
    expect(s.requests.map((r) => r.path)).toEqual(['/a', '/b', '/c']);
  });

  it('reports permanentRedirect when every hop is 301/308', async () => {
    const s = await serve(redirector({ '/old': [301, '/older-still'], '/older-still': [308, '/new'] }));
    const out = await fetchFeed({ url: `${s.url}/old`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'ok', finalUrl: `${s.url}/new`, permanentRedirect: `${s.url}/new` });
  });

  it('moves the channel only as far as the permanent hops go', async () => {
    const s = await serve(redirector({ '/old': [301, '/moved'], '/moved': [302, '/today'] }));
    const out = await fetchFeed({ url: `${s.url}/old`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'ok', finalUrl: `${s.url}/today`, permanentRedirect: `${s.url}/moved` });
  });

  it('resolves relative Location headers', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/dir/a') res.writeHead(302, { location: '../feed.xml' }).end();
      else res.writeHead(200, { 'content-type': RSS_TYPE }).end(MINIMAL_RSS);
    });
    const out = await fetchFeed({ url: `${s.url}/dir/a`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'ok', finalUrl: `${s.url}/feed.xml` });
  });

  it('detects a redirect loop', async () => {
    const s = await serve(redirector({ '/a': [302, '/b'], '/b': [302, '/a'] }));
    const out = await fetchFeed({ url: `${s.url}/a`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'redirect-loop' } });
    if (out.kind === 'error') expect(out.error.message).toBe(`redirect loop: ${s.url}/a → ${s.url}/b → ${s.url}/a`);
    expect(s.requests).toHaveLength(2);
  });

  it('detects a self-redirect as a loop', async () => {
    const s = await serve(redirector({ '/self': [301, '/self'] }));
    const out = await fetchFeed({ url: `${s.url}/self`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'redirect-loop' } });
  });

  it('gives up after maxRedirects', async () => {
    const chain = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`/r${i}`, [302, `/r${i + 1}`] as [number, string]]));
    const s = await serve(redirector(chain));
    const out = await fetchFeed({ url: `${s.url}/r0`, settings: testSettings({ maxRedirects: 3 }) });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'too-many-redirects', message: expect.stringContaining('more than 3 redirects') } });
    expect(s.requests).toHaveLength(4);
  });

  it('allows exactly maxRedirects hops', async () => {
    const s = await serve(redirector({ '/r0': [302, '/r1'], '/r1': [302, '/r2'] }));
    const out = await fetchFeed({ url: `${s.url}/r0`, settings: testSettings({ maxRedirects: 2 }) });
    expect(out.kind).toBe('ok');
  });

  it.each(['file:///etc/passwd', 'ftp://files.example.com/feed.xml', 'javascript:alert(1)'])('refuses a redirect to %s', async (target) => {
    const s = await serve(redirector({ '/x': [302, target] }));
    const out = await fetchFeed({ url: `${s.url}/x`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'bad-redirect', status: 302 } });
    expect(s.requests).toHaveLength(1);
  });

  it('reports a redirect without Location', async () => {
    const s = await serve((_req, res) => res.writeHead(301).end());
    const out = await fetchFeed({ url: `${s.url}/x`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'bad-redirect', message: expect.stringContaining('without a Location') } });
  });

  it('drops credentials headers on a cross-origin redirect but keeps them on the same origin', async () => {
    const other = await serve((_req, res) => res.writeHead(200, { 'content-type': RSS_TYPE }).end(MINIMAL_RSS));
    const s = await serve((req, res, base) => {
      if (req.url === '/same') res.writeHead(302, { location: `${base}/cross` }).end();
      else res.writeHead(302, { location: `${other.url}/feed` }).end();
    });
    const out = await fetchFeed({ url: `${s.url}/same`, settings: testSettings({ headers: { Authorization: 'Bearer secret', 'X-Keep': '1' } }) });
    expect(out.kind).toBe('ok');
    expect(s.requests[1].headers.authorization).toBe('Bearer secret');
    expect(other.requests[0].headers.authorization).toBeUndefined();
    expect(other.requests[0].headers['x-keep']).toBe('1');
  });
});

describe('HTTP errors', () => {
  function status(code: number, headers: Record<string, string> = {}) {
    return (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(code, { 'content-type': 'text/html', ...headers }).end('<h1>nope</h1>');
  }

  it('404 → http-status', async () => {
    const s = await serve(status(404));
    const out = await fetchFeed({ url: `${s.url}/missing`, settings: testSettings() });
    expect(out).toEqual({ kind: 'error', error: { code: 'http-status', status: 404, message: `HTTP 404 Not Found from ${s.url}/missing` } });
  });

  it('500 → http-status', async () => {
    const s = await serve(status(500));
    const out = await fetchFeed({ url: `${s.url}/boom`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'http-status', status: 500, message: expect.stringContaining('Internal Server Error') } });
  });

  it('410 → gone', async () => {
    const s = await serve(status(410));
    const out = await fetchFeed({ url: `${s.url}/gone`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'gone', status: 410 } });
  });

  it('429 with Retry-After seconds → rate-limited', async () => {
    const s = await serve(status(429, { 'retry-after': '120' }));
    const out = await fetchFeed({ url: `${s.url}/busy`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'rate-limited', status: 429, retryAfterSec: 120, message: expect.stringContaining('retry after 120 s') } });
  });

  it('503 with Retry-After as an HTTP date → rate-limited', async () => {
    const when = new Date(Date.now() + 90_000).toUTCString();
    const s = await serve(status(503, { 'retry-after': when }));
    const out = await fetchFeed({ url: `${s.url}/maint`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'rate-limited', status: 503 } });
    if (out.kind === 'error') {
      expect(out.error.retryAfterSec).toBeGreaterThanOrEqual(85);
      expect(out.error.retryAfterSec).toBeLessThanOrEqual(91);
    }
  });

  it('429 without Retry-After → rate-limited with no delay', async () => {
    const s = await serve(status(429));
    const out = await fetchFeed({ url: `${s.url}/busy`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'rate-limited', message: expect.stringContaining('no Retry-After') } });
    if (out.kind === 'error') expect(out.error.retryAfterSec).toBeUndefined();
  });
});

describe('transport failures', () => {
  it('connection refused → network', async () => {
    const s = await startServer(() => undefined);
    const url = `${s.url}/feed`;
    await s.close();
    const out = await fetchFeed({ url, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'network', message: expect.stringContaining('connection refused') } });
  });

  it('DNS failure (ENOTFOUND) → dns', async () => {
    const agent = new Agent({
      connect: {
        lookup: (hostname: string, _opts: unknown, cb: (err: Error | null) => void) =>
          cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname })),
      } as never,
    });
    try {
      const out = await fetchFeed({ url: 'http://no-such-host.example.test/feed', settings: testSettings(), dispatcher: agent });
      expect(out).toEqual({
        kind: 'error',
        error: { code: 'dns', message: 'DNS lookup failed for no-such-host.example.test: ENOTFOUND' },
      });
    } finally {
      await agent.close();
    }
  });

  it('refuses non-HTTP feed URLs and invalid URLs up front', async () => {
    expect(await fetchFeed({ url: 'file:///etc/passwd', settings: testSettings() })).toMatchObject({ kind: 'error', error: { code: 'network' } });
    expect(await fetchFeed({ url: 'not a url', settings: testSettings() })).toMatchObject({ kind: 'error', error: { code: 'network', message: 'invalid URL "not a url"' } });
  });

  it('reports a server that closes mid-body as a network error', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': RSS_TYPE, 'content-length': '1000' });
      res.write('<rss version="2.0">');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const out = await fetchFeed({ url: `${s.url}/cut`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'error', error: { code: 'network' } });
  });
});

describe('fetchBytes', () => {
  it('returns the raw body, content type and redirect trail for other consumers (discover, preview)', async () => {
    const s = await serve((req, res, base) => {
      if (req.url === '/start') res.writeHead(302, { location: `${base}/page` }).end();
      else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html></html>');
    });
    const out = await fetchBytes({ url: `${s.url}/start`, settings: testSettings(), accept: 'text/html' });
    expect(out).toMatchObject({ kind: 'ok', status: 200, contentType: 'text/html; charset=utf-8', redirects: [`${s.url}/page`] });
    if (out.kind === 'ok') expect(out.body.toString()).toBe('<html></html>');
    expect(s.requests[0].headers.accept).toBe('text/html');
  });
});
