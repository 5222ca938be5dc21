import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sfeedItems } from '../helpers/feed-clients.ts';
import { eventually, runRefeed, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { item, startUpstream, type Upstream } from './site.ts';

// Issue 20 item 2: a lost state (state.db moved away, emptied, or deleted under
// a running daemon) never reaches the output. Real processes, real files.

let up: Upstream;
const dirs: string[] = [];
const daemons: RefeedProcess[] = [];
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  await up?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const FIVE = [1, 2, 3, 4, 5].map((n) => item(n));

function site(feed: string, schedule = '0 0 1 1 *') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-lost-'));
  dirs.push(dir);
  const file = path.join(dir, 'refeed.yaml');
  writeFileSync(
    file,
    stringify({
      site: { title: 'lost', url: 'http://127.0.0.1/', output: 'out', state: 'state.db' },
      defaults: { allow_private: true, schedule, timeout: '3s' },
      groups: [{ name: 'G', sources: [{ name: 'S', channels: [{ name: feed, url: up.url(feed) }] }] }],
    }),
  );
  const out = path.join(dir, 'out');
  const state = path.join(dir, 'state.db');
  const titles = (feedPath = 'rss.xml') => sfeedItems(readFileSync(path.join(out, feedPath), 'utf8')).map((i) => i.title);
  return { dir, file, out, state, titles, refeed: (...args: string[]) => runRefeed([...args, '--config', file], { REFEED_LOG_LEVEL: 'warn' }) };
}

const feedPaths = (feed: string) => ['rss.xml', 'atom.xml', 'feed.json', `g/s/${feed}/rss.xml`, 'g/rss.xml'];

describe('a command that finds a new or empty state beside article files', () => {
  it('publish after state.db was moved away restores it from the article files first: the feeds keep their 5 items', async () => {
    up.feeds.set('moved', FIVE);
    const s = site('moved');
    expect((await s.refeed('once', '--all')).code).toBe(0);
    expect(s.titles()).toHaveLength(5);
    const feeds = new Map(feedPaths('moved').map((f) => [f, readFileSync(path.join(s.out, f), 'utf8')]));
    renameSync(s.state, path.join(s.dir, 'elsewhere.db'));

    // status (read-only) names the fix, and keeps stdout clean for --json.
    const status = await s.refeed('status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toHaveLength(1);
    expect(status.stderr).toMatch(/holds no articles.*article files.*refeed reindex/);

    const r = await s.refeed('publish');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/refeed publish: the state .*state\.db held no articles .* restored 5 articles from 5 files first, as `refeed reindex` does/);
    expect(s.titles()).toHaveLength(5);
    for (const [f, text] of feeds) expect(readFileSync(path.join(s.out, f), 'utf8'), f).toBe(text);
    // Restored once: the next command finds a full state and says nothing.
    const again = await s.refeed('publish');
    expect(again.stderr).not.toMatch(/held no articles/);
    expect((await s.refeed('status')).stderr).not.toMatch(/reindex/);
  });

  it('a 0-byte state.db is an empty state too: once restores it, fetches, and publishes every item', async () => {
    up.feeds.set('emptied', FIVE);
    const s = site('emptied');
    expect((await s.refeed('once', '--all')).code).toBe(0);
    truncateSync(s.state, 0);
    expect((await s.refeed('status')).stderr).toMatch(/holds no articles.*refeed reindex/);
    up.feeds.set('emptied', [...FIVE, item(6)]);
    const r = await s.refeed('once', '--all');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/restored 5 articles from 5 files first/);
    expect(s.titles().sort()).toEqual(['Item 1', 'Item 2', 'Item 3', 'Item 4', 'Item 5', 'Item 6']);
  });

  it('fetch on a state deleted outright restores it before storing anything, so ids are kept', async () => {
    up.feeds.set('fetched', FIVE);
    const s = site('fetched');
    expect((await s.refeed('once', '--all')).code).toBe(0);
    const files = readFileSync(path.join(s.out, 'rss.xml'), 'utf8');
    rmSync(s.state);
    const r = await s.refeed('fetch');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/restored 5 articles/);
    expect((await s.refeed('publish', '--full')).code).toBe(0);
    expect(readFileSync(path.join(s.out, 'rss.xml'), 'utf8')).toBe(files);
  });
});

describe('a state file lost under a running daemon', () => {
  const start = async (s: ReturnType<typeof site>) => {
    const p = startRefeed(['run', '--config', s.file, '--port', '0']);
    daemons.push(p);
    const base = (await p.waitFor(/serving (http:\/\/127\.0\.0\.1:\d+\/)/))[1];
    return { p, get: (f: string) => fetch(new URL(f, base)) };
  };
  const stop = async (p: RefeedProcess) => {
    p.child.kill('SIGTERM');
    return p.exited;
  };

  it('deleted: detected, logged, /healthz 503 with the reason, the feeds left as they were; a restart restores it', async () => {
    up.feeds.set('daemon', FIVE);
    const s = site('daemon', '* * * * * *');
    const { p, get } = await start(s);
    await eventually(() => existsSync(path.join(s.out, 'rss.xml')) && s.titles().length === 5, 20_000, '5 items published');
    expect((await get('healthz')).status).toBe(200);
    const feeds = new Map(feedPaths('daemon').map((f) => [f, readFileSync(path.join(s.out, f), 'utf8')]));

    for (const suffix of ['', '-wal', '-shm']) rmSync(s.state + suffix, { force: true });
    await p.waitFor(/"code":"state-lost".*was deleted under this running refeed/, 15_000);
    const health = await get('healthz');
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; error: string };
    expect(body).toMatchObject({ status: 'error', error: expect.stringMatching(/state\.db was deleted/) });
    // status, from another process, sees no state beside the article files and names the fix.
    expect((await s.refeed('status')).stderr).toMatch(/holds no articles.*refeed reindex.*restarted/);
    // A new upstream item is neither stored nor published while the state is lost.
    up.feeds.set('daemon', [...FIVE, item(6)]);
    await new Promise((r) => setTimeout(r, 3000));
    for (const [f, text] of feeds) expect(readFileSync(path.join(s.out, f), 'utf8'), f).toBe(text);
    expect(existsSync(s.state)).toBe(false);
    expect((await stop(p)).code).toBe(0);

    // Restarted: the state comes back from the article files first, then the new item joins the 5.
    const again = await start(s);
    await again.p.waitFor(/restored 5 articles from 5 files first/);
    await eventually(() => s.titles().length === 6, 20_000, '6 items published');
    expect((await again.get('healthz')).status).toBe(200);
    expect((await stop(again.p)).code).toBe(0);
  });

  it('replaced by another file: detected as replaced, never published from', async () => {
    up.feeds.set('swapped', FIVE);
    const s = site('swapped', '* * * * * *');
    const { p, get } = await start(s);
    await eventually(() => existsSync(path.join(s.out, 'rss.xml')) && s.titles().length === 5, 20_000, '5 items published');
    const feeds = new Map(feedPaths('swapped').map((f) => [f, readFileSync(path.join(s.out, f), 'utf8')]));
    renameSync(s.state, path.join(s.dir, 'old.db'));
    writeFileSync(s.state, '');
    await p.waitFor(/"code":"state-lost".*was replaced under this running refeed/, 15_000);
    expect((await get('healthz')).status).toBe(503);
    up.feeds.set('swapped', [...FIVE, item(6)]);
    await new Promise((r) => setTimeout(r, 3000));
    for (const [f, text] of feeds) expect(readFileSync(path.join(s.out, f), 'utf8'), f).toBe(text);
    expect((await stop(p)).code).toBe(0);
  });
});
