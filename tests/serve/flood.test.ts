import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeSite, request, startFeedServer, type Reply, type Running, type Site } from './harness.ts';

let site: Site;
let srv: Running;

beforeAll(async () => {
  site = makeSite();
  srv = await startFeedServer(site.root);
});
afterAll(async () => {
  await srv.close();
  site.cleanup();
});

function decode(r: Reply): Buffer {
  switch (r.headers['content-encoding']) {
    case 'br':
      return zlib.brotliDecompressSync(r.body);
    case 'gzip':
      return zlib.gunzipSync(r.body);
    default:
      return r.body;
  }
}

it('answers a bounded flood (2,000 requests, 50 at a time) correctly and finishes', async () => {
  const file = (rel: string) => readFileSync(path.join(site.root, rel));
  const etag = (await request(srv.port, '/feed.json')).headers.etag!;
  const cases: { url: string; headers?: Record<string, string>; method?: string; check: (r: Reply) => void }[] = [
    { url: '/rss.xml', check: (r) => expect(decode(r).equals(file('rss.xml'))).toBe(true) },
    { url: '/atom.xml', check: (r) => expect(decode(r).equals(file('atom.xml'))).toBe(true) },
    { url: '/feed.json', check: (r) => expect(decode(r).equals(file('feed.json'))).toBe(true) },
    { url: '/', check: (r) => expect(decode(r).equals(file('index.html'))).toBe(true) },
    { url: '/tech/', check: (r) => expect(decode(r).equals(file('tech/index.html'))).toBe(true) },
    {
      url: '/articles/tech/hacker-news/0123456789abcdef0123.md',
      check: (r) => expect(decode(r).equals(file('articles/tech/hacker-news/0123456789abcdef0123.md'))).toBe(true),
    },
    { url: '/tech/hacker-news/front-page/rss.xml', method: 'HEAD', check: (r) => expect(r.body.length).toBe(0) },
  ];
  const encodings = ['', 'gzip', 'br', 'gzip, deflate, br'];

  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const total = 2000;
  let next = 0;
  const statuses = new Map<number, number>();
  const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);

  async function worker() {
    while (next < total) {
      const i = next++;
      const kind = i % 10;
      if (kind === 8) {
        const r = await request(srv.port, '/missing.xml', { agent });
        expect(r.status).toBe(404);
        count(r.status);
      } else if (kind === 9) {
        const r = await request(srv.port, '/feed.json', { agent, headers: { 'If-None-Match': etag, 'Accept-Encoding': 'br' } });
        expect(r.status).toBe(304);
        expect(r.body.length).toBe(0);
        count(r.status);
      } else {
        const c = cases[i % cases.length];
        const enc = encodings[i % encodings.length];
        const r = await request(srv.port, c.url, { agent, method: c.method, headers: enc ? { 'Accept-Encoding': enc } : {} });
        expect(r.status, c.url).toBe(200);
        if (c.method !== 'HEAD') expect(Number(r.headers['content-length'])).toBe(r.body.length);
        c.check(r);
        count(r.status);
      }
    }
  }

  const started = Date.now();
  await Promise.all(Array.from({ length: 50 }, worker));
  agent.destroy();
  const total200 = statuses.get(200) ?? 0;
  expect(total200 + (statuses.get(304) ?? 0) + (statuses.get(404) ?? 0)).toBe(total);
  expect(statuses.get(404)).toBe(200);
  expect(statuses.get(304)).toBe(200);
  expect(Date.now() - started).toBeLessThan(10_000);
  // One debug line per request, none lost under load.
  await new Promise((r) => setTimeout(r, 20));
  expect(srv.logs.filter((l) => l.msg === 'request').length).toBeGreaterThanOrEqual(total);
});
