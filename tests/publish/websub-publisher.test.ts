import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { readHubStatus } from '../../src/core/websub-status.ts';
import { changedFeedUrls, HubPinger } from '../../src/publish/websub.ts';
import { assertValidAtom, jsonFeed11Schema } from '../helpers/feed-clients.ts';
import { atomProblems, rssProblems } from '../helpers/feed-validator.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { eventually, runRefeed, startRefeed } from '../helpers/refeed-process.ts';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';

// Issue 22, WebSub publisher: hub and self links in every feed and in the
// served headers, and after a publish that changed feeds, hub.mode=publish
// pings to a hub started here: batched, retried, bounded, never in the way.

interface Ping {
  path: string;
  mode: string | null;
  urls: string[];
}

/** A hub: records publish pings; /fail answers 500, /hang never answers. */
async function startHub(): Promise<TestServer & { pings: Ping[] }> {
  const pings: Ping[] = [];
  const hanging: http.ServerResponse[] = [];
  const hub = await startServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      pings.push({ path: req.url ?? '', mode: form.get('hub.mode'), urls: form.getAll('hub.url') });
      if (req.url === '/hang') return void hanging.push(res);
      res.writeHead(req.url === '/fail' ? 500 : 204).end();
    });
  });
  return Object.assign(hub, { pings });
}

const rss = (n: number, tag = 'a') => `<?xml version="1.0"?><rss version="2.0"><channel><title>${tag}</title><link>https://${tag}.example/</link>
${Array.from({ length: n }, (_, i) => `<item><title>${tag} ${i}</title><link>https://${tag}.example/${i}</link></item>`).join('\n')}
</channel></rss>`;

let upstream: TestServer;
let hub: Awaited<ReturnType<typeof startHub>>;
const feeds: Record<string, string> = { '/a.xml': rss(2, 'a'), '/b.xml': rss(1, 'b') };
beforeAll(async () => {
  upstream = await startServer((req, res) => {
    const body = feeds[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
  });
  hub = await startHub();
});
afterAll(async () => {
  await upstream.close();
  await hub.close();
});

const yaml = (hubs: string[]) =>
  oneSourceYaml([`{ name: A, url: "${upstream.url}/a.xml" }`, `{ name: B, url: "${upstream.url}/b.xml" }`], '', {
    more: `url: "https://feeds.example/", websub: { hubs: [${hubs.map((h) => `"${h}"`).join(', ')}] }`,
  });
const ALL_FEEDS = ['', 'g/', 'g/s/', 'g/s/a/', 'g/s/b/'].flatMap((d) => ['rss.xml', 'atom.xml', 'feed.json'].map((f) => `https://feeds.example/${d}${f}`));

describe('hub links', () => {
  let config: string;
  const read = (rel: string) => readFileSync(path.join(path.dirname(config), 'out', rel), 'utf8');
  beforeAll(async () => {
    config = writeTempConfig(yaml([`${hub.url}/ok`, 'https://hub2.example/']), 'refeed-websub-');
    expect((await runRefeed(['once', '--config', config])).code).toBe(0);
  });

  it('every RSS and Atom feed names the hubs and itself; JSON Feed lists the hubs', () => {
    for (const dir of ['', 'g/', 'g/s/a/']) {
      const r = read(`${dir}rss.xml`);
      expect(r).toContain(`<atom:link href="https://feeds.example/${dir}rss.xml" rel="self" type="application/rss+xml"/>`);
      expect(r).toContain(`<atom:link href="${hub.url}/ok" rel="hub"/>`);
      expect(r).toContain('<atom:link href="https://hub2.example/" rel="hub"/>');
      expect(rssProblems(r)).toEqual([]);
      const a = read(`${dir}atom.xml`);
      expect(a).toContain(`<link rel="self" href="https://feeds.example/${dir}atom.xml" type="application/atom+xml"/>`);
      expect(a).toContain(`<link rel="hub" href="${hub.url}/ok"/>`);
      expect(atomProblems(a)).toEqual([]);
      assertValidAtom(path.join(path.dirname(config), 'out', dir, 'atom.xml'));
      const j = JSON.parse(read(`${dir}feed.json`));
      expect(j.hubs).toEqual([
        { type: 'WebSub', url: `${hub.url}/ok` },
        { type: 'WebSub', url: 'https://hub2.example/' },
      ]);
      expect(j.feed_url).toBe(`https://feeds.example/${dir}feed.json`);
      expect(jsonFeed11Schema.safeParse(j).success).toBe(true);
    }
  });

  it('feeds without hubs configured carry no hub link', async () => {
    const plain = writeTempConfig(yaml([]).replace(/, websub: \{[^}]*\} /, ' '), 'refeed-websub-none-');
    expect((await runRefeed(['once', '--config', plain])).code).toBe(0);
    const out = (rel: string) => readFileSync(path.join(path.dirname(plain), 'out', rel), 'utf8');
    expect(out('rss.xml')).not.toContain('rel="hub"');
    expect(out('atom.xml')).not.toContain('rel="hub"');
    expect(JSON.parse(out('feed.json'))).not.toHaveProperty('hubs');
  });

  it('refeed serve sends Link: <hub>; rel="hub" and <self>; rel="self" with every feed file', async () => {
    const p = startRefeed(['serve', '--config', config, '--port', '0']);
    try {
      const base = (await p.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+\/)"/))[1];
      for (const rel of ['rss.xml', 'g/atom.xml', 'g/s/a/feed.json']) {
        const r = await fetch(new URL(rel, base));
        expect(r.status).toBe(200);
        expect(r.headers.get('link'), rel).toBe(`<${hub.url}/ok>; rel="hub", <https://hub2.example/>; rel="hub", <https://feeds.example/${rel}>; rel="self"`);
        const h = await fetch(new URL(rel, base), { method: 'HEAD' });
        expect(h.headers.get('link')).toBe(r.headers.get('link'));
      }
      expect((await fetch(new URL('index.html', base))).headers.get('link')).toBeNull();
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});

describe('publish pings', () => {
  it('once pings the hub with every changed feed, and only those; nothing when nothing changed', async () => {
    const config = writeTempConfig(yaml([`${hub.url}/ok`]), 'refeed-websub-ping-');
    const before = hub.pings.length;
    expect((await runRefeed(['once', '--config', config])).code).toBe(0);
    const first = hub.pings.slice(before);
    expect(first.length).toBe(1);
    expect(first[0]).toMatchObject({ path: '/ok', mode: 'publish' });
    expect([...first[0].urls].sort()).toEqual([...ALL_FEEDS].sort());

    const quiet = hub.pings.length;
    expect((await runRefeed(['once', '--config', config, '--all'])).code).toBe(0);
    expect(hub.pings.length).toBe(quiet);

    feeds['/b.xml'] = rss(2, 'b');
    expect((await runRefeed(['once', '--config', config, '--all'])).code).toBe(0);
    const changed = hub.pings.slice(quiet);
    expect(changed).toHaveLength(1);
    // B's new item changed B's feeds, its source's, group's and the merged ones; not A's.
    expect([...changed[0].urls].sort()).toEqual(ALL_FEEDS.filter((u) => !u.includes('/g/s/a/')).sort());
    expect(readHubStatus(path.join(path.dirname(config), 'out')).get(`${hub.url}/ok`)).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: expect.any(Number) });
  });

  it('a failing hub is retried, then shown by status and /metrics; the publish is done regardless', async () => {
    const config = writeTempConfig(yaml([`${hub.url}/fail`]), 'refeed-websub-fail-');
    const before = hub.pings.length;
    const once = await runRefeed(['once', '--config', config]);
    expect(once.code).toBe(0);
    expect(existsSync(path.join(path.dirname(config), 'out', 'rss.xml'))).toBe(true);
    // The first try and its two retries (one-shot commands wait 1 s, then 5 s).
    expect(hub.pings.slice(before).map((p) => p.path)).toEqual(['/fail', '/fail', '/fail']);
    const status = await runRefeed(['status', '--config', config, '--json']);
    expect(JSON.parse(status.stdout)).toHaveLength(2);
    expect(status.stderr).toMatch(new RegExp(`WebSub hub ${hub.url}/fail is failing: 1 publish ping refused or unanswered \\(it never took one\\): HTTP 500`));

    const serve = startRefeed(['serve', '--config', config, '--port', '0']);
    try {
      const base = (await serve.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+\/)"/))[1];
      const text = await (await fetch(new URL('metrics', base))).text();
      expect(text).toContain(`refeed_websub_hub_consecutive_failures{hub="${hub.url}/fail"} 1`);
      expect(text).toContain(`refeed_websub_hub_last_success_timestamp_seconds{hub="${hub.url}/fail"} 0`);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  }, 30_000);

  it('refeed run pings after its publishes and counts them in /metrics, with Link headers on its feeds', async () => {
    const config = writeTempConfig(yaml([`${hub.url}/ok`]), 'refeed-websub-run-');
    writeFileSync(config, readFileSync(config, 'utf8').replace('defaults: {', 'defaults: { schedule: "* * * * * *",'));
    const before = hub.pings.length;
    const p = startRefeed(['run', '--config', config, '--port', '0']);
    try {
      const base = `http://127.0.0.1:${(await p.waitFor(/serving http:\/\/127\.0\.0\.1:(\d+)\//))[1]}/`;
      await eventually(() => hub.pings.slice(before).some((x) => x.urls.includes('https://feeds.example/g/s/a/rss.xml')), 20_000, 'a ping from run');
      const r = await fetch(new URL('g/s/a/rss.xml', base));
      expect(r.headers.get('link')).toBe(`<${hub.url}/ok>; rel="hub", <https://feeds.example/g/s/a/rss.xml>; rel="self"`);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      const metrics = await (await fetch(new URL('metrics', base))).text();
      expect(metrics).toMatch(new RegExp(`^refeed_websub_pings_total\\{hub="${hub.url}/ok",outcome="ok"\\} [1-9]`, 'm'));
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, 40_000);
});

describe('HubPinger', () => {
  const output = () => mkdtempSync(path.join(os.tmpdir(), 'refeed-pinger-'));

  it('batches the URLs, never blocks its caller, and gives up on a hub that never answers within its bounds', async () => {
    const pinger = new HubPinger({ output: output(), logger: silentLogger, batchSize: 4, retryDelaysMs: [50], timeoutMs: 300 });
    const before = hub.pings.length;
    const urls = Array.from({ length: 10 }, (_, i) => `https://feeds.example/${i}/rss.xml`);
    const t = performance.now();
    pinger.notify([`${hub.url}/ok`, `${hub.url}/hang`], urls);
    expect(performance.now() - t).toBeLessThan(50);
    await pinger.drain(10_000);
    const ok = hub.pings.slice(before).filter((p) => p.path === '/ok');
    expect(ok.map((p) => p.urls.length)).toEqual([4, 4, 2]);
    expect(ok.flatMap((p) => p.urls)).toEqual(urls);
    // 3 batches × (a try and one retry), each cut at 300 ms
    expect(hub.pings.slice(before).filter((p) => p.path === '/hang')).toHaveLength(6);
    pinger.stop();
  });

  it('keeps at most maxPending URLs waiting, counting the rest as dropped; a stopped pinger sends nothing more', async () => {
    const dir = output();
    const pinger = new HubPinger({ output: dir, logger: silentLogger, maxPending: 3, retryDelaysMs: [], timeoutMs: 200 });
    pinger.notify([`${hub.url}/hang`], ['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => `https://feeds.example/${u}`));
    expect(readHubStatus(dir).get(`${hub.url}/hang`)?.droppedUrls).toBe(2);
    pinger.stop();
    const before = hub.pings.length;
    pinger.notify([`${hub.url}/ok`], ['https://feeds.example/x']);
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.pings.length).toBe(before);
  });

  it('changedFeedUrls keeps the feed files a publish wrote, as absolute URLs', () => {
    expect(changedFeedUrls('https://f.example/sub/', ['index.html', 'rss.xml', 'g/atom.xml', 'g/s/c/feed.json', 'index.opml', 'articles/g/s/x.md'])).toEqual([
      'https://f.example/sub/rss.xml',
      'https://f.example/sub/g/atom.xml',
      'https://f.example/sub/g/s/c/feed.json',
    ]);
  });
});
