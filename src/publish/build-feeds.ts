import type { RefeedConfig } from '../core/types.ts';
import type { ArticleRecord } from '../store/index.ts';
import { uniqueIds, type FeedItem } from './items.ts';
import type { ArticleLoader, LoadedArticle } from './loader.ts';
import type { FileOutcome, OutputWriter } from './output-writer.ts';
import { FEED_FILES, feedUrls, type FeedFormat, type FeedSpec } from './plan.ts';
import { assembleFeedBuffers, encodeItem, feedUpdated, type EncodedItem, type FeedMeta } from './render-feed.ts';
import type { TopRows } from './rows.ts';
import { xmlSafe } from './text.ts';
import type { FeedJob } from './work.ts';

export interface BuiltFeed {
  job: FeedJob;
  files: FileOutcome[];
}

/** The newest `limit` articles of a feed the store holds content for; one without makes room for the next one. */
async function collect(spec: FeedSpec, rows: ArticleRecord[], loader: ArticleLoader, topRows: TopRows): Promise<{ items: FeedItem[]; rendered: EncodedItem[] }> {
  for (let want = spec.limit; ; ) {
    await loader.prefetch(rows);
    const entries: { item: FeedItem; channelKey: string; loaded: LoadedArticle }[] = [];
    for (const r of rows) {
      const loaded = loader.get(r);
      if (loaded) entries.push({ item: loaded.item, channelKey: r.channelKey, loaded });
      if (entries.length === spec.limit) break;
    }
    if (entries.length === spec.limit || rows.length < want) {
      const items = uniqueIds(entries);
      // An item whose id had to change in this feed is rendered for it alone.
      const rendered = items.map((item, i) => (item === entries[i].item ? (entries[i].loaded.rendered ??= encodeItem(item)) : encodeItem(item)));
      return { items, rendered };
    }
    want += spec.limit - entries.length;
    rows = await topRows(spec.key, want);
  }
}

function feedMeta(config: RefeedConfig, spec: FeedSpec, items: readonly FeedItem[], whenEmpty: Date): FeedMeta {
  const urls = feedUrls(config.site, spec);
  return {
    title: xmlSafe(spec.title),
    description: xmlSafe(spec.description),
    htmlUrl: urls.html,
    selfUrls: { rss: urls.rss, atom: urls.atom, json: urls.json },
    language: xmlSafe(config.site.language),
    updated: feedUpdated(items, whenEmpty),
    authorName: xmlSafe(config.site.title),
  };
}

/** Renders every job's RSS, Atom and JSON files in build order and queues them for writing. */
export async function buildFeeds(
  config: RefeedConfig,
  jobs: readonly FeedJob[],
  deps: { loader: ArticleLoader; writer: OutputWriter; topRows: TopRows; whenEmpty: (spec: FeedSpec) => Date },
): Promise<BuiltFeed[]> {
  const { loader, writer } = deps;
  const built: BuiltFeed[] = [];
  for (const job of jobs) {
    const { items, rendered } = await collect(job.spec, job.rows, loader, deps.topRows);
    const files = assembleFeedBuffers(feedMeta(config, job.spec, items, deps.whenEmpty(job.spec)), rendered);
    loader.release(job.rows);
    const out: BuiltFeed = { job, files: [] };
    for (const f of Object.keys(FEED_FILES) as FeedFormat[]) out.files.push(await writer.write(`${job.spec.dir}${FEED_FILES[f]}`, files[f]));
    built.push(out);
  }
  return built;
}
