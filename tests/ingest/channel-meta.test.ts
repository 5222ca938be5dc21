import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { ingestChannel } from '../../src/ingest/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { oneSourceYaml } from '../helpers/config-file.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Issue 22: ingest records on the channel what its source feed says of
// itself (image, WebSub hubs and topic), so that publishing (the channel
// feed's image) and `run` (subscribing, when queue workers fetch) read it
// from the store. A 304 or a push keeps it; a full fetch replaces it.

let upstream: TestServer;
let body = '';
let linkHeader: string | undefined;
let etag = '"1"';

const rss = (extra: string) =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title><link>https://a.example/</link>${extra}<item><title>i</title><link>https://a.example/1</link></item></channel></rss>`;

describe('channel meta from ingest', () => {
  let dir: string;
  let config: RefeedConfig;
  let store: SqliteStore;

  beforeAll(async () => {
    upstream = await startServer((req, res) => {
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag, ...(linkHeader ? { link: linkHeader } : {}) }).end(body);
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-meta-'));
    config = parseConfig(oneSourceYaml([`{ name: C, url: "${upstream.url}/feed.xml" }`]), path.join(dir, 'refeed.yaml'), {});
    store = new SqliteStore(config.site.state);
  });
  afterAll(async () => {
    await store?.close();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ingest = (pushed?: string) =>
    ingestChannel(config, store, config.channels[0], { logger: silentLogger, ...(pushed ? { pushed: { body: Buffer.from(pushed), contentType: 'application/rss+xml' } } : {}) });
  const meta = async () => (await store.channelState(config.channels[0].key))?.meta;

  it('records the image, the hubs (at most 8) and the topic of a full fetch', async () => {
    const hubs = Array.from({ length: 20 }, (_, i) => `<atom:link rel="hub" href="https://hub${i}.example/"/>`).join('');
    body = rss(`<image><url>/img/logo.png</url></image>${hubs}<atom:link rel="self" href="https://a.example/feed"/>`);
    expect((await ingest()).status).toBe('new');
    expect(await meta()).toEqual({
      image: `${upstream.url}/img/logo.png`,
      hubs: Array.from({ length: 8 }, (_, i) => `https://hub${i}.example/`),
      self: 'https://a.example/feed',
    });
  });

  it('keeps it through a 304 and a push; the Link header\'s hub and self win over the body\'s', async () => {
    expect((await ingest()).status).toBe('not-modified');
    expect((await meta())?.image).toBe(`${upstream.url}/img/logo.png`);
    expect((await ingest(rss(''))).status).toBe('unchanged');
    expect((await meta())?.hubs).toHaveLength(8);
    etag = '"2"';
    linkHeader = '<https://hub.example/h>; rel="hub", <https://a.example/topic>; rel="self"';
    await ingest();
    expect(await meta()).toEqual({ image: `${upstream.url}/img/logo.png`, hubs: ['https://hub.example/h'], self: 'https://a.example/topic' });
  });

  it('forgets what a later full fetch no longer names', async () => {
    etag = '"3"';
    linkHeader = undefined;
    body = rss('');
    await ingest();
    expect(await meta()).toBeUndefined();
  });
});
