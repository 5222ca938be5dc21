import { mkdtempSync, readFileSync, } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { PreparePool } from '../../src/ingest/prepare-pool.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { oneSourceYaml } from '../helpers/config-file.ts';
import { readTree } from '../helpers/output-tree.ts';

// Decoding, parsing and normalizing on worker threads must give exactly the
// articles the in-process path gives: same files, byte for byte, same rows.

const FIXTURES = path.join(import.meta.dirname, '../fixtures/fetch');
const FEEDS = ['rss2.xml', 'atom1.xml', 'atom03.xml', 'rdf.xml', 'rss091.xml', 'broken-entities.xml', 'jsonfeed11.json'];

// Undated items take the date they were first seen: the second run must keep the first run's.
let undatedBody = '<p>v1 {x} <img src="/i.png"></p>';
const undated = () => `<?xml version="1.0"?><rss version="2.0"><channel><title>U</title><link>https://u.example/</link>
<item><title>Undated</title><link>https://u.example/1</link><guid>u1</guid><description><![CDATA[${undatedBody}]]></description></item>
<item><title>Dated</title><link>https://u.example/2</link><guid>u2</guid><pubDate>Sat, 30 Jul 2022 00:00:00 GMT</pubDate><description>d</description></item>
</channel></rss>`;


describe('prepare pool: worker threads vs in-process', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const name = (req.url ?? '').slice(1);
      if (name === 'undated.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(undated());
      if (!FEEDS.includes(name)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': name.endsWith('.json') ? 'application/feed+json' : 'application/xml' }).end(readFileSync(path.join(FIXTURES, name)));
    });
  });
  afterAll(async () => server?.close());

  const site = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-pool-'));
    const channels = [...FEEDS, 'undated.xml'].map((f, i) => `{ name: "c${i}", url: "${server.url}/${f}" }`);
    const config = parseConfig(oneSourceYaml(channels), path.join(dir, 'refeed.yaml'));
    return { dir, config };
  };

  /** Two runs (the second with a changed undated item) through `pool`; the output tree and article rows. */
  async function twoRuns(makePool: () => PreparePool) {
    let workerJobs = 0;
    const { config } = site();
    const state = new SqliteStore(config.site.state);
    undatedBody = '<p>v1 {x} <img src="/i.png"></p>';
    const pools: PreparePool[] = [];
    const run = async (at: number) => {
      const pool = makePool();
      pools.push(pool);
      try {
        return await runFetch(config, state, { logger: silentLogger, now: () => at, pool });
      } finally {
        await pool.close();
        workerJobs += pool.workerJobs;
      }
    };
    const first = await run(Date.UTC(2024, 5, 1));
    undatedBody = '<p>v2</p>';
    const second = await run(Date.UTC(2024, 6, 1));
    const rows = state.db.prepare('SELECT id, title, link, date, first_seen, content_hash, path, html FROM articles ORDER BY id').all();
    await state.close();
    const strip = (rs: typeof first) => rs.map(({ ms: _ms, url: _url, ...r }) => r);
    return { files: readTree(config.site.output), rows, reports: [strip(first), strip(second)], workerJobs };
  }

  it('writes byte-identical article files and rows on workers and in-process', async () => {
    const inProcess = await twoRuns(() => new PreparePool({ size: 0 }));
    const onWorkers = await twoRuns(() => new PreparePool({ size: 2, inlineBytes: 0 }));
    expect(inProcess.files.size).toBeGreaterThan(FEEDS.length);
    expect(inProcess.workerJobs).toBe(0);
    expect(onWorkers.workerJobs).toBe(2 * (FEEDS.length + 1));
    expect([...onWorkers.files.keys()].sort()).toEqual([...inProcess.files.keys()].sort());
    for (const [rel, text] of inProcess.files) expect(onWorkers.files.get(rel), rel).toBe(text);
    expect(onWorkers.rows).toEqual(inProcess.rows);
    expect(onWorkers.reports).toEqual(inProcess.reports);
    // The undated item was rewritten in run 2, still dated when it was first seen (run 1).
    const undatedFile = [...inProcess.files.values()].find((t) => t.includes('https://u.example/1'))!;
    expect(undatedFile).toContain('<p>v2</p>');
    expect(undatedFile).toContain('date: Sat, 01 Jun 2024 00:00:00 GMT');
  }, 60_000);

  it('falls back to in-process when workers fail, losing nothing', async () => {
    const inProcess = await twoRuns(() => new PreparePool({ size: 0 }));
    const broken = await twoRuns(
      () => new PreparePool({ size: 2, inlineBytes: 0, workerEntry: new URL('../fixtures/store/broken-worker.js', import.meta.url) }),
    );
    expect(broken.workerJobs).toBe(0);
    expect(broken.files).toEqual(inProcess.files);
    expect(broken.rows).toEqual(inProcess.rows);
    expect(broken.reports).toEqual(inProcess.reports);
  }, 60_000);
});
