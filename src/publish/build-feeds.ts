import type { RefeedConfig } from '../core/types.ts';
import type { ArticleRecord } from '../store/index.ts';
import { uniqueIds } from './items.ts';
import type { ArticleLoader, LoadedArticle } from './loader.ts';
import type { FileOutcome, OutputWriter } from './output-writer.ts';
import { FEED_FILES, feedUrls, type FeedFormat, type FeedSpec } from './plan.ts';
import { assembleFeedBuffers, feedUpdated, type EncodedItem, type FeedMeta } from './render-feed.ts';
import type { TopRows } from './rows.ts';
import { xmlSafe } from './text.ts';
import type { FeedJob } from './work.ts';

/**
 * Articles loaded ahead, for the next feeds, in one query: a feed has tens
 * of items, and on a server database each query is a round trip. Bounds
 * the fragments held at once (a few KB to tens of KB each).
 */
const LOAD_AHEAD = 2048;

/** The rows of `jobs[from]` and the feeds after it, up to LOAD_AHEAD distinct articles; and the first job not included. */
function rowsAhead(jobs: readonly FeedJob[], from: number): { rows: ArticleRecord[]; next: number } {
  const seen = new Set<string>();
  const rows: ArticleRecord[] = [];
  let next = from;
  while (next < jobs.length && (next === from || seen.size + jobs[next].rows.length <= LOAD_AHEAD)) {
    for (const r of jobs[next].rows) if (!seen.has(r.id)) (seen.add(r.id), rows.push(r));
    next++;
  }
  return { rows, next };
}

export interface BuiltFeed {
  job: FeedJob;
  files: FileOutcome[];
}

/**
 * The newest `limit` articles of a feed the store holds content for (one
 * without makes room for the next), as encoded items, with their dates.
 */
async function collect(spec: FeedSpec, rows: ArticleRecord[], loader: ArticleLoader, topRows: TopRows): Promise<{ dates: Date[]; encoded: EncodedItem[] }> {
  for (let want = spec.limit; ; ) {
    await loader.load(rows);
    const entries: { item: LoadedArticle; channelKey: string; row: ArticleRecord }[] = [];
    for (const r of rows) {
      const loaded = loader.get(r);
      if (loaded) entries.push({ item: loaded, channelKey: r.channelKey, row: r });
      if (entries.length === spec.limit) break;
    }
    if (entries.length === spec.limit || rows.length < want) {
      const unique = uniqueIds(entries);
      const encoded: EncodedItem[] = [];
      for (const [i, { item, row }] of entries.entries()) {
        // An item whose id had to change in this feed is encoded for it alone, from its whole content.
        encoded.push(unique[i] === item ? item.encoded : ((await loader.reencoded(row, unique[i].id)) ?? item.encoded));
      }
      return { dates: entries.map((e) => new Date(e.row.date)), encoded };
    }
    want += spec.limit - entries.length;
    rows = await topRows(spec.key, want);
  }
}

function feedMeta(config: RefeedConfig, spec: FeedSpec, dates: readonly Date[], whenEmpty: Date, ownImage: string | undefined): FeedMeta {
  const image = ownImage ?? config.site.icon;
  const urls = feedUrls(config.site, spec);
  return {
    title: xmlSafe(spec.title),
    description: xmlSafe(spec.description),
    htmlUrl: urls.html,
    selfUrls: { rss: urls.rss, atom: urls.atom, json: urls.json },
    language: xmlSafe(config.site.language),
    updated: feedUpdated(dates.map((date) => ({ date })), whenEmpty),
    authorName: xmlSafe(config.site.title),
    ...(image ? { image: xmlSafe(image) } : {}),
    ...(config.site.websubHubs.length ? { hubs: config.site.websubHubs.map(xmlSafe) } : {}),
  };
}

/** Assembles every job's RSS, Atom and JSON files from its items' fragments, in build order, and queues them for writing. */
export async function buildFeeds(
  config: RefeedConfig,
  jobs: readonly FeedJob[],
  deps: { loader: ArticleLoader; writer: OutputWriter; topRows: TopRows; whenEmpty: (spec: FeedSpec) => Date },
): Promise<BuiltFeed[]> {
  const { loader, writer } = deps;
  const built: BuiltFeed[] = [];
  let loadedUpTo = 0;
  for (const [i, job] of jobs.entries()) {
    if (i >= loadedUpTo) {
      const ahead = rowsAhead(jobs, i);
      await loader.load(ahead.rows);
      loadedUpTo = ahead.next;
    }
    const { dates, encoded } = await collect(job.spec, job.rows, loader, deps.topRows);
    const files = assembleFeedBuffers(feedMeta(config, job.spec, dates, deps.whenEmpty(job.spec), job.image), encoded);
    loader.release(job.rows);
    await loader.flush(false);
    const out: BuiltFeed = { job, files: [] };
    for (const f of Object.keys(FEED_FILES) as FeedFormat[]) out.files.push(await writer.write(`${job.spec.dir}${FEED_FILES[f]}`, files[f]));
    built.push(out);
  }
  return built;
}
