import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { openStore } from '../../src/store/index.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';

const FEED = (t: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${t}</title><link>https://${t}.example/</link><item><title>${t} item</title><link>https://${t}.example/1</link><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><description>x</description></item></channel></rss>`;

// A failure inside refeed itself (here: a group whose article folder cannot be
// created) is that channel's reported error, never a lost report or a crashed run.
describe('ingest guard', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(routes({ '/a.xml': { body: FEED('a') }, '/b.xml': { body: FEED('b') } }));
  });
  afterAll(() => server?.close());

  it('reports an unexpected error on its channel and stores the others', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-guard-'));
    const config = parseConfig(
      `site: { output: out, state: state.db }
defaults: { allow_private: true }
groups:
  - name: Bad
    sources: [{ name: S, channels: [{ name: c, url: "${server.url}/a.xml" }] }]
  - name: Good
    sources: [{ name: S, channels: [{ name: c, url: "${server.url}/b.xml" }] }]
`,
      path.join(dir, 'refeed.yaml'),
    );
    // A plain file where the Bad group's article folder must go.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(config.site.output, 'articles'), { recursive: true });
    writeFileSync(path.join(config.site.output, 'articles', 'bad'), 'not a folder');
    const state = await openStore(config.site.state);
    const reports = await runFetch(config, state, { logger: silentLogger });
    expect(reports.map((r) => [r.key, r.status])).toEqual([
      ['bad/s/c', 'error'],
      ['good/s/c', 'new'],
    ]);
    expect(reports[0].error?.code).toBe('internal');
    expect(reports[0].error?.message).toMatch(/ENOTDIR|not a directory|EEXIST/i);
    expect((await state.channelState('bad/s/c'))!.lastError).toMatch(/^internal: /);
    // The Bad article's row is stored but its file could not be written: it stays pending (retried every run), the Good one is written.
    expect(await state.countArticles()).toBe(2);
    expect(await state.pendingFiles(10)).toHaveLength(1);
    expect((await runFetch(config, state, { logger: silentLogger }))[1].status).toBe('unchanged');
    await state.close();
  });
});
