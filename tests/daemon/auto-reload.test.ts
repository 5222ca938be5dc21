import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitConfig } from '../../src/cli/config-file.ts';
import { addChannel } from '../../src/config/index.ts';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { rss } from '../hostile/feeds.ts';

// Issue 21, item 4: the daemon notices a changed configuration file by itself
// (watched by default, debounced) and reloads as SIGHUP does; an invalid file
// is logged with its line and the running configuration goes on serving and
// publishing; fixing the file reloads it.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Loopback feeds: /<name>.xml has "Item of <name>", and "Fresh of <name>" once `fresh` holds the name. */
async function startUpstream(fresh: Set<string>): Promise<TestServer> {
  return startServer((req, res) => {
    const name = (req.url ?? '/').slice(1).replace(/\.xml$/, '');
    const items = [{ guid: `${name}-1`, title: `Item of ${name}`, link: `https://up.example/${name}/1`, date: new Date(Date.UTC(2024, 0, 1)), html: `<p>${name}</p>` }];
    if (fresh.has(name)) items.push({ guid: `${name}-2`, title: `Fresh of ${name}`, link: `https://up.example/${name}/2`, date: new Date(Date.UTC(2024, 0, 2)), html: `<p>fresh ${name}</p>` });
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(rss(name, items));
  });
}

/** The configuration, written by hand as a person would; `extra` are more channel lines. */
function configText(upstream: string, channels: string[], extra = ''): string {
  return `site:
  title: Auto
  url: http://127.0.0.1/
  output: out
  state: state.db
defaults:
  schedule: "* * * * * *"
  timeout: 5s
  allow_private: true
groups:
  - name: G
    sources:
      - name: S
        channels:
${channels.map((c) => `          - name: ${c}\n            url: ${upstream}/${c}.xml\n`).join('')}${extra}`;
}

async function get(port: number, p: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/${p}`);
}
const body = async (port: number, p: string) => (await get(port, p)).text();

describe('refeed run reloads a changed configuration by itself (no signal, no --watch)', () => {
  const fresh = new Set<string>();
  let upstream: TestServer;
  let dir: string;
  let file: string;
  let proc: RefeedProcess;
  let port: number;

  beforeAll(async () => {
    upstream = await startUpstream(fresh);
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-autoreload-'));
    file = path.join(dir, 'refeed.yaml');
    writeFileSync(file, configText(upstream.url, ['alpha']));
    proc = startRefeed(['run', '--config', file, '--port', '0'], { REFEED_LOG_LEVEL: 'info' });
    port = Number((await proc.waitFor(/serving http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    await proc.waitFor(/"msg":"refeed running"/);
    await eventually(async () => (await body(port, 'rss.xml')).includes('Item of alpha'), 20_000, 'alpha published');
  }, 40_000);

  afterAll(async () => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an edit that adds a channel: its feed is published within a few seconds', async () => {
    const before = proc.stderr().length;
    const t0 = Date.now();
    writeFileSync(file, configText(upstream.url, ['alpha', 'beta']));
    await eventually(async () => (await body(port, 'g/s/beta/rss.xml')).includes('Item of beta'), 10_000, 'the new channel published');
    expect(Date.now() - t0).toBeLessThan(10_000);
    const log = proc.stderr().slice(before);
    const line = log.split('\n').find((l) => l.includes('"msg":"configuration reloaded"'));
    expect(line, log).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ why: 'file changed', added: ['g/s/beta'] });
  }, 20_000);

  it('an invalid edit: the problem is logged with its line, and the running configuration keeps serving and publishing', async () => {
    const before = proc.stderr().length;
    const bad = configText(upstream.url, ['alpha', 'beta'], `          - name: gamma\n            url: ${upstream.url}/gamma.xml\n            schedule: */2 * * * * *\n`);
    const badLine = bad.split('\n').findIndex((l) => l.includes('*/2')) + 1;
    writeFileSync(file, bad);
    await eventually(() => proc.stderr().slice(before).includes('configuration reload rejected'), 10_000, 'the reload rejected');
    const line = proc.stderr().slice(before).split('\n').find((l) => l.includes('configuration reload rejected'))!;
    const entry = JSON.parse(line);
    expect(entry.problems).toEqual([`line ${badLine}: schedule: quote the cron expression: schedule: "*/2 * * * * *"`]);
    expect(entry.msg).toContain(`line ${badLine}: schedule: quote the cron expression`);
    expect(entry.why).toBe('file changed');

    // Still serving, healthy, and saying the file on disk is not what runs.
    const health = await get(port, 'healthz');
    expect(health.status).toBe(200);
    const report = (await health.json()) as { status: string; configReload?: { status: string; problems: number }; channels: { key: string }[] };
    expect(report.status).toBe('ok');
    expect(report.configReload).toMatchObject({ status: 'rejected', problems: 1 });
    expect(report.channels.map((c) => c.key).sort()).toEqual(['g/s/alpha', 'g/s/beta']);
    // Still publishing with the old configuration: a new upstream item reaches the feed.
    fresh.add('alpha');
    await eventually(async () => (await body(port, 'g/s/alpha/rss.xml')).includes('Fresh of alpha'), 15_000, 'a new item published after the rejected reload');
    expect((await get(port, 'g/s/gamma/rss.xml')).status).toBe(404);
    expect(proc.stderr().slice(before)).not.toContain('"msg":"configuration reloaded"');
  }, 30_000);

  it('fixing the file reloads it', async () => {
    const before = proc.stderr().length;
    writeFileSync(file, configText(upstream.url, ['alpha', 'beta'], `          - name: gamma\n            url: ${upstream.url}/gamma.xml\n            schedule: "*/2 * * * * *"\n`));
    await eventually(async () => (await body(port, 'g/s/gamma/rss.xml')).includes('Item of gamma'), 10_000, 'gamma published after the fix');
    expect(proc.stderr().slice(before)).toMatch(/"why":"file changed"[^\n]*"added":\["g\/s\/gamma"\][^\n]*"msg":"configuration reloaded"/);
    const report = (await (await get(port, 'healthz')).json()) as { configReload?: unknown };
    expect(report.configReload).toBeUndefined();
  }, 20_000);

  it('`sources add` from another process (an atomic write by rename) is picked up', async () => {
    const text = readFileSync(file, 'utf8');
    // The edit and the write `refeed sources add` makes: a new file renamed over the old one.
    const { text: next } = addChannel(text, file, { group: 'G', source: 'S', channel: 'delta', url: `${upstream.url}/delta.xml` });
    commitConfig(file, text, next);
    await eventually(async () => (await body(port, 'g/s/delta/rss.xml')).includes('Item of delta'), 10_000, 'delta published');
  }, 20_000);

  it('an edit that removes every channel is refused, and the feeds stay', async () => {
    const before = proc.stderr().length;
    writeFileSync(file, 'site: { output: out, state: state.db }\ngroups: []\n');
    await eventually(() => proc.stderr().slice(before).includes('configuration reload refused: it would remove every channel'), 10_000, 'the reload refused');
    await sleep(1500);
    expect(await body(port, 'rss.xml')).toContain('Item of delta');
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  }, 20_000);
});

describe('refeed run --no-watch', () => {
  it('leaves an edited file alone until SIGHUP', async () => {
    const upstream = await startUpstream(new Set());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-nowatch-'));
    const file = path.join(dir, 'refeed.yaml');
    writeFileSync(file, configText(upstream.url, ['alpha']));
    const proc = startRefeed(['run', '--config', file, '--no-serve', '--no-watch'], { REFEED_LOG_LEVEL: 'info' });
    try {
      await proc.waitFor(/"msg":"refeed running"/);
      writeFileSync(file, configText(upstream.url, ['alpha', 'beta']));
      await sleep(2000);
      expect(proc.stderr()).not.toContain('configuration reloaded');
      expect(upstream.requests.some((r) => r.path === '/beta.xml')).toBe(false);
      proc.child.kill('SIGHUP');
      const m = await proc.waitFor(/\{[^\n]*"why":"SIGHUP"[^\n]*"msg":"configuration reloaded"[^\n]*\}/, 10_000);
      expect(JSON.parse(m[0]).added).toEqual(['g/s/beta']);
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
