import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { freePort, postgresServer, redisServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';
import { hubFeed, startTestHub, type SubscribeRequest } from '../helpers/websub-hub.ts';

// Issue 22, WebSub with a queue: `refeed run --workers 0` fetches nothing
// itself; a `refeed worker` fetches the source, and records the hub it names
// on the channel in the shared state. `run` reads it from there and
// subscribes (its own server is the callback). A verified push queues the
// channel's fetch job at once, which a worker runs like a scheduled fetch:
// what gets ingested is the feed as fetched, not the pushed body. The hub is
// a small one started here, as in tests/ingest/websub-subscriber.test.ts.

const pgServer = serverOrSkip('PostgreSQL', await postgresServer());
const redis = serverOrSkip('Redis', await redisServer());
const databases = pgServer && new TestDatabases(pgServer.url, 'refeed_websubq');


describe.skipIf(!pgServer || !redis)('WebSub subscriber with a queue (site.queue)', () => {
  let upstream: TestServer;
  let hub: TestServer;
  let dir: string;
  let port: number;
  let base: string;
  let subscriptions: SubscribeRequest[] = [];
  /** Upstream fetches, by arrival time. */
  const fetches: number[] = [];
  let upstreamItems = [1];
  const procs: RefeedProcess[] = [];
  const feed = (items: number[]) => hubFeed(`${hub.url}/hub`, `${upstream.url}/feed.xml`, items);

  beforeAll(async () => {
    ({ server: hub, subscriptions } = await startTestHub());
    upstream = await startServer((req, res) => {
      if (req.url !== '/feed.xml') return void res.writeHead(404).end();
      fetches.push(Date.now());
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(upstreamItems));
    });
    port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-websubq-'));
    // Scheduled once a year: every fetch after the first is the push's.
    writeFileSync(
      path.join(dir, 'refeed.yaml'),
      `site: { url: "${base}", output: out, websub: { subscribe: true } }
defaults: { allow_private: true, schedule: "0 0 1 1 *" }
groups:
  - name: G
    sources:
      - name: S
        channels:
          - { name: C, url: "${upstream.url}/feed.xml" }
`,
    );
    const queue = new URL(redis!.url);
    queue.searchParams.set('prefix', `refeed-websubq-${process.pid}-${Date.now()}`);
    const env = { REFEED_STATE: await databases!.create(), REFEED_QUEUE: queue.toString() };
    const start = (args: string[]) => {
      const p = startRefeed([...args, '--config', path.join(dir, 'refeed.yaml')], env);
      procs.push(p);
      return p;
    };
    start(['run', '--workers', '0', '--port', String(port)]);
    start(['worker', '--concurrency', '1']);
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await upstream?.close();
    await hub?.close();
    await databases?.dropAll();
    await Promise.all([pgServer?.stop(), redis?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const push = (callback: string, body: string, signature: string) =>
    fetch(new URL(new URL(callback).pathname, base), { method: 'POST', headers: { 'content-type': 'application/rss+xml', 'x-hub-signature': signature }, body });
  const channelFeed = async () => (await fetch(new URL('g/s/c/rss.xml', base))).text();
  const metric = async (outcome: string) =>
    Number(new RegExp(`^refeed_websub_pushes_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(await (await fetch(new URL('metrics', base))).text())?.[1] ?? 0);

  it('run subscribes at the hub a worker\'s fetch found, with its own server as the callback', async () => {
    await eventually(() => subscriptions[0]?.verified, 30_000, 'a verified subscription');
    expect(fetches).toHaveLength(1); // the worker's first fetch: run fetched nothing itself
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0].topic).toBe(`${upstream.url}/feed.xml`);
    expect(subscriptions[0].callback).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/websub/\\d+$`));
    await eventually(async () => (await channelFeed()).includes('https://src.example/1'), 10_000, 'the first item published');
  });

  it('a verified push becomes a fetch job a worker runs at once: the feed as fetched is ingested and published', async () => {
    const sub = subscriptions[0];
    upstreamItems = [1, 2, 3];
    // The hub's copy (item 2 only) differs from the source's (2 and 3): only a fetch brings item 3.
    const body = feed([1, 2]);
    const before = fetches.length;
    const sent = Date.now();
    expect((await push(sub.callback, body, sign(sub.secret, body))).status).toBe(202);
    await eventually(() => fetches.length > before, 10_000, 'the worker fetching the pushed channel');
    expect(fetches[before] - sent).toBeLessThan(5000);
    await eventually(async () => (await channelFeed()).includes('https://src.example/3'), 15_000, 'the fetched items published');
    expect(await metric('ok')).toBe(1);
  });

  it('a push with a bad signature queues nothing and is counted', async () => {
    const sub = subscriptions[0];
    upstreamItems = [1, 2, 3, 4];
    const before = fetches.length;
    const body = feed([4]);
    expect((await push(sub.callback, body, sign('not-the-secret', body))).status).toBe(202);
    await eventually(async () => (await metric('bad-signature')) === 1, 5000, 'the bad push counted');
    await new Promise((r) => setTimeout(r, 2000));
    expect(fetches.length).toBe(before);
    expect(await channelFeed()).not.toContain('https://src.example/4');
  });
});
