import { mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFeedServer, listen } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { makeSite, rawRequest, request, startFeedServer, type Running, type Site } from './harness.ts';

let site: Site;
let srv: Running;

beforeAll(async () => {
  site = makeSite();
  mkdirSync(path.join(site.root, 'empty'));
  srv = await startFeedServer(site.root, { cacheMaxAgeSec: 120 });
});
afterAll(async () => {
  await srv.close();
  site.cleanup();
});

const file = (rel: string) => readFileSync(path.join(site.root, rel));

describe('content types', () => {
  it.each([
    ['/rss.xml', 'rss.xml', 'application/rss+xml; charset=utf-8'],
    ['/atom.xml', 'atom.xml', 'application/atom+xml; charset=utf-8'],
    ['/sitemap.xml', 'sitemap.xml', 'application/xml; charset=utf-8'],
    ['/feed.json', 'feed.json', 'application/feed+json; charset=utf-8'],
    ['/index.opml', 'index.opml', 'text/x-opml; charset=utf-8'],
    ['/index.html', 'index.html', 'text/html; charset=utf-8'],
    ['/tech/rss.xml', 'tech/rss.xml', 'application/rss+xml; charset=utf-8'],
    ['/tech/hacker-news/atom.xml', 'tech/hacker-news/atom.xml', 'application/atom+xml; charset=utf-8'],
    ['/tech/hacker-news/front-page/feed.json', 'tech/hacker-news/front-page/feed.json', 'application/feed+json; charset=utf-8'],
    [
      '/articles/tech/hacker-news/0123456789abcdef0123.md',
      'articles/tech/hacker-news/0123456789abcdef0123.md',
      'text/markdown; charset=utf-8',
    ],
    ['/data.bin', 'data.bin', 'application/octet-stream'],
  ])('%s', async (url, rel, type) => {
    const r = await request(srv.port, url);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.body).toEqual(file(rel));
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.headers['cache-control']).toBe('public, max-age=120');
    expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('ignores the query string', async () => {
    const r = await request(srv.port, '/rss.xml?utm_source=x');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(file('rss.xml'));
  });
});

describe('folders', () => {
  it('serves index.html for / and /dir/', async () => {
    const root = await request(srv.port, '/');
    expect(root.status).toBe(200);
    expect(root.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(root.body.toString()).toContain('ROOT-INDEX');
    const tech = await request(srv.port, '/tech/');
    expect(tech.status).toBe(200);
    expect(tech.body.toString()).toContain('TECH-INDEX');
  });

  it('redirects /dir to /dir/, keeping the query', async () => {
    const r = await request(srv.port, '/tech');
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('/tech/');
    const q = await request(srv.port, '/tech/hacker-news?x=1');
    expect(q.status).toBe(301);
    expect(q.headers.location).toBe('/tech/hacker-news/?x=1');
  });

  it('never lists a folder without index.html', async () => {
    for (const url of ['/empty/', '/articles/', '/articles/tech/hacker-news/', '/tech/hacker-news/']) {
      const r = await request(srv.port, url);
      expect(r.status, url).toBe(404);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body.toString()).toBe('Not Found\n');
    }
  });

  it('404s a missing file with a small text body, and a file asked for as a folder', async () => {
    const missing = await request(srv.port, '/nope.xml');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe('Not Found\n');
    expect(missing.headers['cache-control']).toBe('no-store');
    expect((await request(srv.port, '/rss.xml/')).status).toBe(404);
  });
});

describe('validators', () => {
  it('sends a strong ETag and Last-Modified, and 304s on If-None-Match', async () => {
    const r = await request(srv.port, '/feed.json');
    const etag = r.headers.etag!;
    expect(etag).toMatch(/^"[^"]+"$/); // strong: no W/ prefix
    expect(r.headers['last-modified']).toBe(statSync(path.join(site.root, 'feed.json')).mtime.toUTCString());

    const hit = await request(srv.port, '/feed.json', { headers: { 'If-None-Match': etag } });
    expect(hit.status).toBe(304);
    expect(hit.body.length).toBe(0);
    expect(hit.headers.etag).toBe(etag);
    expect(hit.headers['cache-control']).toBe('public, max-age=120');

    const list = await request(srv.port, '/feed.json', { headers: { 'If-None-Match': `"nope", ${etag}` } });
    expect(list.status).toBe(304);

    const miss = await request(srv.port, '/feed.json', { headers: { 'If-None-Match': '"something-else"' } });
    expect(miss.status).toBe(200);
    expect(miss.body).toEqual(file('feed.json'));
  });

  it('304s on If-Modified-Since at or after the mtime, 200 before it', async () => {
    const lm = (await request(srv.port, '/atom.xml')).headers['last-modified']!;
    const hit = await request(srv.port, '/atom.xml', { headers: { 'If-Modified-Since': lm } });
    expect(hit.status).toBe(304);
    expect(hit.body.length).toBe(0);
    const earlier = new Date(Date.parse(lm) - 60_000).toUTCString();
    const miss = await request(srv.port, '/atom.xml', { headers: { 'If-Modified-Since': earlier } });
    expect(miss.status).toBe(200);
    expect(miss.body).toEqual(file('atom.xml'));
  });

  it('lets If-None-Match win over If-Modified-Since', async () => {
    const lm = (await request(srv.port, '/atom.xml')).headers['last-modified']!;
    const r = await request(srv.port, '/atom.xml', { headers: { 'If-None-Match': '"stale"', 'If-Modified-Since': lm } });
    expect(r.status).toBe(200);
  });

  it('changes the ETag when the content changes, even at the same size and mtime', async () => {
    const p = path.join(site.root, 'tech/rss.xml');
    const before = await request(srv.port, '/tech/rss.xml');
    const original = readFileSync(p);
    const { mtime } = statSync(p);
    const changed = Buffer.from(original.toString().replace('Show HN', 'Tell HN'));
    expect(changed.length).toBe(original.length);
    writeFileSync(p, changed);
    utimesSync(p, mtime, mtime);
    const after = await request(srv.port, '/tech/rss.xml');
    expect(after.body).toEqual(changed);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    // The old validator no longer produces a 304.
    const stale = await request(srv.port, '/tech/rss.xml', { headers: { 'If-None-Match': before.headers.etag! } });
    expect(stale.status).toBe(200);

    // Same bytes rewritten atomically (new inode, new mtime): same ETag, as it derives from content.
    const tmp = path.join(site.root, 'tech/.tmp-rss.xml-1-abcd');
    writeFileSync(tmp, changed);
    renameSync(tmp, p);
    const rewritten = await request(srv.port, '/tech/rss.xml');
    expect(rewritten.headers.etag).toBe(after.headers.etag);
  });
  it('serves the right bytes once stat identities are trusted (past the racy window)', async () => {
    const p = path.join(site.root, 'tech/hacker-news/front-page/feed.json');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 10_000);
      const first = await request(srv.port, '/tech/hacker-news/front-page/feed.json', { headers: { 'Accept-Encoding': 'br' } });
      // Served from the remembered tag and cached bodies from here on.
      const cached = await request(srv.port, '/tech/hacker-news/front-page/feed.json', { headers: { 'Accept-Encoding': 'br' } });
      expect(cached.headers.etag).toBe(first.headers.etag);
      const plain = await request(srv.port, '/tech/hacker-news/front-page/feed.json');
      expect(plain.body).toEqual(readFileSync(p));

      // In-place rewrite, same size, mtime put back: ctime still moves, so the stat identity changes.
      const { mtime } = statSync(p);
      const changed = Buffer.from(readFileSync(p).toString().replace('tiny', 'TINY'));
      writeFileSync(p, changed);
      utimesSync(p, mtime, mtime);
      const after = await request(srv.port, '/tech/hacker-news/front-page/feed.json', { headers: { 'Accept-Encoding': 'br' } });
      expect(after.headers.etag).not.toBe(first.headers.etag);
      expect(zlib.brotliDecompressSync(after.body)).toEqual(changed);

      // Atomic replacement: new inode.
      const next = Buffer.from(changed.toString().replace('TINY', 'small'));
      const tmp = path.join(site.root, 'tech/hacker-news/front-page/.tmp-feed.json-1-aa');
      writeFileSync(tmp, next);
      renameSync(tmp, p);
      const replaced = await request(srv.port, '/tech/hacker-news/front-page/feed.json');
      expect(replaced.body).toEqual(next);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('compression', () => {
  const original = () => file('rss.xml');

  it('sends gzip when asked, with a matching Content-Length', async () => {
    const r = await request(srv.port, '/rss.xml', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(original().length);
    expect(zlib.gunzipSync(r.body)).toEqual(original());
    expect(r.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
  });

  it('prefers br, and decodes back to the file', async () => {
    const r = await request(srv.port, '/rss.xml', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(r.headers['content-encoding']).toBe('br');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(zlib.brotliDecompressSync(r.body)).toEqual(original());
  });

  it('respects q=0 and sends identity when nothing usable is offered', async () => {
    const noBr = await request(srv.port, '/rss.xml', { headers: { 'Accept-Encoding': 'br;q=0, gzip' } });
    expect(noBr.headers['content-encoding']).toBe('gzip');
    const none = await request(srv.port, '/rss.xml', { headers: { 'Accept-Encoding': 'deflate' } });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body).toEqual(original());
  });

  it('gives each coding its own ETag, and 304s with it', async () => {
    const id = await request(srv.port, '/rss.xml');
    const gz = await request(srv.port, '/rss.xml', { headers: { 'Accept-Encoding': 'gzip' } });
    const br = await request(srv.port, '/rss.xml', { headers: { 'Accept-Encoding': 'br' } });
    expect(new Set([id.headers.etag, gz.headers.etag, br.headers.etag]).size).toBe(3);
    const again = await request(srv.port, '/rss.xml', { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(gz.headers.etag);
  });

  it('does not compress binaries', async () => {
    const r = await request(srv.port, '/data.bin', { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body).toEqual(file('data.bin'));
  });
});

describe('methods', () => {
  it('HEAD has the GET headers and no body', async () => {
    for (const enc of ['', 'gzip', 'br']) {
      const headers = enc ? { 'Accept-Encoding': enc } : undefined;
      const get = await request(srv.port, '/feed.json', { headers });
      const head = await request(srv.port, '/feed.json', { method: 'HEAD', headers });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      for (const h of ['content-type', 'content-length', 'content-encoding', 'etag', 'last-modified', 'cache-control', 'vary']) {
        expect(head.headers[h], `${enc} ${h}`).toBe(get.headers[h]);
      }
      expect(Number(head.headers['content-length'])).toBe(get.body.length);
    }
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s → 405 with Allow', async (method) => {
    const r = await request(srv.port, '/rss.xml', { method });
    expect(r.status).toBe(405);
    // OPTIONS answers CORS preflights (issue 22)
    expect(r.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(r.body.toString()).not.toContain('<rss');
  });
});

describe('/healthz', () => {
  it('reports channels with 200, also when degraded', async () => {
    const report = {
      status: 'degraded' as const,
      channels: [
        { key: 'tech/hn/front', status: 'error', lastError: 'timeout', consecutiveFailures: 3, disabled: false, secretField: 'x' },
        { key: 'tech/hn/new', status: 'updated', lastSuccessAt: '2023-11-14T22:13:20.000Z', consecutiveFailures: 0, disabled: false },
      ],
    };
    const h = await startFeedServer(site.root, { health: async () => report });
    try {
      const r = await request(h.port, '/healthz');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(r.body.toString())).toEqual({
        status: 'degraded',
        channels: [
          { key: 'tech/hn/front', status: 'error', lastError: 'timeout', consecutiveFailures: 3, disabled: false },
          { key: 'tech/hn/new', status: 'updated', lastSuccessAt: '2023-11-14T22:13:20.000Z', consecutiveFailures: 0, disabled: false },
        ],
      });
      const head = await request(h.port, '/healthz', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect((await request(h.port, '/healthz', { method: 'POST' })).status).toBe(405);
    } finally {
      await h.close();
    }
  });

  it('answers ok with 200 and 503 when the health callback throws', async () => {
    expect(JSON.parse((await request(srv.port, '/healthz')).body.toString())).toEqual({ status: 'ok', channels: [] });
    const h = await startFeedServer(site.root, {
      health: async () => {
        throw new Error('db is locked at /var/secret/path');
      },
    });
    try {
      const r = await request(h.port, '/healthz');
      expect(r.status).toBe(503);
      expect(r.headers['cache-control']).toBe('no-store');
      const body = JSON.parse(r.body.toString());
      expect(body.status).toBe('error');
      expect(r.body.toString()).not.toContain('/var/secret');
      // the server still serves files afterwards
      expect((await request(h.port, '/rss.xml')).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('robustness', () => {
  it('logs each request at debug level', async () => {
    srv.logs.length = 0;
    const atom = await request(srv.port, '/atom.xml', { headers: { 'Accept-Encoding': 'gzip' } });
    await request(srv.port, '/missing');
    await request(srv.port, '/%2e%2e/x');
    await new Promise((r) => setTimeout(r, 20));
    const lines = srv.logs.filter((l) => l.msg === 'request');
    expect(lines.map((l) => [l.url, l.status, l.level, l.encoding, l.bytes, l.note])).toEqual([
      ['/atom.xml', 200, 20, 'gzip', atom.body.length, undefined],
      ['/missing', 404, 20, undefined, 10, 'no such file'],
      ['/%2e%2e/x', 404, 20, undefined, 10, 'dot segment in path'],
    ]);
  });

  it('answers garbage on the socket with 400 and keeps serving', async () => {
    const garbage = await rawRequest(srv.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    const nul = await rawRequest(srv.port, Buffer.from('GET /rss.xml\0 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'));
    expect(nul).toMatch(/^HTTP\/1\.1 400/);
    expect((await request(srv.port, '/rss.xml')).status).toBe(200);
  });

  it('survives clients that hang up mid-response', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    writeFileSync(path.join(site.root, 'big.md'), big);
    // Open-and-abort: destroy each socket right after its request is written.
    await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const s = net.connect(srv.port, '127.0.0.1', () => {
              s.write(`GET /big.md HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ${i % 2 ? 'gzip' : 'identity'}\r\n\r\n`);
              setTimeout(() => s.destroy(), i % 5);
            });
            s.on('close', () => resolve());
            s.on('error', () => undefined);
          }),
      ),
    );
    const whole = await rawRequest(srv.port, 'GET /big.md HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(whole).toMatch(/^HTTP\/1\.1 200/);
    const r = await request(srv.port, '/big.md', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(r.status).toBe(200);
    // Buffer.equals: a deep toEqual on megabytes takes seconds.
    expect(zlib.gunzipSync(r.body).equals(big)).toBe(true);
  });

  it('streams files above the buffering limit with a stat-based ETag, uncompressed', async () => {
    const huge = Buffer.alloc(16 * 1024 * 1024 + 10, 'z');
    writeFileSync(path.join(site.root, 'huge.md'), huge);
    const r = await request(srv.port, '/huge.md', { headers: { 'Accept-Encoding': 'gzip, br' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(Number(r.headers['content-length'])).toBe(huge.length);
    expect(r.body.equals(huge)).toBe(true);
    const again = await request(srv.port, '/huge.md', { headers: { 'If-None-Match': r.headers.etag! } });
    expect(again.status).toBe(304);
    const head = await request(srv.port, '/huge.md', { method: 'HEAD' });
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(huge.length);
  });

  it('404s everything while the root does not exist yet, then serves once it does', async () => {
    const later = path.join(site.dir, 'later');
    const h = await startFeedServer(later);
    try {
      expect((await request(h.port, '/')).status).toBe(404);
      mkdirSync(later);
      writeFileSync(path.join(later, 'index.html'), '<p>now</p>');
      const r = await request(h.port, '/');
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('<p>now</p>');
    } finally {
      await h.close();
    }
  });

  it('listen() resolves the bound port and rejects when the port is taken', async () => {
    const a = createFeedServer({ root: site.root, cacheMaxAgeSec: 1, health: async () => ({ status: 'ok', channels: [] }), logger: silentLogger });
    const b = createFeedServer({ root: site.root, cacheMaxAgeSec: 1, health: async () => ({ status: 'ok', channels: [] }), logger: silentLogger });
    const addr = await listen(a, '127.0.0.1', 0);
    try {
      expect(addr.host).toBe('127.0.0.1');
      expect(addr.port).toBeGreaterThan(0);
      await expect(listen(b, '127.0.0.1', addr.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((r) => a.close(r));
    }
  });
});
