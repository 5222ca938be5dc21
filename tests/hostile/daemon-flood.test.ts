import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { httpGet } from '../helpers/http-get.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { rss, type FeedItemSpec } from './feeds.ts';

// Issue 5, server hardening at the daemon level (tests/serve covers the bare
// server against traversal and floods): `refeed run` fetching every second
// while its HTTP server takes a flood of requests on loopback. Scheduled
// fetches must go on during the flood, and an item that appears upstream
// meanwhile must get published and served.

const FLOOD_REQUESTS = 3000;
const FLOOD_CONCURRENCY = 50;

const get = httpGet;

describe('refeed run under a request flood', () => {
  let upstream: TestServer;
  let proc: RefeedProcess;
  let port: number;
  const items: FeedItemSpec[] = [{ guid: 'u1', title: 'Upstream one', link: 'https://up.example/1', date: new Date(Date.UTC(2024, 0, 1)), html: '<p>one</p>' }];
  /** When each upstream request arrived, and whether it was served the new item. */
  const hits: { at: number; withNew: boolean }[] = [];

  beforeAll(async () => {
    upstream = await startServer((req, res) => {
      hits.push({ at: Date.now(), withNew: items.length > 1 });
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(rss('up', items));
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-flood-'));
    const config = path.join(dir, 'refeed.yaml');
    writeFileSync(
      config,
      stringify({
        site: { title: 'flood', url: 'http://127.0.0.1/', output: 'out', state: 'state.db' },
        defaults: { schedule: '* * * * * *', timeout: '5s', allow_private: true },
        groups: [{ name: 'G', sources: [{ name: 'S', channels: [{ name: 'C', url: `${upstream.url}/feed.xml` }] }] }],
      }),
    );
    proc = startRefeed(['run', '--config', config, '--port', '0'], { REFEED_LOG_LEVEL: 'info' });
    port = Number((await proc.waitFor(/serving http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    await eventually(async () => (await get(port, '/rss.xml', false)).body.includes('Upstream one'), 20_000, 'first item published');
  }, 30_000);

  afterAll(async () => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await upstream?.close();
  });

  it(`keeps fetching on schedule and publishes a new upstream item while serving ${FLOOD_REQUESTS} requests, ${FLOOD_CONCURRENCY} at a time`, async () => {
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: FLOOD_CONCURRENCY });
    const targets = ['/rss.xml', '/atom.xml', '/feed.json', '/', '/g/s/c/rss.xml', '/nope.xml', '/../../../../etc/passwd', '/%2e%2e/%2e%2e/state.db', '/..%2f..%2fstate.db', '/healthz'];
    const statuses = new Map<number, number>();
    let servedNewAt: number | undefined;
    let next = 0;

    const floodStart = Date.now();
    const hitsBefore = hits.length;
    // The new item appears upstream as the flood starts.
    items.push({ guid: 'u2', title: 'Upstream two', link: 'https://up.example/2', date: new Date(Date.UTC(2024, 0, 2)), html: '<p>two</p>' });
    const worker = async (w: number) => {
      while (next < FLOOD_REQUESTS) {
        const i = next++;
        const target = targets[i % targets.length];
        // Half the workers reuse connections, half open a new one per request.
        const r = await get(port, target, w % 2 === 0 ? keepAlive : false, i % 3 === 0 ? { 'accept-encoding': 'gzip, br' } : {}, i % 7 === 0 ? 'HEAD' : 'GET');
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (target === '/rss.xml' && r.body.includes('Upstream two')) servedNewAt ??= Date.now();
        // Traversal never reaches anything outside the output folder.
        if (target.includes('..') || target.includes('%2e') || target.includes('%2f')) {
          expect(r.status).toBe(404);
          expect(r.body).not.toMatch(/root:|SQLite format/);
        }
      }
    };
    await Promise.all(Array.from({ length: FLOOD_CONCURRENCY }, (_, w) => worker(w)));
    const floodMs = Date.now() - floodStart;
    keepAlive.destroy();

    const during = hits.slice(hitsBefore).filter((h) => h.at <= floodStart + floodMs);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(FLOOD_REQUESTS);
    expect(statuses.get(200)).toBeGreaterThan(FLOOD_REQUESTS / 2);
    // An every-second schedule (jitter up to half a second) keeps firing through the flood.
    expect(during.length, `${during.length} upstream fetches in a ${floodMs} ms flood`).toBeGreaterThanOrEqual(Math.floor(floodMs / 1000) - 1);
    expect(during.length).toBeGreaterThanOrEqual(1);
    expect(during.some((h) => h.withNew)).toBe(true);

    // The new item reaches the served feeds within seconds (during the flood, or right after it):
    // one scheduled fetch plus the one-second publish delay, with room for a loaded machine.
    await eventually(async () => (await get(port, '/rss.xml', false)).body.includes('Upstream two') && (servedNewAt ??= Date.now()), 10_000, 'new item in rss.xml');
    expect(servedNewAt! - floodStart).toBeLessThan(8000);
    const health = JSON.parse((await get(port, '/healthz', false)).body);
    expect(health.status).toBe('ok');
    // And the daemon is still well: it stops cleanly.
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  }, 60_000);
});
