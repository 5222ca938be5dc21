import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import { parseArticle } from '../normalize/index.ts';
import { writeFileIfChangedAsync } from '../util/atomic-write.ts';
import { WriteQueue } from '../util/write-queue.ts';
import type { ArticleRecord, CachedArticleContent, StateDb } from '../store/state-db.ts';
import { articleSource } from './article-source.ts';
import { RenderAhead, type RenderWorkersOptions } from './render-ahead.ts';
import { buildIndexHtml, type IndexEntry } from './index-html.ts';
import { toFeedItem, uniqueIds, type ArticleContent, type FeedItem } from './items.ts';
import { buildOpml } from './opml.ts';
import { FEED_FILES, feedUrls, INDEX_FILES, planFeeds, PUBLISH_FORMAT_VERSION, specHash, type FeedFormat, type FeedSpec } from './plan.ts';
import { assembleFeedBuffers, encodeItem, feedUpdated, type EncodedItem, type FeedMeta } from './render-feed.ts';
import { xmlSafe } from './text.ts';

export interface PublishOptions {
  logger: Logger;
  /** Rebuild every feed, whatever changed (e.g. after fixing an article file by hand). */
  full?: boolean;
  /** Worker threads that render articles for big runs (see render-ahead.ts). */
  renderWorkers?: RenderWorkersOptions;
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
  /** Article files read and parsed during the run (each at most once): those whose content the store did not hold, or held for another version of the file. */
  articlesParsed: number;
  /** Distinct articles placed in the rebuilt feeds, from the store's content cache or from their files. */
  articlesUsed: number;
  /** Of those, how many render worker threads prepared (the rest the main thread did). */
  articlesRenderedByWorkers: number;
  /** Files that could not be written; their feeds stay dirty and are retried next run. */
  errors: { path: string; reason: string }[];
}

/** How many latest items index.html shows: overall, and per channel. */
const INDEX_LATEST = { merged: 10, channel: 5 };
const indexLatest = (key: string) => (key ? INDEX_LATEST.channel : INDEX_LATEST.merged);
const indexEntry = (r: ArticleRecord): IndexEntry => ({ title: r.title, link: r.link, date: r.date });

/** index.html's entries for a feed from the rows it was planned from; undefined when those are too few to tell (a limit below the page's count). */
function latestEntries(spec: FeedSpec, rows: readonly ArticleRecord[]): IndexEntry[] | undefined {
  const want = indexLatest(spec.key);
  if (rows.length < want && rows.length >= spec.limit) return undefined;
  return rows.slice(0, want).map(indexEntry);
}
/** Ledger keys of the index files: the OPML depends on the configuration only, index.html also on the newest rows. */
const INDEX_KEY = '#index';
const OPML_KEY = '#opml';
/** Content read back from files is recorded in the store in batches of this many, one transaction each. */
const CONTENT_BATCH = 256;

/** What the configuration alone decides: the feeds, their spec hashes and the index files' hash. */
interface Plan {
  specs: FeedSpec[];
  specHashes: string[];
  indexHash: string;
}

// A long-running process publishes many times with the same configuration
// object (until a reload replaces it): its plan is worked out once.
const plans = new WeakMap<RefeedConfig, Plan>();

function planOf(config: RefeedConfig): Plan {
  let plan = plans.get(config);
  if (!plan) {
    const specs = planFeeds(config);
    const indexHash = createHash('sha256')
      .update(JSON.stringify({ v: PUBLISH_FORMAT_VERSION, site: [config.site.title, config.site.description, config.site.url, config.site.language], specs }))
      .digest('hex');
    plan = { specs, specHashes: specs.map((spec) => specHash(config.site, spec)), indexHash };
    plans.set(config, plan);
  }
  return plan;
}

/** Signature of the article rows a feed is built from: equal signatures, equal feed items. */
function rowsHash(rows: readonly ArticleRecord[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify([r.id, r.contentHash, r.path, r.date])).update('\n');
  return h.digest('hex');
}

/**
 * Feed keys in post-order: every channel before its source, every source
 * before its group, groups before the merged feed. Built in this order, an
 * article's rendering is shared by all the feeds that carry it while only
 * the few that a higher feed still needs are kept in memory.
 */
function postOrder(specs: readonly FeedSpec[]): Map<string, number> {
  const children = new Map<string, string[]>();
  const keys = new Set(specs.map((s) => s.key));
  for (const { key } of specs) {
    if (key === '') continue;
    const parent = key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : '';
    const list = children.get(parent) ?? [];
    list.push(key);
    children.set(parent, list);
  }
  const rank = new Map<string, number>();
  const visit = (key: string) => {
    for (const c of children.get(key) ?? []) visit(c);
    rank.set(key, rank.size);
  };
  if (keys.has('')) visit('');
  for (const key of keys) if (!rank.has(key)) rank.set(key, rank.size);
  return rank;
}

/** An article ready to be placed in feeds: its entry, and that entry rendered once it is needed. */
interface Prepared {
  item: FeedItem;
  rendered?: EncodedItem;
}

/** A feed to rebuild and the rows it was planned from. */
interface Job {
  spec: FeedSpec;
  /** Position in the plan: the report lists feeds in plan order. */
  index: number;
  rows: ArticleRecord[];
  specHash: string;
  rowsHash: string;
}

/** A published file's fate, filled in when its write finishes. */
interface FileOutcome {
  path: string;
  changed?: boolean;
  error?: string;
}

/** Bounds for writing published files: in flight at once, and bytes queued (what keeps a full publish's memory flat). */
export const WRITE_CONCURRENCY = 8;
const WRITE_QUEUE_BYTES = 16 * 1024 * 1024;

/** Whether content parsed from a file can stand in for it in the cache (which takes title, date and link from the row). */
function cacheable(row: ArticleRecord, a: ArticleContent): boolean {
  return a.title === row.title && a.date.getTime() === row.date && (a.link ?? undefined) === (row.link ?? undefined);
}

/**
 * Publishes the feeds of `config` from the state index and article files.
 * Only feeds that changed are rebuilt: those marked dirty by ingest (and
 * whose newest rows did change), those whose configuration inputs changed,
 * and those with a file missing. Unchanged bytes are never rewritten. An
 * article's content comes from the store when the store holds it for the
 * file as it is on disk (same mtime and size); otherwise the file is parsed
 * (and the store updated). A bad article file is reported and skipped; a
 * write failure is reported and leaves its feed dirty. Feeds of channels no
 * longer configured are left alone.
 */
export async function publish(config: RefeedConfig, state: StateDb, opts: PublishOptions): Promise<PublishReport> {
  const log = opts.logger.child({ stage: 'publish' });
  const output = config.site.output;
  const { specs, specHashes, indexHash } = planOf(config);
  const configured = new Set(config.channels.map((c) => c.key));
  const ledger = state.ledger;
  const ledgerEntries = ledger.all();
  const dirty = new Set(state.dirtyFeeds());
  const report: PublishReport = { feeds: specs.length, rebuilt: [], written: [], unchanged: [], skipped: [], articlesParsed: 0, articlesUsed: 0, articlesRenderedByWorkers: 0, errors: [] };

  // Rows of configured channels only: articles of a channel removed from the
  // config drop out of the merged, group and source feeds.
  const topRows = (key: string, want: number): ArticleRecord[] => {
    for (let n = want; ; n *= 2) {
      const raw = state.topArticles(key, n);
      const kept = raw.filter((r) => configured.has(r.channelKey));
      if (kept.length >= want || raw.length < n) return kept.slice(0, want);
    }
  };

  // ---------------------------------------------------------------- plan
  // Which feeds to rebuild, from the index alone: no article is read here.
  const published: { spec: FeedSpec; specHash: string; rowsHash: string; rows: ArticleRecord[] }[] = [];
  const jobs: Job[] = [];
  specs.forEach((spec, index) => {
    const hash = specHashes[index];
    const prev = ledgerEntries.get(spec.key);
    const settled = !opts.full && prev?.specHash === hash && Object.values(FEED_FILES).every((f) => existsSync(path.join(output, spec.dir, f)));
    if (settled && !dirty.has(spec.key)) return;
    const rows = topRows(spec.key, spec.limit);
    const rHash = rowsHash(rows);
    // Dirty, but its newest rows are what was published (e.g. an old article changed): nothing to do.
    if (settled && prev?.rowsHash === rHash) {
      published.push({ spec, specHash: hash, rowsHash: rHash, rows });
      return;
    }
    jobs.push({ spec, index, rows, specHash: hash, rowsHash: rHash });
  });

  // ---------------------------------------------------------------- article content
  // How many planned feeds still need each article: its rendering is dropped when none does.
  const refs = new Map<string, number>();
  for (const j of jobs) for (const r of j.rows) refs.set(r.id, (refs.get(r.id) ?? 0) + 1);
  /** By row id; null: the file was skipped (reported once). */
  const prepared = new Map<string, Prepared | null>();
  const used = new Set<string>();

  const pending: [string, CachedArticleContent][] = [];
  const flushContent = () => {
    if (!pending.length) return;
    state.transaction(() => {
      for (const [id, c] of pending) state.setArticleContent(id, c);
    });
    pending.length = 0;
  };

  const skip = (row: ArticleRecord, reason: string): undefined => {
    report.skipped.push({ path: row.path, reason });
    log.warn({ path: row.path, reason }, 'article file skipped; fix it and run `refeed publish --full` to include it again');
    return undefined;
  };

  // The store's copy when it is the file's (same mtime and size), else the file itself.
  const load = (row: ArticleRecord): ArticleContent | undefined => {
    const source = articleSource(output, row, (id) => state.articleContent(id));
    if (source.kind === 'skip') return skip(row, source.reason);
    if (source.kind === 'cached') return source.content;
    const { file, stat: st } = source;
    let content: ArticleContent;
    try {
      const text = readFileSync(file, 'utf8');
      report.articlesParsed++;
      content = parseArticle(text);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return skip(row, e.code === 'ENOENT' ? 'file missing (deleted?)' : e.message);
    }
    // Recorded with the stat taken before reading: if the file changed in between, the next run reads it again.
    if (cacheable(row, content)) {
      pending.push([row.id, { ...content, fileMtimeMs: st.mtimeMs, fileSize: st.size }]);
      if (pending.length >= CONTENT_BATCH) flushContent();
    }
    return content;
  };

  const prepare = (row: ArticleRecord): Prepared | undefined => {
    const hit = prepared.get(row.id);
    if (hit !== undefined) return hit ?? undefined;
    const content = load(row);
    const p = content ? { item: toFeedItem(row, content) } : null;
    if (p) used.add(row.id);
    // Kept while a planned feed still needs it; a skipped file is remembered so it is reported once.
    if (!p || refs.has(row.id)) prepared.set(row.id, p);
    return p ?? undefined;
  };

  const release = (rows: readonly ArticleRecord[]) => {
    for (const r of rows) {
      const n = (refs.get(r.id) ?? 0) - 1;
      if (n > 0) refs.set(r.id, n);
      else {
        refs.delete(r.id);
        if (prepared.get(r.id)) prepared.delete(r.id);
      }
    }
  };

  // The newest `limit` readable articles of a feed; a skipped file makes room for the next one.
  const collect = (spec: FeedSpec, rows: ArticleRecord[]): { items: FeedItem[]; rendered: EncodedItem[] } => {
    for (let want = spec.limit; ; ) {
      const entries: { item: FeedItem; channelKey: string; p: Prepared }[] = [];
      for (const r of rows) {
        const p = prepare(r);
        if (p) entries.push({ item: p.item, channelKey: r.channelKey, p });
        if (entries.length === spec.limit) break;
      }
      if (entries.length === spec.limit || rows.length < want) {
        const items = uniqueIds(entries);
        // An item whose id had to change in this feed is rendered for it alone.
        const rendered = items.map((item, i) => (item === entries[i].p.item ? (entries[i].p.rendered ??= encodeItem(item)) : encodeItem(item)));
        return { items, rendered };
      }
      want += spec.limit - entries.length;
      rows = topRows(spec.key, want);
    }
  };

  // Files are written in the background while the next feeds are built; outcomes are read once all are done.
  const writes = new WriteQueue({ concurrency: WRITE_CONCURRENCY, maxBytes: WRITE_QUEUE_BYTES });
  const write = async (rel: string, data: string | Buffer): Promise<FileOutcome> => {
    const outcome: FileOutcome = { path: rel };
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    await writes.add(bytes.length, async () => {
      try {
        outcome.changed = await writeFileIfChangedAsync(path.join(output, rel), bytes);
      } catch (err) {
        outcome.error = (err as Error).message;
        log.error({ path: rel, reason: outcome.error }, 'cannot write published file');
      }
    });
    return outcome;
  };
  const record = (outcomes: readonly FileOutcome[]): boolean => {
    for (const o of outcomes) {
      if (o.error !== undefined) report.errors.push({ path: o.path, reason: o.error });
      else (o.changed ? report.written : report.unchanged).push(o.path);
    }
    return outcomes.every((o) => o.error === undefined);
  };

  // ---------------------------------------------------------------- feeds
  const rank = postOrder(specs);
  jobs.sort((a, b) => rank.get(a.spec.key)! - rank.get(b.spec.key)!);
  const ahead = RenderAhead.start(
    { output, stateFile: state.file },
    jobs.map((j) => j.rows),
    ({ id, item, rendered }) => {
      if (prepared.has(id) || !refs.has(id)) return;
      // Buffers arrive as plain Uint8Arrays over their transferred memory: viewed as Buffers, not copied.
      const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      prepared.set(id, { item, rendered: { rss: buf(rendered.rss), atom: buf(rendered.atom), json: buf(rendered.json) } });
      used.add(id);
      report.articlesRenderedByWorkers++;
    },
    opts.renderWorkers,
  );
  const outcomes: { job: Job; files: FileOutcome[] }[] = [];
  try {
    for (const [jobIndex, job] of jobs.entries()) {
      await ahead?.ready(jobIndex);
      const { spec } = job;
      const { items, rendered } = collect(spec, job.rows);
      const urls = feedUrls(config.site, spec);
      const meta: FeedMeta = {
        title: xmlSafe(spec.title),
        description: xmlSafe(spec.description),
        htmlUrl: urls.html,
        selfUrls: { rss: urls.rss, atom: urls.atom, json: urls.json },
        language: xmlSafe(config.site.language),
        // TODO(merge): whenEmpty = when this feed was first configured, from the store; a fixed stand-in until then.
        updated: feedUpdated(items, new Date('2026-01-01T00:00:00Z')),
        authorName: xmlSafe(config.site.title),
      };
      const files = assembleFeedBuffers(meta, rendered);
      release(job.rows);
      const out = { job, files: [] as FileOutcome[] };
      for (const f of Object.keys(FEED_FILES) as FeedFormat[]) out.files.push(await write(`${spec.dir}${FEED_FILES[f]}`, files[f]));
      outcomes.push(out);
    }
  } finally {
    await ahead?.close();
  }
  flushContent();
  report.articlesUsed = used.size;
  await writes.drain();
  // Reported in plan order, whatever the build order.
  outcomes.sort((a, b) => a.job.index - b.job.index);
  for (const o of outcomes) {
    report.rebuilt.push(o.job.spec.key);
    if (record(o.files)) published.push({ spec: o.job.spec, specHash: o.job.specHash, rowsHash: o.job.rowsHash, rows: o.job.rows });
  }

  // ---------------------------------------------------------------- index files
  const missing = (file: string) => !existsSync(path.join(output, file));
  let indexOk: boolean | undefined;
  let opmlOk: boolean | undefined;
  /** Index entries that had to be queried: remembered from now on. */
  const backfill = new Map<string, IndexEntry[]>();
  if (opts.full || missing(INDEX_FILES.opml) || ledgerEntries.get(OPML_KEY)?.specHash !== indexHash) {
    const file = await write(INDEX_FILES.opml, buildOpml(config, specs));
    await writes.drain();
    opmlOk = record([file]);
  }
  if (opts.full || report.rebuilt.length || missing(INDEX_FILES.html) || ledgerEntries.get(INDEX_KEY)?.specHash !== indexHash) {
    // Feeds planned in this run list their newest rows; the others what the ledger kept from their last publish.
    const fresh = new Map<string, { spec: FeedSpec; rows: ArticleRecord[] }>([...jobs, ...published].map((j) => [j.spec.key, j]));
    const latest = (key: string): IndexEntry[] => {
      const planned = fresh.get(key);
      const known = planned ? latestEntries(planned.spec, planned.rows) : ledgerEntries.get(key)?.latest;
      // Not known (a ledger from before they were kept, or a feed limit below the page's count): queried, then kept.
      if (known) return known;
      const queried = topRows(key, indexLatest(key)).map(indexEntry);
      backfill.set(key, queried);
      return queried;
    };
    const file = await write(INDEX_FILES.html, buildIndexHtml(config, specs, latest));
    await writes.drain();
    indexOk = record([file]);
  }

  // Record what was published and clear dirty flags in one write transaction.
  // A flag is cleared only if the feed's rows are still the ones it was built
  // from: an ingest that ran meanwhile (another process) keeps its feeds dirty.
  state.db
    .transaction(() => {
      const clear: string[] = [];
      for (const p of published) {
        const prev = ledgerEntries.get(p.spec.key);
        const latest = latestEntries(p.spec, p.rows) ?? backfill.get(p.spec.key);
        if (prev?.specHash !== p.specHash || prev.rowsHash !== p.rowsHash || (!prev.latest && latest)) {
          ledger.set(p.spec.key, { specHash: p.specHash, rowsHash: p.rowsHash, latest });
        }
        if (dirty.has(p.spec.key) && rowsHash(topRows(p.spec.key, p.spec.limit)) === p.rowsHash) clear.push(p.spec.key);
      }
      const planned = new Set(specs.map((s) => s.key));
      for (const key of dirty) if (!planned.has(key)) clear.push(key); // removed from the config: left alone
      const republished = new Set(published.map((p) => p.spec.key));
      for (const [key, entries] of backfill) {
        const prev = ledgerEntries.get(key);
        if (prev && !republished.has(key)) ledger.set(key, { ...prev, latest: entries });
      }
      if (indexOk !== undefined) ledger.set(INDEX_KEY, { specHash: indexOk ? indexHash : 'failed', rowsHash: '' });
      if (opmlOk !== undefined) ledger.set(OPML_KEY, { specHash: opmlOk ? indexHash : 'failed', rowsHash: '' });
      state.clearDirty(clear);
    })
    .immediate();

  log.info(
    {
      feeds: report.feeds,
      rebuilt: report.rebuilt.length,
      written: report.written.length,
      unchanged: report.unchanged.length,
      skipped: report.skipped.length,
      parsed: report.articlesParsed,
      errors: report.errors.length,
    },
    'published',
  );
  return report;
}
