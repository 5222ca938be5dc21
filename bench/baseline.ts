import { writeFileSync } from 'node:fs';
import { Feed } from 'feed';
import Parser from 'rss-parser';
import { request } from 'undici';

// The yardstick refeed's cold cycle is compared with: the least an aggregator
// can do — fetch every feed (same concurrency), parse it with rss-parser and
// write one merged RSS feed with `feed`. No sanitizing, no store, no
// per-category feeds, no conditional requests.

export interface BaselineOptions {
  concurrency: number;
  /** Items in the merged feed (refeed's site.limit, so both write a feed of the same length). */
  limit: number;
  outFile: string;
}

export interface BaselineResult {
  feeds: number;
  failed: number;
  items: number;
  bytes: number;
}

interface Entry {
  title: string;
  link: string;
  guid: string;
  date: Date;
  content: string;
}

export async function runBaseline(urls: readonly string[], opts: BaselineOptions): Promise<BaselineResult> {
  const parser = new Parser<Record<string, unknown>, { 'content:encoded'?: string; id?: string }>();
  const entries: Entry[] = [];
  let bytes = 0;
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++];
      try {
        const res = await request(url);
        const body = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
        bytes += Buffer.byteLength(body);
        const feed = await parser.parseString(body);
        for (const it of feed.items) {
          entries.push({
            title: it.title ?? '',
            link: it.link ?? '',
            guid: it.guid ?? it.id ?? it.link ?? '',
            date: new Date(it.isoDate ?? it.pubDate ?? 0),
            content: it['content:encoded'] ?? it.content ?? '',
          });
        }
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, urls.length) }, worker));

  entries.sort((a, b) => b.date.getTime() - a.date.getTime());
  const merged = new Feed({ title: 'baseline', id: 'urn:refeed-bench:baseline', link: 'http://127.0.0.1/', updated: entries[0]?.date ?? new Date(0), copyright: '' });
  for (const e of entries.slice(0, opts.limit)) merged.addItem({ title: e.title, id: e.guid, link: e.link, date: e.date, content: e.content });
  writeFileSync(opts.outFile, merged.rss2());
  return { feeds: urls.length, failed, items: entries.length, bytes };
}
