import { closeSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { rss } from '../hostile/feeds.ts';

// Issue 20, item 4: an empty or cut-short configuration must never empty the
// published feeds. `: > refeed.yaml; kill -HUP` used to "remove" every channel
// (rss.xml with 0 items, /healthz ok with no channels), and with --watch an
// editor's truncate-then-write save served an empty feed for about 2 s.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function configText(upstream: string, title: string, channels: string[]): string {
  return stringify({
    site: { title, url: 'http://127.0.0.1/', output: 'out', state: 'state.db' },
    defaults: { schedule: '* * * * * *', timeout: '5s', allow_private: true },
    groups: [{ name: 'G', sources: [{ name: 'S', channels: channels.map((c) => ({ name: c, url: `${upstream}/${c}.xml` })) }] }],
  });
}

async function startUpstream(): Promise<TestServer> {
  return startServer((req, res) => {
    const name = (req.url ?? '/').slice(1).replace(/\.xml$/, '');
    const item = { guid: `${name}-1`, title: `Item of ${name}`, link: `https://up.example/${name}/1`, date: new Date(Date.UTC(2024, 0, 1)), html: `<p>${name}</p>` };
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(rss(name, [item]));
  });
}

async function feed(port: number, p = 'rss.xml'): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/${p}`)).text();
}

/** A daemon on `file` with both channels' items published; its port. */
async function startDaemon(file: string, extra: string[] = []): Promise<{ proc: RefeedProcess; port: number }> {
  const proc = startRefeed(['run', '--config', file, '--port', '0', ...extra], { REFEED_LOG_LEVEL: 'info' });
  const port = Number((await proc.waitFor(/serving http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  await proc.waitFor(/"msg":"refeed running"/);
  await eventually(async () => {
    const body = await feed(port);
    return body.includes('Item of alpha') && body.includes('Item of beta');
  }, 20_000, 'both channels published');
  return { proc, port };
}

describe('reloading an empty or cut-short configuration (SIGHUP)', () => {
  let upstream: TestServer;
  let dir: string;
  let file: string;
  let proc: RefeedProcess;
  let port: number;

  beforeAll(async () => {
    upstream = await startUpstream();
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-reload-'));
    file = path.join(dir, 'refeed.yaml');
    writeFileSync(file, configText(upstream.url, 'Before', ['alpha', 'beta']));
    ({ proc, port } = await startDaemon(file));
  }, 40_000);

  afterAll(async () => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `text`, sends SIGHUP, and waits for the reload's `n`-th verdict line matching `re`. */
  async function hup(text: string, re: RegExp): Promise<string> {
    const before = proc.stderr().length;
    writeFileSync(file, text);
    proc.child.kill('SIGHUP');
    await eventually(() => re.test(proc.stderr().slice(before)), 10_000, `${re} after SIGHUP`);
    return proc.stderr().slice(before);
  }

  it.each([
    ['a 0-byte file', ''],
    ['a whitespace-only file', '  \n\n\t\n'],
    ['a file cut short before its groups', 'site:\n  title: After\n  output: out\n'],
    ['a file cut short inside its first group', 'site: { output: out, state: state.db }\ngroups:\n  - name: G\n'],
  ])('rejects %s, keeping every channel published', async (_, text) => {
    const log = await hup(text, /configuration reload rejected/);
    expect(log).toMatch(/no channels/);
    expect(log).not.toMatch(/"msg":"configuration reloaded"/);
    // A publish would have happened within its one-second delay: none empties anything.
    await sleep(1500);
    const body = await feed(port);
    expect(body).toContain('Item of alpha');
    expect(body).toContain('Item of beta');
    expect(body).toContain('<title>Before</title>');
    const health = JSON.parse(await feed(port, 'healthz'));
    expect(JSON.stringify(health)).toContain('g/s/alpha');
  });

  it('refuses an explicitly empty configuration on reload: running with none takes a restart', async () => {
    const empty = stringify({ site: { title: 'Empty', output: 'out', state: 'state.db' }, groups: [] });
    const log = await hup(empty, /configuration reload refused: it would remove every channel/);
    expect(log).not.toMatch(/"msg":"configuration reloaded"/);
    await sleep(1500);
    expect(await feed(port)).toContain('Item of beta');
  });

  it('still applies a good reload afterwards', async () => {
    const log = await hup(configText(upstream.url, 'After', ['alpha', 'beta']), /"msg":"configuration reloaded"/);
    expect(log).not.toMatch(/reload (rejected|refused)/);
    await eventually(async () => (await feed(port)).includes('<title>After</title>'), 10_000, 'the new title published');
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });
});

describe('refeed run --watch and an editor-style save', () => {
  it('never publishes an empty or partial configuration while the file is truncated and rewritten', async () => {
    const upstream = await startUpstream();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-watch-save-'));
    const file = path.join(dir, 'refeed.yaml');
    writeFileSync(file, configText(upstream.url, 'Before', ['alpha', 'beta']));
    const { proc, port } = await startDaemon(file, ['--watch']);
    try {
      // Keep reading the merged feed while the file is saved.
      const seen: string[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          seen.push(await feed(port));
          await sleep(100);
        }
      })();

      // Truncate, then write the new file in two parts, each gap longer than the old 300 ms debounce.
      const next = configText(upstream.url, 'After', ['alpha', 'beta']);
      const cut = next.indexOf('- name: beta'); // the first part parses: it has alpha only
      const fd = openSync(file, 'w');
      await sleep(400);
      writeSync(fd, next.slice(0, cut));
      await sleep(400);
      writeSync(fd, next.slice(cut));
      closeSync(fd);

      await eventually(async () => (await feed(port)).includes('<title>After</title>'), 15_000, 'the saved file applied');
      await sleep(1500);
      polling = false;
      await poller;

      expect(seen.length).toBeGreaterThan(10);
      const bad = seen.filter((b) => !b.includes('Item of alpha') || !b.includes('Item of beta'));
      expect(bad, 'a published feed lost items during the save').toEqual([]);
      // One reload, of the whole file: nothing was ever removed.
      expect(proc.stderr()).not.toMatch(/"removed":\["g\/s\/beta"\]/);
      expect(proc.stderr().match(/"msg":"configuration reloaded"/g)?.length).toBe(1);

      // An editor that saves by writing a new file and renaming it over the old one is followed too.
      const temp = path.join(dir, '.refeed.yaml.swp');
      writeFileSync(temp, configText(upstream.url, 'Renamed', ['alpha', 'beta']));
      renameSync(temp, file);
      await eventually(async () => (await feed(port)).includes('<title>Renamed</title>'), 15_000, 'the renamed file applied');
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
