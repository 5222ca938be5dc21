import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/cli/metrics.ts';
import { splitGlobalOptions } from '../../src/cli/main.ts';
import { displayWidth, fitTable, tableWidth } from '../../src/cli/text-table.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { ChannelState } from '../../src/core/types.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { runRefeed, startRefeed } from '../helpers/refeed-process.ts';
import { writeTempConfig } from '../helpers/config-file.ts';

// Issue 22, operator edges: global options before the command, the run lock's
// wait said at once, status and sources list at 80 columns, and a metric
// sample for every configured channel.

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<item><title>Hello</title><link>https://a.example/1</link></item></channel></rss>`;

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer(routes({ '/ok.xml': { body: FEED } }));
});
afterAll(async () => {
  await upstream.close();
});

/** Long names and a long failing URL: what made status 288 characters wide. */
function longConfig(extra = ''): string {
  return writeTempConfig(`site: { output: out, state: state.db, lock_wait: 3s${extra} }
defaults: { allow_private: true }
groups:
  - name: 新媒体与互联网产品设计
    sources:
      - name: 人人都是产品经理的每日精选文章
        channels:
          - { name: 最新文章与深度报道, url: "${upstream.url}/ok.xml" }
          - { name: A channel whose feed is missing entirely, url: "${upstream.url}/this/path/is/rather/long/and/does/not/exist/feed.xml?page=1&format=rss" }
`, 'refeed-edges-');
}

describe('global options', () => {
  it('are read before the command as after it', () => {
    expect(splitGlobalOptions(['--log-level', 'warn', 'status'])).toEqual({ name: 'status', args: ['--log-level', 'warn'] });
    expect(splitGlobalOptions(['-c', 'x.yaml', '--log-level=error', 'sources', 'list', '--json'])).toEqual({
      name: 'sources',
      args: ['-c', 'x.yaml', '--log-level=error', 'list', '--json'],
    });
    expect(splitGlobalOptions(['--config=x.yaml', 'once', '--all'])).toEqual({ name: 'once', args: ['--config=x.yaml', '--all'] });
    expect(splitGlobalOptions(['-cx.yaml', 'status'])).toEqual({ name: 'status', args: ['-c', 'x.yaml'] });
    expect(splitGlobalOptions(['status', '--log-level', 'warn'])).toEqual({ name: 'status', args: ['--log-level', 'warn'] });
    expect(splitGlobalOptions(['--log-level'])).toBe('--log-level needs a value');
    expect(splitGlobalOptions(['--log-levle', 'warn', 'status'])).toMatch(/unknown global option --log-levle.*--log-level/);
  });

  it('work through the real CLI: refeed --log-level warn status, refeed --config FILE once', async () => {
    const file = longConfig();
    const once = await runRefeed(['--log-level', 'silent', '--config', file, 'once']);
    expect(once.code).toBe(0);
    // silent: no log line at all, although a channel failed (logged at warn or error otherwise)
    expect(once.stderr).not.toMatch(/"level"/);
    const loud = await runRefeed(['--config', file, 'once', '--all']);
    expect(loud.stderr).toMatch(/"level"/);

    const status = await runRefeed(['--log-level', 'warn', 'status', '--config', file, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toHaveLength(2);
    const bad = await runRefeed(['--bogus', 'status']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/refeed: unknown global option --bogus/);
  });
});

describe('the run lock', () => {
  const lockOf = (config: string) => path.join(path.dirname(config), 'state.db.lock');
  const holdLock = (config: string) =>
    writeFileSync(lockOf(config), JSON.stringify({ pid: process.pid, host: os.hostname(), since: Date.now(), what: 'refeed run' }));

  it('says at once who holds it, then that it gave up', async () => {
    const file = longConfig();
    holdLock(file);
    const p = startRefeed(['once', '--config', file], { REFEED_LOG_LEVEL: 'silent' });
    await p.waitFor(/refeed once: waiting up to 3 s for the run lock, held by another refeed run \(pid (\d+), refeed run\)/, 15_000);
    const saidAt = Date.now();
    expect(p.stderr()).toContain(`pid ${process.pid}, refeed run`);
    expect(p.stderr()).not.toMatch(/holds the lock/);
    expect(p.child.exitCode).toBeNull();
    const { code } = await p.exited;
    // Said when the wait began, not when it ended: the 3 s of waiting came after it (load only delays the start).
    expect(Date.now() - saidAt).toBeGreaterThan(2000);
    expect(code).toBe(0);
    expect(p.stderr()).toMatch(/refeed once: another refeed run \(pid \d+, refeed run\) holds the lock; waited 3 s, nothing done/);
    expect(p.stderr()).not.toMatch(/got the run lock/);
  });

  it('says when it got the lock after waiting', async () => {
    const file = longConfig();
    holdLock(file);
    const p = startRefeed(['once', '--config', file], { REFEED_LOG_LEVEL: 'silent' });
    await p.waitFor(/waiting up to 3 s for the run lock/, 10_000);
    rmSync(lockOf(file));
    await p.waitFor(/refeed once: got the run lock after waiting \d+(\.\d)? s/, 10_000);
    expect((await p.exited).code).toBe(0);
    expect(p.stdout()).toMatch(/2 channels, 1 failed/);
  });

  it('says nothing about waiting when the lock is free', async () => {
    const r = await runRefeed(['once', '--config', longConfig()], { REFEED_LOG_LEVEL: 'silent' });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/run lock/);
  });
});

describe('status and sources list at 80 columns', () => {
  let file: string;
  beforeAll(async () => {
    file = longConfig();
    expect((await runRefeed(['once', '--config', file])).code).toBe(0);
  });
  const lines = (s: string) => s.trimEnd().split('\n');

  for (const command of [['status'], ['sources', 'list']]) {
    it(`${command.join(' ')} fits COLUMNS=80, shows everything with --wide, and --json is unchanged`, async () => {
      const narrow = await runRefeed([...command, '--config', file], { COLUMNS: '80' });
      expect(narrow.code).toBe(0);
      const rows = lines(narrow.stdout);
      for (const l of rows) expect(displayWidth(l), l).toBeLessThanOrEqual(80);
      // Each channel still has its row with its name, and the error is all there, wrapped under it.
      const text = rows.join('\n');
      // (a name too long is cut in the middle: its end, the channel's own name, stays)
      expect(text).toMatch(/深度报道/);
      expect(text).toMatch(/entirely/);
      const joined = rows.map((l) => l.trim()).join(' ');
      expect(joined).toMatch(/http-status: HTTP 404|404/);

      const wide = await runRefeed([...command, '--config', file, '--wide'], { COLUMNS: '80' });
      expect(wide.code).toBe(0);
      expect(lines(wide.stdout)).toHaveLength(3);
      expect(Math.max(...lines(wide.stdout).map(displayWidth))).toBeGreaterThan(80);
      expect(wide.stdout).toMatch(/\/xin-mei-ti/);

      // Piped with no COLUMNS: one line per channel, as scripts expect.
      const piped = await runRefeed([...command, '--config', file], { COLUMNS: '' });
      const noAge = (t: string) => t.replace(/\d+[smhd] ago/g, 'ago');
      expect(noAge(piped.stdout)).toBe(noAge(wide.stdout));

      const json80 = await runRefeed([...command, '--config', file, '--json'], { COLUMNS: '80' });
      const json = await runRefeed([...command, '--config', file, '--json'], { COLUMNS: '' });
      expect(json80.stdout).toBe(json.stdout);
      expect(JSON.parse(json80.stdout)).toHaveLength(2);
    });
  }

  it('fitTable wraps the detail under its row, drops and then cuts columns, never passing the width', () => {
    const header = ['NAME', 'STATUS', 'PATH', 'DETAIL'];
    const rows = [['一个很长很长的名字的频道', 'error', '/a/very/long/path/of/the/feed/', 'word '.repeat(40).trim()]];
    const out = fitTable(header, rows, { width: 40, below: [3], drop: [2], shrink: [0] });
    const ls = out.split('\n');
    for (const l of ls) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    expect(ls[0]).not.toMatch(/PATH|DETAIL/);
    expect(ls.slice(2).every((l) => l.startsWith('    word'))).toBe(true);
    expect(ls.slice(2).join(' ').replace(/\s+/g, ' ').trim()).toBe(rows[0][3]);
    const tiny = fitTable(header, rows, { width: 24, below: [3], drop: [2], shrink: [0] });
    for (const l of tiny.split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(24);
    expect(tiny).toMatch(/…/);
    expect(fitTable(header, rows, { width: undefined, below: [3] }).split('\n')).toHaveLength(2);
    expect(tableWidth(true, { COLUMNS: '80' })).toBeUndefined();
    expect(tableWidth(undefined, { COLUMNS: '100' })).toBe(100);
    expect(tableWidth(undefined, {}, { isTTY: true })).toBe(80);
    expect(tableWidth(undefined, {}, { isTTY: false })).toBeUndefined();
  });
});

describe('metrics of a channel that never succeeded', () => {
  it('every configured channel has a last-success sample (0 if never), refeed_channel_up and refeed_channel_enabled', async () => {
    const file = writeTempConfig(`site: { output: out, state: state.db }
groups:
  - name: G
    sources:
      - name: S
        channels:
          - { name: ok, url: "https://a.example/ok.xml" }
          - { name: failing, url: "https://a.example/failing.xml" }
          - { name: never, url: "https://a.example/never.xml" }
          - { name: off, url: "https://a.example/off.xml", enabled: false }
`);
    const config = loadConfig(file);
    const base = { url: '', consecutiveFailures: 0, itemCount: 0, disabled: false } as unknown as ChannelState;
    const states: ChannelState[] = [
      { ...base, key: 'g/s/ok', lastStatus: 'new', lastSuccessAt: 1_700_000_000_000, itemCount: 3 },
      { ...base, key: 'g/s/failing', lastStatus: 'error', consecutiveFailures: 4 },
    ];
    const metrics = await createMetrics({ config: () => config, states: async () => states });
    const text = (await metrics.scrape()).body;
    const sample = (name: string, ch: string) => new RegExp(`^${name}\\{channel="g/s/${ch}"\\} (\\S+)$`, 'm').exec(text)?.[1];
    expect(sample('refeed_channel_last_success_timestamp_seconds', 'ok')).toBe('1700000000');
    expect(sample('refeed_channel_last_success_timestamp_seconds', 'failing')).toBe('0');
    expect(sample('refeed_channel_last_success_timestamp_seconds', 'never')).toBe('0');
    expect(sample('refeed_channel_last_success_timestamp_seconds', 'off')).toBe('0');
    expect(sample('refeed_channel_up', 'ok')).toBe('1');
    expect(sample('refeed_channel_up', 'failing')).toBe('0');
    expect(sample('refeed_channel_up', 'never')).toBe('0');
    expect(sample('refeed_channel_up', 'off')).toBe('0');
    expect(sample('refeed_channel_enabled', 'ok')).toBe('1');
    expect(sample('refeed_channel_enabled', 'off')).toBe('0');
    expect(sample('refeed_channel_consecutive_failures', 'failing')).toBe('4');
    expect(sample('refeed_channel_consecutive_failures', 'never')).toBe('0');
    expect(text).toMatch(/^# TYPE refeed_channel_up gauge$/m);
  });
});
