import type { RefeedConfig } from '../core/types.ts';
import type { ArticleRecord, Store } from '../store/index.ts';
import { uniqueIds, type FeedEntry } from './items.ts';
import type { ArticleLoader, LoadedArticle } from './loader.ts';
import type { FileOutcome, OutputWriter } from './output-writer.ts';
import { FEED_FILES, feedUrls, type FeedFormat, type FeedSpec } from './plan.ts';
import { RenderAhead, type RenderWorkersOptions } from './render-ahead.ts';
import { assembleFeedBuffers, encodeItem, feedUpdated, type EncodedItem, type FeedMeta } from './render-feed.ts';
import type { TopRows } from './rows.ts';
import { xmlSafe } from './text.ts';
import type { FeedJob } from './work.ts';

export interface BuiltFeed {
  job: FeedJob;
  files: FileOutcome[];
}

/** The newest `limit` readable articles of a feed; a skipped file makes room for the next one. */
async function collect(spec: FeedSpec, rows: ArticleRecord[], loader: ArticleLoader, topRows: TopRows): Promise<{ items: FeedEntry[]; rendered: EncodedItem[] }> {
  for (let want = spec.limit; ; ) {
    await loader.prefetch(rows);
    const entries: { item: FeedEntry; channelKey: string; loaded: LoadedArticle; row: ArticleRecord }[] = [];
    for (const r of rows) {
      const loaded = loader.get(r);
      if (loaded) entries.push({ item: loaded.item, channelKey: r.channelKey, loaded, row: r });
      if (entries.length === spec.limit) break;
    }
    if (entries.length === spec.limit || rows.length < want) {
      const items = uniqueIds(entries);
      const rendered: EncodedItem[] = [];
      for (const [i, item] of items.entries()) {
        const { loaded, row } = entries[i];
        if (item === loaded.item) {
          rendered.push((loaded.rendered ??= encodeItem(item)));
          continue;
        }
        // An item whose id had to change in this feed is rendered for it alone, from the whole article.
        const whole = loaded.bodiless ? ((await loader.whole(row)) ?? loaded.item) : loaded.item;
        rendered.push(encodeItem({ ...whole, id: item.id, idIsLink: item.idIsLink }));
      }
      return { items, rendered };
    }
    want += spec.limit - entries.length;
    rows = await topRows(spec.key, want);
  }
}

function feedMeta(config: RefeedConfig, spec: FeedSpec, items: readonly FeedEntry[], whenEmpty: Date, ownImage: string | undefined): FeedMeta {
  const image = ownImage ?? config.site.icon;
  const urls = feedUrls(config.site, spec);
  return {
    title: xmlSafe(spec.title),
    description: xmlSafe(spec.description),
    htmlUrl: urls.html,
    selfUrls: { rss: urls.rss, atom: urls.atom, json: urls.json },
    language: xmlSafe(config.site.language),
    updated: feedUpdated(items, whenEmpty),
    authorName: xmlSafe(config.site.title),
    ...(image ? { image: xmlSafe(image) } : {}),
    ...(config.site.websubHubs.length ? { hubs: config.site.websubHubs.map(xmlSafe) } : {}),
  };
}

/**
 * Renders every job's RSS, Atom and JSON files in build order and queues them
 * for writing. For big runs, render workers prepare the articles the next
 * feeds need (see render-ahead.ts) while this thread assembles and writes.
 */
export async function buildFeeds(
  config: RefeedConfig,
  store: Store,
  jobs: readonly FeedJob[],
  deps: { loader: ArticleLoader; writer: OutputWriter; topRows: TopRows; whenEmpty: (spec: FeedSpec) => Date; renderWorkers?: RenderWorkersOptions },
): Promise<BuiltFeed[]> {
  const { loader, writer } = deps;
  const ahead = RenderAhead.start(
    { output: config.site.output, stateFile: store.contentFile },
    jobs.map((j) => j.rows),
    ({ id, item, rendered }) => {
      // Buffers arrive as plain Uint8Arrays over their transferred memory: viewed as Buffers, not copied.
      const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      loader.accept(id, { item, bodiless: true, rendered: { rss: buf(rendered.rss), atom: buf(rendered.atom), json: buf(rendered.json) } });
    },
    deps.renderWorkers,
  );
  const built: BuiltFeed[] = [];
  try {
    for (const [i, job] of jobs.entries()) {
      await ahead?.ready(i);
      const { items, rendered } = await collect(job.spec, job.rows, loader, deps.topRows);
      const files = assembleFeedBuffers(feedMeta(config, job.spec, items, deps.whenEmpty(job.spec), job.image), rendered);
      loader.release(job.rows);
      await loader.flush(false);
      const out: BuiltFeed = { job, files: [] };
      for (const f of Object.keys(FEED_FILES) as FeedFormat[]) out.files.push(await writer.write(`${job.spec.dir}${FEED_FILES[f]}`, files[f]));
      built.push(out);
    }
  } finally {
    await ahead?.close();
  }
  return built;
}
