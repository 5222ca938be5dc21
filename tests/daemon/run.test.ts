import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Feed } from 'feed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';

// `refeed run` as operators run it: a real process, a fixture upstream on
// loopback, an every-second schedule, and its own HTTP server on a free port.

interface Item {
  id: string;
  title: string;
}

function rss(title: string, items: Item[]): string {
  const feed = new Feed({ title, id: `https://upstream.example/${title}`, link: `https://upstream.example/${title}`, copyright: '' });
  items.forEach((it, i) =>
    feed.addItem({ title: it.title, id: it.id, link: `https://upstream.example/${title}/${it.id}`, date: new Date(Date.UTC(2024, 0, 1 + i)), content: `<p>${it.title}</p>` }),
  );
  return feed.rss2();
}

describe('refeed run (daemon)', () => {
  let upstream: TestServer;
  let proc: RefeedProcess;
  let base: string;
  let configFile: string;
  const alpha: Item[] = [{ id: 'a1', title: 'Alpha one' }];
  const hits: Record<string, number> = {};

  beforeAll(async () => {
    upstream = await startServer((req, res) => {
      const p = (req.url ?? '').split('?')[0];
      hits[p] = (hits[p] ?? 0) + 1;
      if (p === '/alpha.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('alpha', alpha));
      if (p === '/gamma.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('gamma', [{ id: 'g1', title: 'Gamma one' }]));
      res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream broken');
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-daemon-'));
    configFile = path.join(dir, 'refeed.yaml');
    writeFileSync(
      configFile,
      `site:
  title: daemon test
  url: http://127.0.0.1/
  output: out
  state: state.db
defaults:
  schedule: "* * * * * *"
  timeout: 3s
  allow_private: true
groups:
  - name: Test
    sources:
      - name: Alpha
        channels:
          - name: Main
            url: ${upstream.url}/alpha.xml
      - name: Broken
        channels:
          - name: Main
            url: ${upstream.url}/broken.xml
`,
    );
    proc = startRefeed(['run', '--config', configFile, '--port', '0']);
    const m = await proc.waitFor(/serving (http:\/\/127\.0\.0\.1:\d+\/)/);
    base = m[1];
  }, 30_000);

  afterAll(async () => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await upstream?.close();
  });

  const get = (p: string, headers: Record<string, string> = {}) => fetch(new URL(p, base), { headers });

  it('publishes the upstream item to the merged and per-category feeds', async () => {
    await eventually(async () => (await (await get('rss.xml')).text()).includes('Alpha one'), 20_000, 'Alpha one in rss.xml');
    const channelFeed = await get('test/alpha/main/atom.xml');
    expect(channelFeed.status).toBe(200);
    expect(channelFeed.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(await channelFeed.text()).toContain('Alpha one');
  });

  it('answers a conditional GET with 304', async () => {
    const first = await get('rss.xml');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await get('rss.xml', { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('brings a new upstream item to the served feeds with a changed ETag', async () => {
    const before = (await get('rss.xml')).headers.get('etag');
    const beforeChannel = (await get('test/alpha/rss.xml')).headers.get('etag');
    alpha.push({ id: 'a2', title: 'Alpha two' });
    const merged = await eventually(async () => {
      const r = await get('rss.xml');
      const text = await r.text();
      return text.includes('Alpha two') ? r : undefined;
    }, 20_000, 'Alpha two in rss.xml');
    expect(merged.headers.get('etag')).not.toBe(before);
    const source = await get('test/alpha/rss.xml');
    expect(await source.text()).toContain('Alpha two');
    expect(source.headers.get('etag')).not.toBe(beforeChannel);
    // The old ETag no longer matches: a reader gets the new bytes.
    expect((await get('rss.xml', { 'if-none-match': before! })).status).toBe(200);
  });

  it('backs a failing channel off while the others keep updating', async () => {
    const health = (await (await get('healthz')).json()) as { status: string; channels: { key: string; consecutiveFailures: number; lastError?: string }[] };
    const broken = health.channels.find((c) => c.key === 'test/broken/main')!;
    expect(health.status).toBe('degraded');
    expect(broken.consecutiveFailures).toBeGreaterThanOrEqual(1);
    expect(broken.lastError).toMatch(/500/);
    // Every-second schedule, but after a failure the next try waits a minute.
    expect(hits['/broken.xml']).toBeLessThanOrEqual(2);
    expect(hits['/alpha.xml']).toBeGreaterThan(hits['/broken.xml']);
  });

  it('shows the failing channel on index.html without waiting for a feed to change, with its reason and since when', async () => {
    const page = await eventually(async () => {
      const html = await (await get('')).text();
      return html.includes('class="badge failing"') ? html : undefined;
    }, 20_000, 'the failing badge on index.html');
    const section = page.slice(page.indexOf('id="feed-test--broken--main"')).split('</section>')[0];
    expect(section).toMatch(/<p class="health failing">failing: never fetched successfully: <code>http-status: [^<]*500/);
    expect(page).toMatch(/<p class="summary">2 channels: 1 ok, 1 failing \(<a href="#feed-test--broken--main">Broken \/ Main<\/a>\)<\/p>/);
    expect(page).toMatch(/<p class="updated">Updated <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time><\/p>/);
  });

  it('serves Prometheus metrics: per channel, per publish, and the process', async () => {
    const r = await get('metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1]);
    expect(value(/^refeed_channel_fetches_total\{channel="test\/alpha\/main",outcome="new"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^refeed_channel_fetches_total\{channel="test\/broken\/main",outcome="error"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^refeed_channel_items_ingested_total\{channel="test\/alpha\/main"\} (\d+)$/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^refeed_channel_consecutive_failures\{channel="test\/broken\/main"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^refeed_channel_items\{channel="test\/alpha\/main"\} (\d+)$/m)).toBe(2);
    expect(value(/^refeed_channel_last_success_timestamp_seconds\{channel="test\/alpha\/main"\} ([\d.]+)$/m) * 1000).toBeGreaterThan(Date.now() - 120_000);
    expect(value(/^refeed_publish_duration_seconds_count (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^refeed_publish_files_written_total (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('adds a channel on SIGHUP and rejects an invalid reload', async () => {
    appendFileSync(configFile, `      - name: Gamma\n        channels:\n          - name: Main\n            url: ${upstream.url}/gamma.xml\n`);
    proc.child.kill('SIGHUP');
    await eventually(async () => (await (await get('test/gamma/main/rss.xml')).text()).includes('Gamma one'), 20_000, 'Gamma feed');
    expect(await (await get('rss.xml')).text()).toContain('Gamma one');

    appendFileSync(configFile, `      - name: Bad\n        bogus_key: 1\n`);
    proc.child.kill('SIGHUP');
    await proc.waitFor(/configuration reload rejected/);
    expect(proc.stderr()).toMatch(/bogus_key/);
    expect((await get('healthz')).status).toBe(200);
  });

  it('exits 0 on SIGTERM within a few seconds', async () => {
    const t0 = Date.now();
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(proc.stderr()).toMatch(/"msg":"stopped"/);
  });
});

describe('refeed run --watch', () => {
  it('reloads when the config file changes, with no signal', async () => {
    const upstream = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('w', [{ id: 'w1', title: 'Watched one' }])));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-watch-'));
    const file = path.join(dir, 'refeed.yaml');
    const head = `site: { output: out, state: state.db }\ndefaults: { schedule: "* * * * * *", allow_private: true }\ngroups:\n  - name: W\n    sources:\n      - name: S\n        channels:\n`;
    writeFileSync(file, `${head}          - { name: one, url: "${upstream.url}/one.xml" }\n`);
    const proc = startRefeed(['run', '--config', file, '--no-serve', '--watch']);
    try {
      await proc.waitFor(/"msg":"refeed running"/);
      writeFileSync(file, `${head}          - { name: one, url: "${upstream.url}/one.xml" }\n          - { name: two, url: "${upstream.url}/two.xml" }\n`);
      const m = await proc.waitFor(/\{[^\n]*"why":"file changed"[^\n]*"msg":"configuration reloaded"[^\n]*\}/);
      expect(JSON.parse(m[0]).added).toEqual(['w/s/two']);
      await eventually(() => upstream.requests.some((r) => r.path === '/two.xml'), 10_000, 'a fetch of the new channel');
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await upstream.close();
    }
  });
});
