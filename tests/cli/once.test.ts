import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import { dueAt } from '../../src/schedule/due.ts';
import { cronWalker } from '../../src/util/cron.ts';
import type { ChannelState } from '../../src/core/types.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';

// Issue 15: `refeed once` from the system cron fetches what its schedule says
// is due, not every channel on every run; and an empty feed is dated when its
// channel was first configured, through the real CLI.

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<item><title>Hello</title><link>https://a.example/1</link><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item></channel></rss>`;
const EMPTY = `<?xml version="1.0"?><rss version="2.0"><channel><title>nothing yet</title><link>https://e.example/</link></channel></rss>`;

const run = (args: string[]) => runRefeed(args, { REFEED_LOG_LEVEL: 'warn' });

const state = (over: Partial<ChannelState>): ChannelState => ({ key: 'g/s/c', id: 1, createdAt: 0, url: 'u', consecutiveFailures: 0, disabled: false, itemCount: 0, ...over });

describe('when a channel is due', () => {
  const walk = cronWalker();
  const at = Date.parse;
  it('is due when never fetched, or once its schedule fired since the last attempt', () => {
    expect(dueAt('0 0 1 1 *', undefined, walk)).toBe(0);
    expect(dueAt('0 0 1 1 *', state({ lastFetchAt: at('2024-03-01T00:00:00Z') }), walk)).toBe(at('2025-01-01T00:00:00Z'));
    expect(dueAt('*/30 * * * *', state({ lastFetchAt: at('2024-03-01T10:00:03Z') }), walk)).toBe(at('2024-03-01T10:30:00Z'));
    expect(dueAt('*/20 * * * * *', state({ lastFetchAt: at('2024-03-01T10:00:03Z') }), walk)).toBe(at('2024-03-01T10:00:20Z'));
  });

  it('waits out a failing channel\'s backoff, and never comes for a disabled one', () => {
    const failing = state({ lastFetchAt: at('2024-03-01T10:00:03Z'), consecutiveFailures: 3, nextRunAt: at('2024-03-01T10:04:03Z') });
    expect(dueAt('* * * * *', failing, walk)).toBe(at('2024-03-01T10:04:03Z'));
    expect(dueAt('0 * * * *', failing, walk)).toBe(at('2024-03-01T11:00:00Z'));
    expect(dueAt('* * * * *', state({ lastFetchAt: 1, disabled: true }), walk)).toBe(Infinity);
  });
});

describe('refeed once (command)', () => {
  let server: TestServer;
  let config: string;
  let dir: string;
  const hits = (p: string) => server.requests.filter((r) => r.path === p).length;

  beforeAll(async () => {
    server = await startServer(routes({ '/yearly.xml': { body: FEED }, '/often.xml': { body: FEED.replace('/1<', '/2<') }, '/empty.xml': { body: EMPTY } }));
    config = writeTempConfig(
      oneSourceYaml([
        `{ name: yearly, url: "${server.url}/yearly.xml", schedule: "0 0 1 1 *" }`,
        `{ name: often, url: "${server.url}/often.xml", schedule: "*/30 * * * *" }`,
        `{ name: empty, url: "${server.url}/empty.xml" }`,
      ]),
      'refeed-once-',
    );
    dir = path.dirname(config);
  });
  afterAll(() => server?.close());

  it('fetches every channel the first time, then only those whose schedule fired since', async () => {
    const first = await run(['once', '--config', config]);
    expect(first.code, first.stderr).toBe(0);
    expect([hits('/yearly.xml'), hits('/often.xml'), hits('/empty.xml')]).toEqual([1, 1, 1]);

    // Half an hour on for `often` (and `empty`): its last fetch moved back; `yearly` was fetched just now.
    const store = await openStore(path.join(dir, 'state.db'));
    for (const key of ['g/s/often', 'g/s/empty']) await store.recordSuccess(key, { now: Date.now() - 3_600_000, status: 'unchanged' });
    await store.close();

    const second = await run(['once', '--config', config]);
    expect(second.code, second.stderr).toBe(0);
    expect([hits('/yearly.xml'), hits('/often.xml'), hits('/empty.xml')]).toEqual([1, 2, 2]);
    expect(second.stdout).not.toMatch(/g\/s\/yearly/);
    expect(second.stderr).toMatch(/refeed once: 1 channel not due by schedule; next: g\/s\/yearly at \d{4}-01-01T00:00:00Z \(--all fetches every channel\)/);

    const all = await run(['once', '--config', config, '--all']);
    expect(all.code).toBe(0);
    expect([hits('/yearly.xml'), hits('/often.xml'), hits('/empty.xml')]).toEqual([2, 3, 3]);

    const status = JSON.parse((await run(['status', '--config', config, '--json'])).stdout);
    const yearly = status.find((r: { key: string }) => r.key === 'g/s/yearly');
    expect(yearly.nextRunAt).toMatch(/^\d{4}-01-01T00:00:00\.000Z$/);
  });

  it('dates an empty feed when its channel was first configured, never 1970', async () => {
    const store = await openStore(path.join(dir, 'state.db'));
    const created = (await store.channelStates()).find((s) => s.key === 'g/s/empty')!.createdAt;
    await store.close();
    const out = path.join(dir, 'out', 'g', 's', 'empty');
    const rss = readFileSync(path.join(out, 'rss.xml'), 'utf8');
    expect(rss).not.toContain('<item>');
    const lastBuild = /<lastBuildDate>([^<]+)<\/lastBuildDate>/.exec(rss)?.[1];
    expect(Date.parse(lastBuild!)).toBe(Math.floor(created / 1000) * 1000);
    const atom = readFileSync(path.join(out, 'atom.xml'), 'utf8');
    expect(Math.abs(Date.parse(/<updated>([^<]+)<\/updated>/.exec(atom)![1]) - created)).toBeLessThan(1000);
    expect(atom).not.toContain('1970');
  });
});
