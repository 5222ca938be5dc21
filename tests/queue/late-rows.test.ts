import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { ingestChannel } from '../../src/ingest/index.ts';
import { reconcileAndPublish } from '../../src/cli/publish-step.ts';
import { Publisher } from '../../src/publish/index.ts';
import type { Store } from '../../src/store/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { oneSourceYaml } from '../helpers/config-file.ts';

// A queue worker commits rows and writes no file: the `run` process writes
// them before it publishes. A worker may commit while that publish runs,
// after the files were brought up to date and before a feed reads its rows:
// the feed includes the new article anyway (publishing reads the store,
// never the article files), and its file is written before the next publish.

const rss = (n: number) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>${Array.from(
    { length: n },
    (_, i) => `<item><title>Item ${i}</title><link>https://a.example/${i}</link><pubDate>${new Date(Date.UTC(2024, 0, 1 + i)).toUTCString()}</pubDate><description>b</description></item>`,
  ).join('')}</channel></rss>`;

describe('rows committed by a worker', () => {
  let upstream: TestServer;
  let dir: string;
  let config: RefeedConfig;
  let store: SqliteStore;
  let items = 1;

  beforeAll(async () => {
    upstream = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(items)));
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-late-'));
    config = parseConfig(
      oneSourceYaml([`{ name: C, url: "${upstream.url}/feed.xml" }`]),
      path.join(dir, 'refeed.yaml'),
      {},
    );
    store = new SqliteStore(config.site.state);
  });

  afterAll(async () => {
    await store?.close();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fetchWithoutFiles = () => ingestChannel(config, store, config.channels[0], { logger: silentLogger, writeFiles: false });
  const merged = () => readFileSync(path.join(dir, 'out', 'rss.xml'), 'utf8');

  it('are left pending by the worker and written before the next publish', async () => {
    const report = await fetchWithoutFiles();
    expect(report.status).toBe('new');
    const pending = await store.pendingFiles(10);
    expect(pending.map((p) => existsSync(path.join(dir, 'out', p.path)))).toEqual([false]);
    // As `refeed run` publishes: the article files behind their rows first.
    const published = await reconcileAndPublish(config, new Publisher(config), store, { logger: silentLogger });
    expect(published.skipped).toEqual([]);
    expect(await store.pendingFiles(10)).toEqual([]);
    expect(existsSync(path.join(dir, 'out', pending[0].path))).toBe(true);
    expect(merged()).toContain('Item 0');
  });

  it('committed while a publish runs are in its feeds (from the store), and their files come before the next one', async () => {
    items = 2;
    // The worker's commit lands after the files were written and before the publish reads the feeds' rows.
    let raced = false;
    const racing = new Proxy(store, {
      get(target, prop) {
        if (prop === 'ledger')
          return async () => {
            if (!raced) {
              raced = true;
              expect((await fetchWithoutFiles()).newItems).toBe(1);
            }
            return target.ledger();
          };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Store;
    const first = await reconcileAndPublish(config, new Publisher(config), racing, { logger: silentLogger });
    expect(raced).toBe(true);
    expect(first.skipped).toEqual([]);
    expect(merged()).toContain('Item 1');
    expect(await store.dirtyFeeds()).toEqual([]);
    const [late] = await store.pendingFiles(10);
    expect(existsSync(path.join(dir, 'out', late.path))).toBe(false);

    const second = await reconcileAndPublish(config, new Publisher(config), store, { logger: silentLogger });
    expect(second.written).toEqual([]);
    expect(await store.pendingFiles(10)).toEqual([]);
    expect(existsSync(path.join(dir, 'out', late.path))).toBe(true);
  });
});
