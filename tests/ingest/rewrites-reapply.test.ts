import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArticleFiles } from '../../src/cli/publish-step.ts';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { PreparePool, runFetch, syncChannels } from '../../src/ingest/index.ts';
import { FRAGMENT_ENCODER, Publisher } from '../../src/publish/index.ts';
import { oneSourceYaml } from '../helpers/config-file.ts';
import { engineSites, type Engine } from '../helpers/engine-sites.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { readTree } from '../helpers/output-tree.ts';

// Issue 21: rewrites apply to the stored articles, not only to items fetched
// next. A changed rule changes the stored article, its file and every feed at
// the next cycle, without a new fetch; the item fetched again is then no
// change; reverting the rule restores the first bytes. On SQLite and on
// PostgreSQL, to the same bytes.

const sites = await engineSites('rewrites');
const T = Date.UTC(2024, 5, 1, 12);

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<image><url>https://a.example/source-logo.png</url><title>t</title><link>https://a.example/</link></image>
<item><title>Sponsored: Alpha</title><link>https://a.example/alpha</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Alpha body. Read more…</p><div class="share"><a href="https://x.example/share">Share this</a></div><img src="https://medium.com/_/stat?event=post.clientViewed&postId=1" width="1" height="1">]]></description></item>
<item><title>Beta</title><link>https://a.example/beta</link><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Beta <img src="https://img.example/b.png"></p>]]></description></item>
</channel></rss>`;

const RULES = `
            rewrite:
              - replace title: "^Sponsored:\\\\s*"
                with: ""
              - replace content: "\\\\s*Read more…$"
                with: ""
              - remove: ".share"
              - prefix title: "[A] "
            tracking_pixels: false
            image: https://img.example/channel-logo.png
            fallback_image: none`;

function configFor(dir: string, upstream: string, state: string, rules: string): RefeedConfig {
  const yaml = oneSourceYaml([`name: A
            url: "${upstream}/a.xml"${rules}`], '', { state, more: 'url: "https://feeds.example/"' });
  return parseConfig(yaml, path.join(dir, 'refeed.yaml'), {});
}

const engines = sites.engines;

describe('rewrites are applied again to stored articles when they change', () => {
  let upstream: TestServer;
  let fetches = 0;

  beforeAll(async () => {
    upstream = await startServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED);
    });
  });
  afterAll(async () => {
    await sites.close();
    await upstream?.close();
  });

  async function site(engine: Engine) {
    const { dir, state, store } = await sites.open(engine);
    const config = (rules: string) => configFor(dir, upstream.url, state, rules);
    const fetch = async (c: RefeedConfig) => {
      const pool = new PreparePool({ size: 0 });
      try {
        return await runFetch(c, store, { logger: silentLogger, now: () => T, pool, fragmentEncoder: FRAGMENT_ENCODER });
      } finally {
        await pool.close();
      }
    };
    // What `refeed publish` does: article files brought up to the store (rewrites first), then the feeds.
    const publish = async (c: RefeedConfig) => {
      expect(await writeArticleFiles(c, store, silentLogger)).toBeUndefined();
      return new Publisher(c).publish(store, { logger: silentLogger, now: () => T });
    };
    const output = path.join(dir, 'out');
    return { store, config, fetch, publish, output, state };
  }

  it.each(engines)('%s: a rule change reaches the stored article, its file and the feeds; the same fetch again changes nothing; a revert restores', async (engine) => {
    const s = await site(engine);
    const plain = s.config('');
    await syncChannels(plain, s.store, T, silentLogger);
    const first = await s.fetch(plain);
    expect(first[0]).toMatchObject({ status: 'new', newItems: 2 });
    await s.publish(plain);
    const before = readTree(s.output);
    const alphaFile = [...before.keys()].find((k) => k.startsWith('articles/') && before.get(k)!.includes('Alpha body'))!;
    expect(alphaFile).toBeDefined();
    // Tracking pixels are dropped by default.
    expect(before.get(alphaFile)).not.toContain('medium.com/_/stat');
    expect(before.get(alphaFile)).toContain('Share this');
    expect(before.get('g/s/a/rss.xml')).toContain('<title><![CDATA[Sponsored: Alpha]]></title>');
    expect(JSON.parse(before.get('g/s/a/feed.json')!).icon).toBe('https://a.example/source-logo.png');

    // The rules change; nothing is fetched: the next publish carries them.
    const fetchesBefore = fetches;
    const ruled = s.config(RULES);
    const report = await s.publish(ruled);
    expect(fetches).toBe(fetchesBefore);
    expect(report.written).toEqual(expect.arrayContaining(['g/s/a/rss.xml', 'g/s/a/atom.xml', 'g/s/a/feed.json', 'rss.xml']));
    const after = readTree(s.output);
    const stored = [...(await s.store.articleContent((await s.store.topArticles('g/s/a', 10)).map((r) => r.id))).values()];
    const alpha = stored.find((c) => c.link === 'https://a.example/alpha')!;
    expect(alpha.title).toBe('[A] Alpha');
    expect(alpha.html).toBe(
      '<p>Alpha body.</p><img src="https://medium.com/_/stat?event=post.clientViewed&amp;postId=1" width="1" height="1" referrerpolicy="no-referrer">',
    );
    // The only image is the pixel, now kept; `fallback_image: none` otherwise.
    expect(stored.find((c) => c.link === 'https://a.example/beta')).toMatchObject({ title: '[A] Beta', headimg: 'https://img.example/b.png' });
    // The article file…
    const file = after.get(alphaFile)!;
    expect(file).toMatch(/title: '?\[A\] Alpha/);
    expect(file).not.toContain('Read more');
    expect(file).not.toContain('Share this');
    expect(file).toContain('medium.com/_/stat');
    // …and every feed carrying it.
    for (const feed of ['g/s/a/rss.xml', 'g/s/a/atom.xml', 'g/s/a/feed.json', 'rss.xml', 'g/atom.xml', 'g/s/feed.json']) {
      expect(after.get(feed), feed).toContain('[A] Alpha');
      expect(after.get(feed), feed).not.toContain('Sponsored');
      expect(after.get(feed), feed).not.toContain('Share this');
    }
    // The channel feed's image: the channel's own, over its source feed's; the feeds mixing channels keep theirs (none here).
    expect(after.get('g/s/a/rss.xml')).toMatch(/<image>\s*<url>https:\/\/img\.example\/channel-logo\.png<\/url>/);
    expect(JSON.parse(after.get('g/s/a/feed.json')!).icon).toBe('https://img.example/channel-logo.png');
    expect(after.get('g/s/a/atom.xml')).toContain('<icon>https://img.example/channel-logo.png</icon>');
    for (const feed of ['rss.xml', 'g/s/rss.xml', 'g/feed.json']) expect(after.get(feed), feed).not.toMatch(/logo\.png/);

    // The same items fetched again under the rules: the ingest makes the same articles, nothing to store.
    const again = await s.fetch(ruled);
    expect(again[0]).toMatchObject({ newItems: 0, updatedItems: 0 });
    await s.publish(ruled);
    expect(readTree(s.output)).toEqual(after);

    // Reverted: every file as it was before the rules.
    await s.publish(plain);
    expect(readTree(s.output)).toEqual(before);
    expect((await s.fetch(plain))[0]).toMatchObject({ newItems: 0, updatedItems: 0 });
    if (engine === 'sqlite') results.lite = { before, after };
    else results.pg = { before, after };
  });

  const results: { lite?: { before: Map<string, string>; after: Map<string, string> }; pg?: typeof results.lite } = {};

  it.skipIf(!engines.includes('postgres'))('both engines wrote the same bytes', () => {
    expect(results.lite && results.pg).toBeTruthy();
    expect(results.pg!.before).toEqual(results.lite!.before);
    expect(results.pg!.after).toEqual(results.lite!.after);
  });

  it('an article stored before rewrites existed (no original) is rewritten from its content, and restored', async () => {
    const s = await site('sqlite');
    const plain = s.config('');
    await syncChannels(plain, s.store, T, silentLogger);
    await s.fetch(plain);
    await s.publish(plain);
    const before = readTree(s.output);
    // As an older refeed left it: no original kept.
    const db = new Database(s.state);
    db.exec('UPDATE articles SET original = NULL');
    db.close();
    await s.publish(s.config(RULES));
    const alpha = [...readTree(s.output).values()].find((t) => t.includes('Alpha body'))!;
    expect(alpha).toMatch(/title: '?\[A\] Alpha/);
    expect(alpha).not.toContain('Share this');
    await s.publish(plain);
    expect(readTree(s.output)).toEqual(before);
  });
});
