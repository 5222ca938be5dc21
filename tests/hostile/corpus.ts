import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { startServer, type TestServer } from '../helpers/server.ts';
import { rss } from './feeds.ts';

// A corpus big enough that `refeed fetch` and `refeed publish` take a while:
// 40 channels (4 groups × 2 sources × 5 channels) of 30 dated items each
// (undated items would take their first-seen time, which differs between
// runs). `version` changes every body, so each fetch rewrites every article
// and each publish after it rewrites every feed.

export const GROUPS = 4;
export const SOURCES = 2;
export const CHANNELS = 5;
export const ITEMS = 30;

export interface Corpus {
  server: TestServer;
  version: number;
  /** Requests the upstream answered so far. */
  requests(): number;
  close(): Promise<void>;
}

function channelFeed(n: number, version: number): string {
  return rss(
    `corpus-${n}`,
    Array.from({ length: ITEMS }, (_, i) => ({
      guid: `c${n}-i${i}`,
      title: `Channel ${n} item ${i}`,
      link: `https://corpus.example/${n}/${i}`,
      date: new Date(Date.UTC(2024, 0, 1) + (n * ITEMS + i) * 3_600_000),
      html: `<p>Channel ${n}, item ${i}, version ${version}.</p><p>${'Lorem ipsum dolor sit amet. '.repeat(20)}</p><img src="https://img.example/${n}/${i}.jpg">`,
    })),
  );
}

export async function startCorpus(): Promise<Corpus> {
  const cache = new Map<string, { body: string; etag: string }>();
  const corpus = {
    version: 0,
  } as Corpus;
  const server = await startServer((req, res) => {
    const m = /^\/c\/(\d+)\.xml$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const key = `${m[1]}@${corpus.version}`;
    let hit = cache.get(key);
    if (!hit) {
      const body = channelFeed(Number(m[1]), corpus.version);
      hit = { body, etag: `"${createHash('sha1').update(body).digest('hex')}"` };
      cache.set(key, hit);
    }
    if (req.headers['if-none-match'] === hit.etag) return void res.writeHead(304, { etag: hit.etag }).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: hit.etag }).end(hit.body);
  });
  corpus.server = server;
  corpus.requests = () => server.requests.length;
  corpus.close = () => server.close();
  return corpus;
}

export function corpusConfigYaml(upstreamUrl: string): string {
  let n = 0;
  return stringify({
    site: { title: 'corpus', url: 'http://127.0.0.1/', output: 'out', state: 'state.db', limit: 50 },
    defaults: { limit: ITEMS, timeout: '20s', allow_private: true },
    groups: Array.from({ length: GROUPS }, (_, g) => ({
      name: `Group ${g}`,
      sources: Array.from({ length: SOURCES }, (_, s) => ({
        name: `Source ${g}-${s}`,
        channels: Array.from({ length: CHANNELS }, (_, c) => ({ name: `Channel ${c}`, url: `${upstreamUrl}/c/${n++}.xml` })),
      })),
    })),
  });
}
