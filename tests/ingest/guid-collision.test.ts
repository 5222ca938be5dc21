import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFetchSummary } from '../../src/cli/fetch-summary.ts';
import { parseConfig } from '../../src/config/index.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Issue 20: a second item with an already-seen guid but a different link and
// content was dropped without a word. It is still dropped (the first wins),
// but logged and counted in the channel's report.

const item = (guid: string, title: string, link: string, body: string) =>
  `<item><title>${title}</title><link>${link}</link><guid isPermaLink="false">${guid}</guid><pubDate>Sat, 30 Jul 2022 00:00:00 GMT</pubDate><description>${body}</description></item>`;
const rss = (items: string) => `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><link>https://site.example/</link>${items}</channel></rss>`;

const FEEDS: Record<string, string> = {
  '/reused.xml': rss(item('same', 'First', 'https://site.example/1', 'one') + item('same', 'Second', 'https://site.example/2', 'two') + item('other', 'Third', 'https://site.example/3', 'three')),
  // The same item written twice: nothing is lost by keeping one, nothing to say.
  '/verbatim.xml': rss(item('same', 'First', 'https://site.example/v1', 'one') + item('same', 'First', 'https://site.example/v1', 'one')),
};

describe('a guid repeated inside one feed with another link and content', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const body = FEEDS[req.url ?? ''];
      if (body) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
      else res.writeHead(404).end();
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-guid-'));
  });
  afterAll(async () => void (await server?.close()));

  it('is dropped (the first wins) with a guid-collision log line, and counted in the report', async () => {
    const config = parseConfig(
      `site: { output: out, state: state.db }
defaults: { allow_private: true }
groups:
  - name: g
    sources:
      - name: s
        channels:
          - { name: reused, url: "${server.url}/reused.xml" }
          - { name: verbatim, url: "${server.url}/verbatim.xml" }
`,
      path.join(dir, 'refeed.yaml'),
    );
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const store = new SqliteStore(config.site.state);
    try {
      const reports = await runFetch(config, store, { logger });
      const [reused, verbatim] = reports;
      expect(reused.newItems).toBe(2);
      expect(reused.guidCollisions).toBe(1);
      expect(verbatim.newItems).toBe(1);
      expect(verbatim.guidCollisions).toBeUndefined();
      const warned = lines.filter((l) => l.code === 'guid-collision');
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatchObject({
        channel: 'g/s/reused',
        dropped: 1,
        examples: [{ itemKey: 'same', keptLink: 'https://site.example/1', droppedLink: 'https://site.example/2', droppedTitle: 'Second' }],
      });
      expect(formatFetchSummary(reports)).toMatch(/g\/s\/reused\s+new\s+new 2, updated 0, guid collisions 1 \(dropped\)/);
    } finally {
      await store.close();
    }
  });
});
