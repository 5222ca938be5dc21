import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { postgresServer, redisServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';

// Scaled out, end to end: `refeed run --workers 0` and two `refeed worker`
// processes on one Redis and one PostgreSQL, loopback feeds that grow every
// two seconds on a three-second schedule. One worker is SIGKILLed while it
// fetches the slow feed. Then: every upstream item is in the merged feed
// exactly once, stored once, with its article file; no channel was fetched
// twice in one tick; the surviving worker took the dead one's job back.

const PERIOD_MS = 3000;
const CHANNELS = ['alpha', 'beta', 'gamma', 'slow'];
const SLOW_MS = 1500;

const pgServer = serverOrSkip('PostgreSQL', await postgresServer());
const redis = serverOrSkip('Redis', await redisServer());
const databases = pgServer && new TestDatabases(pgServer.url, 'refeed_scale');

const rss = (name: string, n: number) => {
  const items = Array.from(
    { length: n },
    (_, i) =>
      `<item><title>${name} ${i}</title><link>https://upstream.example/${name}/${i}</link><guid isPermaLink="false">${name}-${i}</guid>` +
      `<pubDate>${new Date(Date.UTC(2024, 0, 1, 0, i)).toUTCString()}</pubDate><description>&lt;p&gt;${name} item ${i}&lt;/p&gt;</description></item>`,
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title><link>https://upstream.example/${name}</link>${items.join('')}</channel></rss>`;
};

describe.skipIf(!pgServer || !redis)('scale-out: run + two workers on BullMQ and PostgreSQL', () => {
  let upstream: TestServer;
  let dir: string;
  let env: Record<string, string>;
  const counts = new Map(CHANNELS.map((c) => [c, 1]));
  /** Upstream requests per channel, by arrival time. */
  const requests = new Map<string, number[]>(CHANNELS.map((c) => [c, []]));
  const procs: RefeedProcess[] = [];

  beforeAll(async () => {
    upstream = await startServer((req, res) => {
      const name = (req.url ?? '').replace(/^\/|\.xml.*$/g, '');
      const n = counts.get(name);
      if (n === undefined) return void res.writeHead(404).end();
      requests.get(name)!.push(Date.now());
      const send = () => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(name, n));
      if (name === 'slow') setTimeout(send, SLOW_MS);
      else send();
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-scale-'));
    const channels = CHANNELS.map((c) => `          - { name: ${c}, url: "${upstream.url}/${c}.xml" }`).join('\n');
    writeFileSync(
      path.join(dir, 'refeed.yaml'),
      `site: { output: out, limit: 500, concurrency: 8, per_host_concurrency: 4 }
defaults: { schedule: "*/3 * * * * *", timeout: 10s, allow_private: true }
groups:
  - name: G
    sources:
      - name: S
        channels:
${channels}
`,
    );
    // Its own database and its own key prefix: tests sharing the servers never see each other's jobs.
    const queue = new URL(redis!.url);
    queue.searchParams.set('prefix', `refeed-e2e-${process.pid}-${Date.now()}`);
    env = { REFEED_STATE: await databases!.create(), REFEED_QUEUE: queue.toString() };
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await upstream?.close();
    await databases?.dropAll();
    await Promise.all([pgServer?.stop(), redis?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = (args: string[]) => {
    const p = startRefeed([...args, '--config', path.join(dir, 'refeed.yaml')], env);
    procs.push(p);
    return p;
  };

  it('loses nothing, stores nothing twice and fetches a channel once per tick when a worker is killed mid-job', async () => {
    const run = start(['run', '--workers', '0', '--port', '0']);
    const workers = [start(['worker', '--concurrency', '2', '--stalled-after', '3s']), start(['worker', '--concurrency', '2', '--stalled-after', '3s'])];
    await run.waitFor(/"msg":"refeed running"/);
    await Promise.all(workers.map((w) => w.waitFor(/"msg":"refeed worker running"/)));
    const grow = setInterval(() => CHANNELS.forEach((c) => counts.set(c, counts.get(c)! + 1)), 2000);
    try {
      // A few ticks in, kill whichever worker is fetching the slow feed, while it waits for the answer.
      await new Promise((r) => setTimeout(r, 2 * PERIOD_MS));
      const seen = workers.map((w) => w.stderr().length);
      const slowStart = /"channel":"g\/s\/slow"[^\n]*"msg":"fetch started"/;
      const victim = await eventually(() => workers.find((w, i) => slowStart.test(w.stderr().slice(seen[i]))), 4 * PERIOD_MS, 'a worker fetching the slow feed');
      victim.child.kill('SIGKILL');
      const survivor = workers.find((w) => w !== victim)!;
      await victim.exited;
      // Its job is taken back once its lock lapses (--stalled-after 3s), by the survivor's stalled check.
      await survivor.waitFor(/a worker died or froze mid-job/, 5 * PERIOD_MS);
      await new Promise((r) => setTimeout(r, PERIOD_MS));
    } finally {
      clearInterval(grow);
    }

    const expected = CHANNELS.flatMap((c) => Array.from({ length: counts.get(c)! }, (_, i) => `https://upstream.example/${c}/${i}`));
    const feedUrls = () => (JSON.parse(readFileSync(path.join(dir, 'out', 'feed.json'), 'utf8')) as { items: { url: string }[] }).items.map((i) => i.url);
    await eventually(() => expected.every((u) => feedUrls().includes(u)), 6 * PERIOD_MS, 'every upstream item in the merged feed');
    const urls = feedUrls();
    expect(urls.filter((u) => expected.includes(u)).sort()).toEqual([...expected].sort());
    expect(new Set(urls).size).toBe(urls.length);

    for (const [channel, times] of requests) {
      const perTick = new Map<number, number>();
      for (const t of times) perTick.set(Math.floor(t / PERIOD_MS), (perTick.get(Math.floor(t / PERIOD_MS)) ?? 0) + 1);
      expect([...perTick.values()].filter((n) => n > 1), `${channel} fetched twice in a tick: ${JSON.stringify(times)}`).toEqual([]);
      expect(times.length, channel).toBeGreaterThanOrEqual(4);
    }

    // Stored once each, every article file written by the run process (the workers write none).
    const db = new pg.Client({ connectionString: env.REFEED_STATE });
    await db.connect();
    try {
      const rows = (await db.query<{ path: string; pending: boolean }>('SELECT path, file_hash IS DISTINCT FROM content_hash AS pending FROM articles')).rows;
      expect(rows.length).toBe(expected.length);
      expect(rows.filter((r) => r.pending || !existsSync(path.join(dir, 'out', r.path)))).toEqual([]);
    } finally {
      await db.end();
    }

    // `status` reads the shared state: every channel, whichever worker fetched it.
    const status = startRefeed(['status', '--json', '--config', path.join(dir, 'refeed.yaml')], env);
    expect((await status.exited).code).toBe(0);
    const rows = JSON.parse(status.stdout()) as { key: string; items: number; lastSuccessAt?: string }[];
    expect(rows.map((r) => [r.key, r.items, r.lastSuccessAt !== undefined])).toEqual(CHANNELS.map((c) => [`g/s/${c}`, counts.get(c), true]));

    const alive = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    alive.forEach((p) => p.child.kill('SIGTERM'));
    expect((await Promise.all(alive.map((p) => p.exited))).map((e) => e.code)).toEqual(alive.map(() => 0));
  }, 90_000);
});
