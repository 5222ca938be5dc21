import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/cli/command.ts';
import { onceCommand } from '../../src/cli/commands/once.ts';
import { publishCommand } from '../../src/cli/commands/publish.ts';
import { writeArticleFiles } from '../../src/cli/publish-step.ts';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { PreparePool, runFetch, syncChannels } from '../../src/ingest/index.ts';
import { FRAGMENT_ENCODER, Publisher } from '../../src/publish/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { postgresServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Rules apply to what is published, not only to what is fetched next: a rule
// added to the config file reaches every feed already published (channel,
// source, group, merged; RSS, Atom, JSON Feed) at the next publish, over the
// stored items, with stored items beyond the old cut filling in; removing it
// brings the hidden items back. Publishing reads only the Store interface, so
// SQLite and PostgreSQL must behave alike: both are run.

const DAY = 86_400_000;
const T = Date.UTC(2024, 5, 1, 12);
const pgServer = serverOrSkip('PostgreSQL', await postgresServer());

/** Item n: dated n days after 2024-05-01; every third one a sponsored post, even ones about Porto, tagged by parity. */
const item = (n: number) => {
  const title = n % 3 === 0 ? `Sponsored: offer ${n}` : n % 2 === 0 ? `Porto news ${n}` : `Lisbon news ${n}`;
  return (
    `<item><title>${title}</title><link>https://news.example/${n}</link><guid>n-${n}</guid>` +
    `<pubDate>${new Date(Date.UTC(2024, 4, 1 + n)).toUTCString()}</pubDate><category>${n % 2 ? 'odd' : 'even'}</category>` +
    (n === 4 ? '<author>desk@wire.example (PR Newswire)</author>' : '') +
    `<description><![CDATA[<p>Body of story ${n}${n === 5 ? ' mentions a casino' : ''}</p>]]></description></item>`
  );
};
const rss = (ns: number[]) => `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>${ns.map(item).join('')}</channel></rss>`;

const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'];
const FEED_DIRS = ['', 'g/', 'g/s/', 'g/s/c/'];

/** The item titles of a published feed file, in order. */
function titles(output: string, rel: string): string[] {
  const text = readFileSync(path.join(output, rel), 'utf8');
  if (rel.endsWith('.json')) return (JSON.parse(text) as { items: { title: string }[] }).items.map((i) => i.title);
  const tag = rel.endsWith('atom.xml') ? 'entry' : 'item';
  return [...text.matchAll(new RegExp(`<${tag}>[\\s\\S]*?<title[^>]*>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</title>`, 'g'))].map((m) => m[1] ?? m[2]);
}

describe.each([
  ['sqlite', true],
  ['postgres', pgServer !== undefined],
] as const)('rules over stored items (%s)', (engine, available) => {
  let upstream: TestServer;
  let serving: number[] = [];
  const databases = engine === 'postgres' && pgServer ? new TestDatabases(pgServer.url, 'refeed_rules') : undefined;
  let dir: string;
  let store: Store;
  let file: string;
  /** The state's place: given by the environment, as a container would. */
  let state: string;

  beforeAll(async () => {
    if (!available) return;
    upstream = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(serving)));
    dir = mkdtempSync(path.join(os.tmpdir(), `refeed-rules-${engine}-`));
    file = path.join(dir, 'refeed.yaml');
    state = engine === 'sqlite' ? path.join(dir, 'state.db') : await databases!.create();
    const opened = await openStore(state);
    if (!opened) throw new Error('no store');
    store = opened;
  });
  afterAll(async () => {
    await store?.close();
    await databases?.dropAll();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (engine === 'postgres') await pgServer?.stop();
  });

  /** The config file as an editor leaves it: the channel's `rules:` (YAML lines) and other settings. */
  function writeConfig(channelExtra = ''): RefeedConfig {
    writeFileSync(
      file,
      `site:
  output: out
  url: "https://feeds.example/"
  limit: 5
defaults:
  allow_private: true
  limit: 5
groups:
  - name: G
    sources:
      - name: S
        channels:
          - name: C
            url: "${upstream.url}/news.xml"
${channelExtra}`,
    );
    return loadConfig(file, { REFEED_STATE: state });
  }

  async function fetchAt(config: RefeedConfig, now: number) {
    await syncChannels(config, store, now, silentLogger);
    const pool = new PreparePool({ size: 0 });
    await runFetch(config, store, { logger: silentLogger, now: () => now, pool, fragmentEncoder: FRAGMENT_ENCODER });
    await pool.close();
  }

  async function publishAt(config: RefeedConfig, now: number, publisher = new Publisher(config)) {
    await writeArticleFiles(config, store, silentLogger);
    return publisher.publish(store, { logger: silentLogger, now: () => now });
  }

  /** Every published feed file's titles must be `expected` (the merged, group, source and channel feeds all hold this one channel). */
  function expectFeeds(config: RefeedConfig, expected: string[]): void {
    for (const d of FEED_DIRS) for (const f of FEED_FILES) expect(titles(config.site.output, `${d}${f}`), `${d}${f}`).toEqual(expected);
  }

  it.skipIf(!available)('a rule added to the config hides stored items from every published feed, stored items fill in, and removing it brings them back', async () => {
    let config = writeConfig();
    // Two passes: items 1–5, then 6–10 (the feed only lists the newest five), so the store holds ten.
    serving = [1, 2, 3, 4, 5];
    await fetchAt(config, T - DAY);
    serving = [6, 7, 8, 9, 10];
    await fetchAt(config, T);
    await publishAt(config, T);
    expectFeeds(config, ['Porto news 10', 'Sponsored: offer 9', 'Porto news 8', 'Lisbon news 7', 'Sponsored: offer 6']);

    // A block rule: the sponsored posts leave every feed, and stored items 5 and 4 fill in.
    config = writeConfig(`            rules:\n              - block title: "(?i)^sponsored:"\n`);
    let report = await publishAt(config, T);
    expect(report.rebuilt.sort()).toEqual(['', 'g', 'g/s', 'g/s/c']);
    expectFeeds(config, ['Porto news 10', 'Porto news 8', 'Lisbon news 7', 'Lisbon news 5', 'Porto news 4']);
    // Nothing changed since: nothing is rebuilt.
    expect((await publishAt(config, T)).rebuilt).toEqual([]);

    // A keep rule at the source level accumulates with the channel's block rule: Porto stories that are not sponsored.
    writeFileSync(file, readFileSync(file, 'utf8').replace('      - name: S\n', '      - name: S\n        rules:\n          - keep title: Porto\n'));
    config = loadConfig(file, { REFEED_STATE: state });
    expect(config.channels[0].settings.rules.map((r) => `${r.action} ${r.field}`)).toEqual(['keep title', 'block title']);
    await publishAt(config, T);
    expectFeeds(config, ['Porto news 10', 'Porto news 8', 'Porto news 4', 'Porto news 2']);

    // The other fields, at publish over stored items: tag (an item category), author, content text, link, date.
    const only = async (rules: string, expected: string[]) => {
      config = writeConfig(`            rules:\n${rules
        .split('\n')
        .map((l) => `              - ${l}`)
        .join('\n')}\n`);
      await publishAt(config, T);
      expectFeeds(config, expected);
    };
    await only('keep tag: "^odd$"', ['Sponsored: offer 9', 'Lisbon news 7', 'Lisbon news 5', 'Sponsored: offer 3', 'Lisbon news 1']);
    // The item's own author, though the articles show the source's name (author: source, the default).
    await only('keep author: "^PR Newswire$"', ['Porto news 4']);
    await only('block content: casino\nkeep tag: odd', ['Sponsored: offer 9', 'Lisbon news 7', 'Sponsored: offer 3', 'Lisbon news 1']);
    await only('block link: "news\\\\.example/(1|10)$"', ['Sponsored: offer 9', 'Porto news 8', 'Lisbon news 7', 'Sponsored: offer 6', 'Lisbon news 5']);
    await only('block before: 2024-05-04\nblock after: 2024-05-09', ['Lisbon news 7', 'Sponsored: offer 6', 'Lisbon news 5', 'Porto news 4', 'Sponsored: offer 3']);
    // The aliases: include/exclude, ignoring case.
    config = writeConfig(`            include: porto\n            exclude: NEWS 8\n`);
    await publishAt(config, T);
    expectFeeds(config, ['Porto news 10', 'Porto news 4', 'Porto news 2']);

    // The rules removed: every stored item is back where it was.
    config = writeConfig();
    await publishAt(config, T);
    expectFeeds(config, ['Porto news 10', 'Sponsored: offer 9', 'Porto news 8', 'Lisbon news 7', 'Sponsored: offer 6']);

    // New items fetched under a rule: the channel's limit goes to items that pass (none of the blocked ones is stored).
    config = writeConfig(`            rules:\n              - block title: "(?i)^sponsored:"\n`);
    serving = [11, 12, 13, 14, 15, 16, 17];
    await fetchAt(config, T + DAY);
    await publishAt(config, T + DAY);
    expectFeeds(config, ['Lisbon news 17', 'Porto news 16', 'Porto news 14', 'Lisbon news 13', 'Lisbon news 11']);
    expect(await store.countArticles()).toBe(15);
  });

  it.skipIf(!available)('max_age applies at publish: an item that grows too old leaves the feeds with nothing fetched meanwhile', async () => {
    const config = writeConfig(`            max_age: 20d\n`);
    // A daemon's publisher, publishing again and again.
    const publisher = new Publisher(config, { longLived: true });
    await publishAt(config, T + DAY, publisher);
    // 20 days before June 2: items dated before May 13 (11 and older) are out; 12 and 15 were never stored (blocked at fetch).
    expectFeeds(config, ['Lisbon news 17', 'Porto news 16', 'Porto news 14', 'Lisbon news 13']);
    // Three days on, items dated before May 16 are older than 20 days: only 17 and 16 are left.
    const report = await publishAt(config, Date.UTC(2024, 5, 5), publisher);
    expect(report.rebuilt.length).toBe(4);
    expectFeeds(config, ['Lisbon news 17', 'Porto news 16']);
  });
});

describe('rules through the commands: refeed once, an edited file, refeed publish', () => {
  let upstream: TestServer;
  let dir: string;
  beforeAll(async () => {
    upstream = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([1, 2, 3, 4, 5, 6, 7, 8])));
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-rules-cli-'));
  });
  afterAll(async () => {
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function run(command: Command, file: string): Promise<{ code: number; err: string[] }> {
    const err: string[] = [];
    const code = await (await command.load())({ values: { config: file }, positionals: [], logger: silentLogger, out: () => undefined, err: (t) => err.push(t), signal: new AbortController().signal });
    return { code, err };
  }

  it('the next publish after an edit of the file carries the rule, with no fetch between', async () => {
    const file = path.join(dir, 'refeed.yaml');
    // The channel keeps 8 items; its feed shows 3.
    const yaml = (rules: string) => `site: { output: out, state: state.db, url: "https://feeds.example/" }
defaults: { allow_private: true }
groups:
  - name: G
    limit: 3
    sources:
      - name: S
        limit: 3
        channels:
          - name: C
            url: "${upstream.url}/news.xml"
            limit: 8
${rules}`;
    writeFileSync(file, yaml(''));
    expect((await run(onceCommand, file)).code).toBe(0);
    const output = path.join(dir, 'out');
    expect(titles(output, 'g/s/rss.xml')).toEqual(['Porto news 8', 'Lisbon news 7', 'Sponsored: offer 6']);

    writeFileSync(file, yaml('            rules:\n              - block title: "(?i)^sponsored:"\n              - block any: "(?i)lisbon"\n'));
    const published = await run(publishCommand, file);
    expect(published.code).toBe(0);
    expect(published.err.join('\n')).toMatch(/4 feeds rebuilt of 4/);
    expect(titles(output, 'g/s/rss.xml')).toEqual(['Porto news 8', 'Porto news 4', 'Porto news 2']);
    expect(titles(output, 'g/s/c/feed.json')).toEqual(['Porto news 8', 'Porto news 4', 'Porto news 2']);
    expect(titles(output, 'atom.xml')).toEqual(['Porto news 8', 'Porto news 4', 'Porto news 2']);
    // index.html lists each feed's newest entries: from the feeds as published.
    const index = readFileSync(path.join(output, 'index.html'), 'utf8');
    expect(index).toContain('Porto news 4');
    expect(index).not.toContain('Sponsored: offer 6');

    writeFileSync(file, yaml(''));
    await run(publishCommand, file);
    expect(titles(output, 'g/s/rss.xml')).toEqual(['Porto news 8', 'Lisbon news 7', 'Sponsored: offer 6']);
  });
});
