import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import { parseArticle } from '../normalize/index.ts';
import { writeFileIfChanged } from '../store/atomic-write.ts';
import type { ArticleRecord, StateDb } from '../store/state-db.ts';
import { buildIndexHtml, type IndexEntry } from './index-html.ts';
import { toFeedItem, uniqueIds, type ArticleContent, type FeedItem } from './items.ts';
import { PublishLedger } from './ledger.ts';
import { buildOpml } from './opml.ts';
import { FEED_FILES, feedUrls, INDEX_FILES, planFeeds, PUBLISH_FORMAT_VERSION, specHash, type FeedFormat, type FeedSpec } from './plan.ts';
import { feedUpdated, renderFeeds, type FeedMeta } from './render-feed.ts';
import { xmlSafe } from './text.ts';

export interface PublishOptions {
  logger: Logger;
  /** Rebuild every feed, whatever changed (e.g. after fixing an article file by hand). */
  full?: boolean;
}

export interface SkippedArticle {
  /** Relative to the output folder. */
  path: string;
  reason: string;
}

export interface PublishReport {
  /** Feeds the configuration publishes. */
  feeds: number;
  /** Feed keys whose files were regenerated ('' is the merged feed). */
  rebuilt: string[];
  /** Files (relative to the output folder) whose bytes changed and were replaced. */
  written: string[];
  /** Files regenerated with the bytes already on disk: left untouched. */
  unchanged: string[];
  /** Article files that could not be read or parsed; their feeds were built without them. */
  skipped: SkippedArticle[];
  /** Article files parsed during the run (each at most once). */
  articlesParsed: number;
  /** Files that could not be written; their feeds stay dirty and are retried next run. */
  errors: { path: string; reason: string }[];
}

/** How many latest items index.html shows: overall, and per channel. */
const INDEX_LATEST = { merged: 10, channel: 5 };
const INDEX_KEY = '#index';

/** Signature of the article rows a feed is built from: equal signatures, equal feed items. */
function rowsHash(rows: readonly ArticleRecord[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify([r.id, r.contentHash, r.path, r.date])).update('\n');
  return h.digest('hex');
}

/**
 * Publishes the feeds of `config` from the state index and article files.
 * Only feeds that changed are rebuilt: those marked dirty by ingest (and
 * whose newest rows did change), those whose configuration inputs changed,
 * and those with a file missing. Unchanged bytes are never rewritten. A bad
 * article file is reported and skipped; a write failure is reported and
 * leaves its feed dirty. Feeds of channels no longer configured are left alone.
 */
export function publish(config: RefeedConfig, state: StateDb, opts: PublishOptions): PublishReport {
  const log = opts.logger.child({ stage: 'publish' });
  const output = config.site.output;
  const specs = planFeeds(config);
  const configured = new Set(config.channels.map((c) => c.key));
  const ledger = new PublishLedger(state);
  const dirty = new Set(state.dirtyFeeds());
  const report: PublishReport = { feeds: specs.length, rebuilt: [], written: [], unchanged: [], skipped: [], articlesParsed: 0, errors: [] };

  // Rows of configured channels only: articles of a channel removed from the
  // config drop out of the merged, group and source feeds.
  const topRows = (key: string, want: number): ArticleRecord[] => {
    for (let n = want; ; n *= 2) {
      const raw = state.topArticles(key, n);
      const kept = raw.filter((r) => configured.has(r.channelKey));
      if (kept.length >= want || raw.length < n) return kept.slice(0, want);
    }
  };

  const contents = new Map<string, ArticleContent | undefined>();
  const load = (row: ArticleRecord): ArticleContent | undefined => {
    if (contents.has(row.path)) return contents.get(row.path);
    let content: ArticleContent | undefined;
    let reason: string | undefined;
    const file = path.resolve(output, row.path);
    if (!file.startsWith(output + path.sep)) reason = 'path outside the output folder';
    else {
      try {
        const text = readFileSync(file, 'utf8');
        report.articlesParsed++;
        content = parseArticle(text);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        reason = e.code === 'ENOENT' ? 'file missing (deleted?)' : e.message;
      }
    }
    if (reason) {
      report.skipped.push({ path: row.path, reason });
      log.warn({ path: row.path, reason }, 'article file skipped; fix it and run `refeed publish --full` to include it again');
    }
    contents.set(row.path, content);
    return content;
  };

  // The newest `limit` readable articles of a feed; a skipped file makes room for the next one.
  const collect = (spec: FeedSpec, rows: ArticleRecord[]): FeedItem[] => {
    for (let want = spec.limit; ; ) {
      const entries: { item: FeedItem; channelKey: string }[] = [];
      for (const r of rows) {
        const a = load(r);
        if (a) entries.push({ item: toFeedItem(r, a), channelKey: r.channelKey });
        if (entries.length === spec.limit) break;
      }
      if (entries.length === spec.limit || rows.length < want) return uniqueIds(entries);
      want += spec.limit - entries.length;
      rows = topRows(spec.key, want);
    }
  };

  const write = (rel: string, data: string): boolean => {
    try {
      (writeFileIfChanged(path.join(output, rel), data) ? report.written : report.unchanged).push(rel);
      return true;
    } catch (err) {
      const reason = (err as Error).message;
      report.errors.push({ path: rel, reason });
      log.error({ path: rel, reason }, 'cannot write published file');
      return false;
    }
  };

  const published: { spec: FeedSpec; specHash: string; rowsHash: string }[] = [];
  for (const spec of specs) {
    const hash = specHash(config.site, spec);
    const prev = ledger.get(spec.key);
    const missing = Object.values(FEED_FILES).some((f) => !existsSync(path.join(output, spec.dir, f)));
    const settled = !opts.full && !missing && prev?.specHash === hash;
    if (settled && !dirty.has(spec.key)) continue;
    const rows = topRows(spec.key, spec.limit);
    const rHash = rowsHash(rows);
    // Dirty, but its newest rows are what was published (e.g. an old article changed): nothing to do.
    if (settled && prev?.rowsHash === rHash) {
      published.push({ spec, specHash: hash, rowsHash: rHash });
      continue;
    }
    const items = collect(spec, rows);
    const urls = feedUrls(config.site, spec);
    const meta: FeedMeta = {
      title: xmlSafe(spec.title),
      description: xmlSafe(spec.description),
      htmlUrl: urls.html,
      selfUrls: { rss: urls.rss, atom: urls.atom, json: urls.json },
      language: xmlSafe(config.site.language),
      updated: feedUpdated(items),
      authorName: xmlSafe(config.site.title),
    };
    const files = renderFeeds(meta, items);
    report.rebuilt.push(spec.key);
    let ok = true;
    for (const f of Object.keys(FEED_FILES) as FeedFormat[]) ok = write(`${spec.dir}${FEED_FILES[f]}`, files[f]) && ok;
    if (ok) published.push({ spec, specHash: hash, rowsHash: rHash });
  }

  const indexHash = createHash('sha256')
    .update(JSON.stringify({ v: PUBLISH_FORMAT_VERSION, site: [config.site.title, config.site.description, config.site.url, config.site.language], specs }))
    .digest('hex');
  const indexMissing = Object.values(INDEX_FILES).some((f) => !existsSync(path.join(output, f)));
  let indexOk: boolean | undefined;
  if (opts.full || report.rebuilt.length || indexMissing || ledger.get(INDEX_KEY)?.specHash !== indexHash) {
    const latest = (key: string): IndexEntry[] =>
      topRows(key, key ? INDEX_LATEST.channel : INDEX_LATEST.merged).map((r) => ({ title: r.title, link: r.link, date: r.date }));
    const opml = write(INDEX_FILES.opml, buildOpml(config, specs));
    const html = write(INDEX_FILES.html, buildIndexHtml(config, specs, latest));
    indexOk = opml && html;
  }

  // Record what was published and clear dirty flags in one write transaction.
  // A flag is cleared only if the feed's rows are still the ones it was built
  // from: an ingest that ran meanwhile (another process) keeps its feeds dirty.
  state.db
    .transaction(() => {
      const clear: string[] = [];
      for (const p of published) {
        ledger.set(p.spec.key, { specHash: p.specHash, rowsHash: p.rowsHash });
        if (dirty.has(p.spec.key) && rowsHash(topRows(p.spec.key, p.spec.limit)) === p.rowsHash) clear.push(p.spec.key);
      }
      const planned = new Set(specs.map((s) => s.key));
      for (const key of dirty) if (!planned.has(key)) clear.push(key); // removed from the config: left alone
      if (indexOk !== undefined) ledger.set(INDEX_KEY, { specHash: indexOk ? indexHash : 'failed', rowsHash: '' });
      state.clearDirty(clear);
    })
    .immediate();

  log.info(
    { feeds: report.feeds, rebuilt: report.rebuilt.length, written: report.written.length, unchanged: report.unchanged.length, skipped: report.skipped.length, errors: report.errors.length },
    'published',
  );
  return report;
}
