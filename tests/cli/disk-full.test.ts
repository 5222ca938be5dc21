import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { eventually, REPO, runRefeed, startRefeed } from '../helpers/refeed-process.ts';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';

// Issue 20: a full disk was reported as a refeed bug (`internal: unexpected
// error: ENOSPC …`), followed by a "file missing (deleted?)" warning per
// article, `once` exited 0 although its publish failed, and /healthz said
// error while lastSuccessAt kept advancing. The disk is made full by a
// preload that fails every open-for-writing under the output folder with
// ENOSPC (tests/helpers/disk-full-preload.mjs).

const PRELOAD = path.join(REPO, 'tests/helpers/disk-full-preload.mjs');

const item = (n: number) => `<item><title>Post ${n}</title><link>https://a.example/${n}</link><guid>p-${n}</guid><pubDate>Mon, 0${n} Jan 2024 00:00:00 GMT</pubDate><description>body ${n}</description></item>`;
const rss = (n: number) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>${Array.from({ length: n }, (_, i) => item(i + 1)).join('')}</channel></rss>`;
const itemsIn = (file: string) => (readFileSync(file, 'utf8').match(/<item>/g) ?? []).length;

let posts = 3;
let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer((req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(posts)));
});
afterAll(async () => void (await upstream?.close()));

function lastSuccessOf(state: string): number | null {
  const store = new SqliteStore(state);
  try {
    return (store.db.prepare('SELECT last_success_at AS t FROM channels WHERE key IS NOT NULL').get() as { t: number | null }).t;
  } finally {
    void store.close();
  }
}

describe('a full disk under `refeed once`', () => {
  it('is a `disk` error naming the file, with no cascade; once exits 1; nothing is lost and the next run catches up', async () => {
    posts = 3;
    const file = writeTempConfig(oneSourceYaml([`{ name: c, url: "${upstream.url}/feed.xml" }`]), 'refeed-disk-');
    const dir = path.dirname(file);
    const out = path.join(dir, 'out');
    const state = path.join(dir, 'state.db');
    const once = (env: Record<string, string> = {}) => runRefeed(['once', '--all', '-c', file], env);

    const first = await once();
    expect(first.code, first.stderr).toBe(0);
    expect(itemsIn(path.join(out, 'rss.xml'))).toBe(3);
    const before = lastSuccessOf(state)!;
    expect(before).toBeGreaterThan(0);

    posts = 5;
    const full = await once({ NODE_OPTIONS: `--import ${PRELOAD}`, REFEED_TEST_DISK_FULL_UNDER: out });
    expect(full.code, full.stderr).toBe(1);
    expect(full.stdout).toMatch(/g\/s\/c\s+error\s+disk: no space left on device writing \/\S+\/out\/articles\/g\/s\/\w+\.md/);
    expect(full.stderr).toMatch(/refeed once: publish failed: .*disk: no space left on device writing/);
    expect(full.stderr).not.toMatch(/internal|unexpected error/);
    expect(full.stderr).not.toMatch(/file missing|deleted\?/);
    // One line for the channel, one for the pending files, one for the publish: not one per article.
    expect((full.stderr.match(/no space left on device/g) ?? []).length).toBeLessThanOrEqual(4);
    // The feed is as last published, and the pass that failed is not a success.
    expect(itemsIn(path.join(out, 'rss.xml'))).toBe(3);
    expect(lastSuccessOf(state)).toBe(before);

    const freed = await once();
    expect(freed.code, freed.stderr).toBe(0);
    expect(itemsIn(path.join(out, 'rss.xml'))).toBe(5);
    expect(lastSuccessOf(state)!).toBeGreaterThan(before);
  }, 60_000);
});

describe('a full disk under `refeed run`', () => {
  it('/healthz reports the failed publish (degraded, `disk: …`) and recovers once the disk takes files', async () => {
    posts = 3;
    const file = writeTempConfig(oneSourceYaml([`{ name: c, url: "${upstream.url}/feed.xml" }`], 'schedule: "*/1 * * * * *"'), 'refeed-disk-run-');
    const dir = path.dirname(file);
    const out = path.join(dir, 'out');
    const flag = path.join(dir, 'disk-is-full');
    writeFileSync(flag, '');
    const p = startRefeed(['run', '-c', file, '--port', '0'], { NODE_OPTIONS: `--import ${PRELOAD}`, REFEED_TEST_DISK_FULL_UNDER: out, REFEED_TEST_DISK_FULL_FLAG: flag });
    try {
      const [, base] = await p.waitFor(/refeed: serving (http:\/\/\S+)/);
      const health = async () => (await (await fetch(`${base.replace(/\/$/, '')}/healthz`)).json()) as {
        status: string;
        publish?: { status: string; lastError?: string; lastSuccessAt?: string };
        channels: { lastSuccessAt?: string; lastError?: string }[];
      };
      const failing = await eventually(async () => {
        const h = await health();
        return h.publish?.status === 'error' && h.channels[0]?.lastError ? h : undefined;
      }, 20_000, 'a failed publish in /healthz');
      expect(failing.status).toBe('degraded');
      expect(failing.publish!.lastError).toMatch(/^disk: no space left on device writing \//);
      expect(failing.publish!.lastSuccessAt).toBeUndefined();
      expect(failing.channels[0].lastError).toMatch(/^disk: no space left on device writing \//);
      // Its fetches stored their rows, but no pass finished: none is a success.
      expect(failing.channels[0].lastSuccessAt).toBeUndefined();
      expect(p.stderr()).not.toMatch(/"code":"internal"|unexpected error|file missing/);
      // Later passes (one a second) read the feed again, but its articles are still not on disk: none is a success either.
      await new Promise((r) => setTimeout(r, 2500));
      const still = await health();
      expect(still.channels[0].lastError).toMatch(/^disk: no space left on device writing \//);
      expect(still.channels[0].lastSuccessAt).toBeUndefined();

      rmSync(flag);
      posts = 4; // something new, so the daemon publishes again
      const healthy = await eventually(async () => {
        const h = await health();
        return h.publish?.status === 'ok' && h.channels[0]?.lastSuccessAt ? h : undefined;
      }, 20_000, 'a publish after the disk was freed');
      expect(healthy.publish!.lastError).toBeUndefined();
      expect(existsSync(path.join(out, 'rss.xml'))).toBe(true);
      await eventually(() => itemsIn(path.join(out, 'rss.xml')) === 4, 20_000, 'the feed with every item');
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, 60_000);
});
