import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { publish } from '../../src/publish/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { rss, type FeedItemSpec } from '../hostile/feeds.ts';
import { sfeedItems } from '../helpers/feed-clients.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// A small site for the integrity cases: an upstream whose feeds the test
// rewrites between runs, a configuration written as YAML (by the yaml
// library), and helpers to fetch + publish in-process and read what a reader
// would see.

export interface Upstream {
  server: TestServer;
  url: (feed: string) => string;
  /** The items each feed lists now. */
  feeds: Map<string, FeedItemSpec[]>;
  /** Milliseconds a feed takes to answer (to order fetches that run at once). */
  delays: Map<string, number>;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const feeds = new Map<string, FeedItemSpec[]>();
  const delays = new Map<string, number>();
  const server = await startServer((req, res) => {
    const name = (req.url ?? '').replace(/^\//, '').replace(/\.xml$/, '');
    const items = feeds.get(name);
    if (!items) return void res.writeHead(404).end();
    const body = rss(name, items);
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body), delays.get(name) ?? 0);
  });
  return { server, feeds, delays, url: (feed) => `${server.url}/${feed}.xml`, close: () => server.close() };
}

export interface ChannelDef {
  group: string;
  source: string;
  channel: string;
  url: string;
  slug?: string;
  limit?: number;
}

export interface Site {
  dir: string;
  file: string;
  config: RefeedConfig;
  store: SqliteStore;
  /** Rewrites the configuration (and reloads it). */
  configure(channels: ChannelDef[]): RefeedConfig;
  /** runFetch + publish, in-process, at `now`. */
  cycle(now?: number): Promise<Awaited<ReturnType<typeof runFetch>>>;
  /** Item links in a published feed, as sfeed reads them. */
  links(feedDir: string): string[];
  close(): Promise<void>;
}

export function yamlFor(channels: ChannelDef[]): string {
  const groups: { name: string; sources: { name: string; channels: Record<string, unknown>[] }[] }[] = [];
  for (const c of channels) {
    let g = groups.find((x) => x.name === c.group);
    if (!g) groups.push((g = { name: c.group, sources: [] }));
    let s = g.sources.find((x) => x.name === c.source);
    if (!s) g.sources.push((s = { name: c.source, channels: [] }));
    s.channels.push({ name: c.channel, url: c.url, ...(c.slug ? { slug: c.slug } : {}), ...(c.limit ? { limit: c.limit } : {}) });
  }
  return stringify({ site: { title: 'integrity', url: 'http://127.0.0.1/', output: 'out', state: 'state.db', limit: 200 }, defaults: { allow_private: true, limit: 200 }, groups });
}

export function makeSite(channels: ChannelDef[]): Site {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-integrity-'));
  const file = path.join(dir, 'refeed.yaml');
  const site: Site = {
    dir,
    file,
    config: undefined as unknown as RefeedConfig,
    store: undefined as unknown as SqliteStore,
    configure(list) {
      writeFileSync(file, yamlFor(list));
      site.config = loadConfig(file);
      return site.config;
    },
    async cycle(now = Date.now()) {
      const reports = await runFetch(site.config, site.store, { logger: silentLogger, now: () => now });
      const pub = await publish(site.config, site.store, { logger: silentLogger });
      if (pub.errors.length) throw new Error(`publish errors: ${JSON.stringify(pub.errors)}`);
      return reports;
    },
    links(feedDir) {
      return sfeedItems(readFileSync(path.join(site.config.site.output, feedDir, 'rss.xml'), 'utf8')).map((i) => i.link ?? '');
    },
    async close() {
      await site.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  site.configure(channels);
  site.store = new SqliteStore(site.config.site.state);
  return site;
}

export const item = (n: number | string, o: Partial<FeedItemSpec> = {}): FeedItemSpec => ({
  guid: `g-${n}`,
  title: `Item ${n}`,
  link: `https://news.example/${n}`,
  date: new Date(Date.UTC(2024, 0, 1) + (typeof n === 'number' ? n : 0) * 3_600_000),
  html: `<p>Body of ${n}</p>`,
  ...o,
});
