import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { js2xml } from 'xml-js';
import { stringify } from 'yaml';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { rss, type FeedItemSpec } from './feeds.ts';

// Issue 20, item 3, at the daemon level: two channels whose every fetch brings
// a new item nested 200,000 levels deep, beside a good channel, all scheduled
// every second. Parsing that markup was quadratic (40 s an item): the good
// channel went unfetched for 78 s, /healthz timed out and SIGTERM took 83 s.
// Now the good channel keeps its schedule, its new items get published, and
// the daemon answers and stops.

const DEPTH = 200_000;
const deepHtml = (n: number) => '<div>'.repeat(DEPTH) + `<p>deep body ${n}</p>` + '</div>'.repeat(DEPTH);

/** An RSS feed of one item whose body (2.2 MB) is in a CDATA section: reading the feed is cheap, only the HTML is deep. */
function deepFeed(route: string, n: number): string {
  return js2xml(
    {
      _declaration: { _attributes: { version: '1.0', encoding: 'utf-8' } },
      rss: {
        _attributes: { version: '2.0' },
        channel: {
          title: { _text: route },
          link: { _text: 'https://deep.example/' },
          description: { _text: 'deep' },
          item: { title: { _text: `Deep ${route} ${n}` }, link: { _text: `https://deep.example/${route}/${n}` }, guid: { _text: `${route}-${n}` }, description: { _cdata: deepHtml(n) } },
        },
      },
    },
    { compact: true },
  );
}

function get(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('refeed run beside feeds of 200k-deep HTML', () => {
  let upstream: TestServer;
  let proc: RefeedProcess;
  let port: number;
  let dir: string;
  const hits = { good: [] as number[], deep1: 0, deep2: 0 };

  beforeAll(async () => {
    upstream = await startServer((req, res) => {
      const route = (req.url ?? '/').slice(1).replace(/\.xml$/, '');
      let body: string;
      if (route === 'good') {
        hits.good.push(Date.now());
        const n = hits.good.length;
        const items: FeedItemSpec[] = [{ guid: `good-${n}`, title: `Good item ${n}`, link: `https://good.example/${n}`, date: new Date(Date.UTC(2024, 0, 1, 0, n)), html: '<p>fine</p>' }];
        body = rss(route, items);
      } else if (route === 'deep1' || route === 'deep2') {
        // A new item each time: every fetch sanitizes one more deep body.
        body = deepFeed(route, ++hits[route]);
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-deep-'));
    const config = path.join(dir, 'refeed.yaml');
    const channel = (name: string) => ({ name, url: `${upstream.url}/${name}.xml` });
    writeFileSync(
      config,
      stringify({
        site: { title: 'deep', url: 'http://127.0.0.1/', output: 'out', state: 'state.db' },
        defaults: { schedule: '* * * * * *', timeout: '10s', allow_private: true, max_bytes: '50MB' },
        groups: [{ name: 'G', sources: [{ name: 'S', channels: [channel('good'), channel('deep1'), channel('deep2')] }] }],
      }),
    );
    proc = startRefeed(['run', '--config', config, '--port', '0'], { REFEED_LOG_LEVEL: 'info' });
    port = Number((await proc.waitFor(/serving http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  }, 30_000);

  afterAll(async () => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the good channel on its every-second schedule, publishes the deep items flattened, and stops on SIGTERM', async () => {
    // Both deep feeds have been read and their first items published.
    await eventually(async () => {
      const body = (await get(port, '/g/s/deep2/rss.xml')).body;
      return body.includes('deep body') && (await get(port, '/g/s/deep1/rss.xml')).body.includes('deep body');
    }, 25_000, 'deep items published');

    // Then, for six seconds, the good channel keeps being fetched and the daemon keeps answering.
    const from = Date.now();
    const goodBefore = hits.good.length;
    const deepBefore = hits.deep1 + hits.deep2;
    const health: number[] = [];
    while (Date.now() - from < 6000) {
      health.push((await get(port, '/healthz')).status);
      await new Promise((r) => setTimeout(r, 500));
    }
    const goodFetches = hits.good.length - goodBefore;
    // An every-second schedule (with up to half a second of jitter): about six fetches; the old parser managed none.
    expect(goodFetches, `good channel fetched ${goodFetches} times in ${Date.now() - from} ms`).toBeGreaterThanOrEqual(3);
    // The deep channels are fetched (and their new items sanitized) all along too.
    expect(hits.deep1 + hits.deep2 - deepBefore).toBeGreaterThanOrEqual(2);
    expect(health.every((s) => s === 200)).toBe(true);

    // A good item fetched during the window reaches the published feed.
    const recent = hits.good.length;
    await eventually(async () => {
      const m = [...(await get(port, '/g/s/good/rss.xml')).body.matchAll(/Good item (\d+)/g)].map((x) => Number(x[1]));
      return m.some((n) => n >= recent - 1);
    }, 10_000, `good item ${recent - 1} published`);

    // The published deep article is the flattened body: its text, nesting bounded.
    const deep = (await get(port, '/g/s/deep1/rss.xml')).body;
    expect(deep.length).toBeLessThan(200_000);
    expect(deep).toContain('deep body');

    proc.child.kill('SIGTERM');
    const exit = await Promise.race([proc.exited, new Promise<'slow'>((r) => setTimeout(() => r('slow'), 15_000))]);
    expect(exit).not.toBe('slow');
    expect(exit === 'slow' ? -1 : exit.code).toBe(0);
  }, 90_000);
});
