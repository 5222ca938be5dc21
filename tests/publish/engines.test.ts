import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArticleFiles } from '../../src/cli/publish-step.ts';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { PreparePool, runFetch, syncChannels } from '../../src/ingest/index.ts';
import { FRAGMENT_ENCODER, Publisher, type PublishReport } from '../../src/publish/index.ts';
import { engineSites, type Engine } from '../helpers/engine-sites.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { readTree } from '../helpers/output-tree.ts';

// The same sources fetched into SQLite and into PostgreSQL publish the same
// bytes: every feed file, index file and article file. Publishing knows only
// the Store interface, so the engines differ only in what they store.

const sites = await engineSites('engines');
const T = Date.UTC(2024, 5, 1, 12);

const item = (i: number, extra = '') =>
  `<item><title>Item ${i} &amp; &lt;b&gt; 中文</title><link>https://shared.example/${i}</link><guid isPermaLink="false">${i % 3 ? `n-${i}` : '42'}</guid>` +
  `<pubDate>${new Date(Date.UTC(2024, 0, 1 + i, i)).toUTCString()}</pubDate><category>cat ${i}</category>${extra}` +
  `<description><![CDATA[<p>Body ${i} <a href="/rel">rel</a> <img src="https://img.example/${i}.png"></p>]]></description></item>`;
const feed = (items: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://shared.example/</link>${items}</channel></rss>`;
const FEEDS: Record<string, string> = {
  // Two channels list the same links (one article each, owned by the first), with clashing guids.
  '/a.xml': feed([1, 2, 3, 4, 5, 6].map((i) => item(i)).join('') + '<item><title>undated</title><link>https://shared.example/u</link></item>'),
  '/b.xml': feed([4, 5, 6, 7, 8, 9].map((i) => item(i)).join('')),
  '/c.xml': feed([10, 11, 12].map((i) => item(i, '<author>someone@example.com (Some One)</author>')).join('')),
};

function configFor(dir: string, upstream: string, state: string, names = ['A', 'B']): RefeedConfig {
  const yaml = `site: { output: out, state: "${state}", url: "https://feeds.example/", limit: 8 }
defaults: { allow_private: true }
groups:
  - name: G
    sources:
      - name: S
        channels:
          - { name: ${names[0]}, url: "${upstream}/a.xml" }
          - { name: ${names[1]}, url: "${upstream}/b.xml", limit: 4 }
      - name: R
        channels:
          - { name: C, url: "${upstream}/c.xml" }
`;
  return parseConfig(yaml, path.join(dir, 'refeed.yaml'), {});
}

/** Deletes every stored fragment, behind the store's back. */
async function dropFragments(state: string): Promise<void> {
  if (!state.startsWith('postgres')) {
    const db = new Database(state);
    db.exec('DELETE FROM item_fragments');
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: state });
  await client.connect();
  await client.query('DELETE FROM item_fragments');
  await client.end();
}


describe.skipIf(!sites.engines.includes('postgres'))('SQLite and PostgreSQL publish byte-identical feeds', () => {
  let upstream: TestServer;

  beforeAll(async () => {
    upstream = await startServer((req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEEDS[req.url ?? ''] ?? feed('')));
  });
  afterAll(async () => {
    await sites.close();
    await upstream?.close();
  });

  /** A fresh site on this engine, fetched and published as `refeed once` does, at a fixed time. */
  async function site(engine: Engine) {
    const { dir, state, store } = await sites.open(engine);
    const config = configFor(dir, upstream.url, state);
    expect(store.kind).toBe(engine);
    const publishOpts = { logger: silentLogger, now: () => T };
    const publish = async (c: RefeedConfig, full = false): Promise<PublishReport> => {
      await writeArticleFiles(c, store, silentLogger);
      return new Publisher(c).publish(store, { ...publishOpts, full });
    };
    await syncChannels(config, store, T, silentLogger);
    const pool = new PreparePool({ size: 0 });
    await runFetch(config, store, { logger: silentLogger, now: () => T, pool, fragmentEncoder: FRAGMENT_ENCODER });
    await pool.close();
    return { dir, config, store, publish, output: config.site.output };
  }

  it('from the same sources: every feed, index and article file, stored fragments or encoded at publish, after a rename', async () => {
    const lite = await site('sqlite');
    const pg = await site('postgres');
    const a = await lite.publish(lite.config);
    const b = await pg.publish(pg.config);
    expect(b.rebuilt).toEqual(a.rebuilt);
    // The ingest encoded every item but the undated one (dated once the store said when it was first seen).
    expect([a.articlesEncoded, b.articlesEncoded]).toEqual([1, 1]);
    expect(a.articlesUsed).toBeGreaterThan(10);
    const first = readTree(lite.output);
    expect([...first.keys()].filter((k) => k.endsWith('.xml') || k.endsWith('.json')).length).toBeGreaterThanOrEqual(18);
    expect(readTree(pg.output)).toEqual(first);
    // The clashing guids got ids of their own in the shared feeds: the case where a fragment depends on its feed.
    expect(first.get('g/feed.json')).toMatch(/"id": "urn:refeed:id:42#g\/s\//);

    // Encoded at publish rather than at ingest: the same bytes on both.
    for (const s of [lite, pg]) {
      await dropFragments(s.config.site.state);
      const r = await s.publish(s.config, true);
      expect(r.articlesEncoded).toBe(r.articlesUsed);
      expect(r.written).toEqual([]);
    }

    // A renamed channel: its articles' categories and files move, alike.
    for (const s of [lite, pg]) {
      const renamed = configFor(s.dir, upstream.url, s.config.site.state, ['A renamed', 'B']);
      await syncChannels(renamed, s.store, T, silentLogger);
      await s.publish(renamed);
    }
    const after = readTree(lite.output);
    expect(after).not.toEqual(first);
    expect(readTree(pg.output)).toEqual(after);
  });
});
