import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeArticleFiles } from '../../src/cli/publish-step.ts';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { PreparePool, reapplyFileRules, runFetch, syncChannels } from '../../src/ingest/index.ts';
import { FRAGMENT_ENCODER, Publisher } from '../../src/publish/index.ts';
import { oneSourceYaml } from '../helpers/config-file.ts';
import { engineSites, type Engine } from '../helpers/engine-sites.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { readTree } from '../helpers/output-tree.ts';

// Issue 21: the article files (the editor's Hexo site) follow the keep/block
// rules as the feeds do. A rule added later removes the files of the stored
// articles it hides; removed, it brings them back with the same bytes. An
// article the rules hide as stored (after rewrites) gets no file at ingest. A
// channel without rules, or whose rules did not change, is not scanned.

const sites = await engineSites('rules_files');
const T = Date.UTC(2024, 5, 1, 12);

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<item><title>Sponsored: Alpha</title><link>https://a.example/alpha</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Alpha body.</p>]]></description></item>
<item><title>Beta</title><link>https://a.example/beta</link><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Beta body.</p>]]></description></item>
<item><title>Gamma</title><link>https://a.example/gamma</link><pubDate>Wed, 03 Jan 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Gamma body.</p>]]></description></item>
</channel></rss>`;

const FEED_B = `<?xml version="1.0"?><rss version="2.0"><channel><title>b</title><link>https://b.example/</link>
<item><title>Sponsored: Delta</title><link>https://b.example/delta</link><pubDate>Mon, 01 Jan 2024 11:00:00 GMT</pubDate>
<description><![CDATA[<p>Delta body.</p>]]></description></item>
</channel></rss>`;

// Another source listing Alpha (the same link: stored once, owned by the first configured channel).
const FEED_C = `<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><link>https://c.example/</link>
<item><title>Sponsored: Alpha</title><link>https://a.example/alpha</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Alpha body.</p>]]></description></item>
</channel></rss>`;

const BLOCK = `
            rules:
              - block title: "(?i)^sponsored:"`;

/** A block-mapping channel with these further lines (`extra`, indented to 12 spaces). */
const channel = (name: string, url: string, extra = '') => `name: ${name}
            url: "${url}"${extra}`;

/** The config of the site in `dir`: group G, source S with these channels. */
function configFor(dir: string, state: string, channels: string[]): RefeedConfig {
  const yaml = oneSourceYaml(channels, '', { state, more: 'url: "https://feeds.example/"' });
  return parseConfig(yaml, path.join(dir, 'refeed.yaml'), {});
}

const articleFiles = (all: Map<string, string>) => new Map([...all].filter(([k]) => k.startsWith('articles/')));
const fileOf = (all: Map<string, string>, text: string) => [...all.keys()].find((k) => k.startsWith('articles/') && all.get(k)!.includes(text));

const engines = sites.engines;

describe('article files follow the keep/block rules', () => {
  /** What a.xml serves (the source may change an item). */
  let aFeed = FEED;
  let upstream: TestServer;

  beforeAll(async () => {
    upstream = await startServer((req, res) => {
      const body = req.url === '/b.xml' ? FEED_B : req.url === '/c.xml' ? FEED_C : FEED;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(req.url === '/a.xml' ? aFeed : body);
    });
  });
  afterAll(async () => {
    await sites.close();
    await upstream?.close();
  });

  async function site(engine: Engine) {
    const { dir, state, store } = await sites.open(engine);
    const config = (extra: string) => configFor(dir, state, [channel('A', `${upstream.url}/a.xml`, extra), channel('B', `${upstream.url}/b.xml`)]);
    const fetch = async (c: RefeedConfig, writeFiles = true) => {
      const pool = new PreparePool({ size: 0 });
      try {
        return await runFetch(c, store, { logger: silentLogger, now: () => T, pool, fragmentEncoder: FRAGMENT_ENCODER, writeFiles });
      } finally {
        await pool.close();
      }
    };
    // What `refeed publish` does: article files brought up to the store (rewrites, then rules), then the feeds.
    const publish = async (c: RefeedConfig) => {
      expect(await writeArticleFiles(c, store, silentLogger)).toBeUndefined();
      return new Publisher(c).publish(store, { logger: silentLogger, now: () => T });
    };
    /** Channels A (a.xml) and C (c.xml), each with its own settings, or left out (null). */
    const shared = (a: string | null, c: string | null) =>
      configFor(dir, state, [
        ...(a === null ? [] : [channel('A', `${upstream.url}/a.xml`, a)]),
        ...(c === null ? [] : [channel('C', `${upstream.url}/c.xml`, c)]),
      ]);
    return { store, config, shared, fetch, publish, output: path.join(dir, 'out') };
  }

  it.each(engines)('%s: a block rule added later removes the stored article file; removed, the file is back with the same bytes', async (engine) => {
    const s = await site(engine);
    const plain = s.config('');
    await syncChannels(plain, s.store, T, silentLogger);
    expect((await s.fetch(plain)).map((r) => r.newItems)).toEqual([3, 1]);
    await s.publish(plain);
    const before = readTree(s.output);
    const alpha = fileOf(before, 'Alpha body')!;
    const delta = fileOf(before, 'Delta body')!;
    expect(alpha).toBeDefined();
    expect(delta).toBeDefined();
    expect(articleFiles(before).size).toBe(4);

    // The rule is added; nothing is fetched: the next publish removes the file.
    const ruled = s.config(BLOCK);
    await s.publish(ruled);
    const after = readTree(s.output);
    expect(after.has(alpha)).toBe(false);
    expect(existsSync(path.join(s.output, alpha))).toBe(false);
    // The other articles' files are untouched, the other channel's too (its own "Sponsored:" post: channel A's rule is not B's).
    const rest = new Map([...articleFiles(before)].filter(([k]) => k !== alpha));
    expect(articleFiles(after)).toEqual(rest);
    expect(after.get(delta)).toBe(before.get(delta));
    // The feeds leave it out, as they did before files followed the rules.
    expect(after.get('g/s/a/rss.xml')).not.toContain('Alpha');
    expect(after.get('g/s/a/rss.xml')).toContain('Beta');
    expect(after.get('rss.xml')).toContain('Sponsored: Delta');

    // Fetched again under the rule: the item is blocked at fetch, its file stays away.
    await s.fetch(ruled);
    await s.publish(ruled);
    expect(readTree(s.output)).toEqual(after);

    // The rule goes: every file is as it was, byte for byte.
    await s.publish(plain);
    expect(readTree(s.output)).toEqual(before);
  });

  it.each(engines)('%s: an article the rules hide only as stored (after rewrites) is stored without a file', async (engine) => {
    const s = await site(engine);
    // The feed's title "Beta" passes; the stored one is "[A] Beta", which the rule blocks.
    const ruled = s.config(`
            rewrite:
              - prefix title: "[A] "
            rules:
              - block title: "^\\\\[A\\\\] Beta$"`);
    await syncChannels(ruled, s.store, T, silentLogger);
    expect((await s.fetch(ruled))[0]).toMatchObject({ newItems: 3 });
    await s.publish(ruled);
    const out = readTree(s.output);
    expect(fileOf(out, 'Beta body')).toBeUndefined();
    expect(fileOf(out, 'Alpha body')).toBeDefined();
    expect(fileOf(out, 'Gamma body')).toBeDefined();
    expect(out.get('g/s/a/rss.xml')).not.toContain('Beta');

    // The rewrite goes (the rule stays): the stored article is "Beta" again, which the rule lets through: its file is written.
    const unprefixed = s.config(`
            rules:
              - block title: "^\\\\[A\\\\] Beta$"`);
    await s.publish(unprefixed);
    const back = readTree(s.output);
    const beta = fileOf(back, 'Beta body')!;
    expect(beta).toBeDefined();
    expect(back.get(beta)).toMatch(/title: '?Beta/);
  });

  it.each(engines)('%s: an article passed to another channel (its owner removed) is judged by its new owner\'s rules', async (engine) => {
    const s = await site(engine);
    const alphaIn = () => fileOf(readTree(s.output), 'Alpha body');
    // A owns Alpha, and its rule (added after A stored it) hides it; C lists it too, without rules.
    const both = s.shared('', '');
    await syncChannels(both, s.store, T, silentLogger);
    await s.fetch(both);
    const first = s.shared(BLOCK, '');
    await s.publish(first);
    expect(alphaIn()).toBeUndefined();
    // A goes: Alpha is C's now, which hides nothing: its file is written.
    const onlyC = s.shared(null, '');
    await syncChannels(onlyC, s.store, T, silentLogger);
    await s.publish(onlyC);
    expect(alphaIn()).toBeDefined();

    // The other way: A (no rules) owns Alpha, C's rule (added after C listed it) would hide it.
    const s2 = await site(engine);
    const alphaIn2 = () => fileOf(readTree(s2.output), 'Alpha body');
    const plain = s2.shared('', '');
    await syncChannels(plain, s2.store, T, silentLogger);
    await s2.fetch(plain);
    const ruledC = s2.shared('', BLOCK);
    await s2.publish(ruledC);
    expect(alphaIn2()).toBeDefined();
    // A goes: Alpha passes to C, whose rules (unchanged, already recorded) are applied to it.
    const onlyRuledC = s2.shared(null, BLOCK);
    await syncChannels(onlyRuledC, s2.store, T, silentLogger);
    await s2.publish(onlyRuledC);
    expect(alphaIn2()).toBeUndefined();
    // C's rule goes: back.
    await s2.publish(s2.shared(null, ''));
    expect(alphaIn2()).toBeDefined();
  });

  it.each(engines)('%s: an item the source changes so that the rules hide it loses its file, also when the ingest wrote no files (a queue worker)', async (engine) => {
    const s = await site(engine);
    // The rule reads the stored title: "Beta (ad)" as the feed gives it passes, "Beta: Sponsored" as stored does not.
    const ruled = s.config(`
            rewrite:
              - replace title: " \\\\(ad\\\\)$"
                with: ": Sponsored"
            rules:
              - block title: "Sponsored$"`);
    await syncChannels(ruled, s.store, T, silentLogger);
    aFeed = FEED;
    try {
      await s.fetch(ruled);
      await s.publish(ruled);
      const before = readTree(s.output);
      const beta = fileOf(before, 'Beta body')!;
      expect(beta).toBeDefined();
      aFeed = FEED.replace('<title>Beta</title>', '<title>Beta (ad)</title>');
      // Fetched by a process that writes no files: the row is hidden, the file still there…
      expect((await s.fetch(ruled, false))[0]).toMatchObject({ updatedItems: 1 });
      expect(existsSync(path.join(s.output, beta))).toBe(true);
      // …until the next publish removes it; the rest is untouched.
      await s.publish(ruled);
      const after = readTree(s.output);
      expect(after.has(beta)).toBe(false);
      expect(articleFiles(after)).toEqual(new Map([...articleFiles(before)].filter(([k]) => k !== beta)));
      // Fetched again (files written this time): the source drops the "(ad)", the file is back.
      aFeed = FEED;
      await s.fetch(ruled);
      expect(readTree(s.output).get(beta)).toBe(before.get(beta));
    } finally {
      aFeed = FEED;
    }
  });

  it('a channel without rules, or whose rules are as recorded, is not scanned', async () => {
    const s = await site('sqlite');
    const plain = s.config('');
    await syncChannels(plain, s.store, T, silentLogger);
    await s.fetch(plain);
    await s.publish(plain);
    const owned = vi.spyOn(s.store, 'ownedArticles');
    try {
      expect(await reapplyFileRules(plain, s.store, silentLogger)).toBe(0);
      expect(owned).not.toHaveBeenCalled();
      const ruled = s.config(BLOCK);
      // Changed: channel A (and only A) is judged once, one article hidden.
      expect(await reapplyFileRules(ruled, s.store, silentLogger)).toBe(1);
      expect(owned.mock.calls.map((c) => c[0])).toEqual(['g/s/a']);
      owned.mockClear();
      // As recorded now: no scan at all.
      expect(await reapplyFileRules(ruled, s.store, silentLogger)).toBe(0);
      expect(owned).not.toHaveBeenCalled();
    } finally {
      owned.mockRestore();
    }
  });
});
