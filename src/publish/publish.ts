import type { Logger } from '../core/log.ts';
import type { ChannelState, RefeedConfig } from '../core/types.ts';
import type { Store } from '../store/index.ts';
import path from 'node:path';
import { syncChannels, writePendingFiles, writePendingFilesChecked } from '../ingest/index.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
import type { DiskError } from '../util/disk-error.ts';
import { buildFeeds } from './build-feeds.ts';
import { commitPublish } from './commit.ts';
import { writeIndexFiles } from './index-files.ts';
import { SectionCache } from './index-html.ts';
import { ArticleLoader, type SkippedArticle } from './loader.ts';
import { OutputWriter, type FileOutcome } from './output-writer.ts';
import type { RenderWorkersOptions } from './render-ahead.ts';
import { topRowsOf } from './rows.ts';
import type { FeedSpec } from './plan.ts';
import { sitePlan, type SitePlan } from './site-plan.ts';
import { planWork, type FeedJob, type PublishedFeed } from './work.ts';

export type { SkippedArticle } from './loader.ts';

export interface PublishOptions {
  logger: Logger;
  /** Rebuild every feed, whatever changed (e.g. after fixing an article file by hand). */
  full?: boolean;
  /** Worker threads that render articles for big runs (see render-ahead.ts). */
  renderWorkers?: RenderWorkersOptions;
  /** The caller has just matched the store to this configuration (syncChannels): not done again. */
  channelsSynced?: boolean;
  /** The clock index.html's "updated" time is read from (tests fix it). */
  now?: () => number;
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
  /** Feeds built without an article stored while this publish ran (its file came after): they stay dirty for the next one. */
  heldBack: string[];
}

/**
 * Publishes one configuration's feeds. A long-running process keeps one per
 * configuration (until a reload replaces it), so what the configuration alone
 * decides is worked out once.
 */
export class Publisher {
  private readonly plan: SitePlan;
  /** The store has been matched to this configuration (syncChannels). */
  private synced = false;
  /** index.html's channel sections from earlier publishes: a daemon's tick rebuilds only the ones that changed. */
  private readonly sections?: SectionCache;

  /**
   * `longLived`: this publisher publishes again and again (a daemon): it keeps
   * what the next publish can reuse, and fills that on its first publish,
   * so that the first new item is as quick as the later ones.
   * `channelsSynced`: the caller has just matched the store to `config`.
   */
  constructor(config: RefeedConfig, opts: { longLived?: boolean; channelsSynced?: boolean } = {}) {
    this.plan = sitePlan(config);
    if (opts.longLived) this.sections = new SectionCache();
    this.synced = opts.channelsSynced === true;
  }

  /**
   * Publishes from the state index and article files, in four steps: plan
   * (which feeds changed, from the index alone), load (each article once,
   * from the store's copy when it is the file's), render (feeds written in
   * the background as they are built), commit (index files, ledger, dirty
   * flags). Unchanged bytes are never rewritten; a bad article file is
   * reported and skipped; a write failure is reported and leaves its feed
   * dirty. Feeds of channels no longer configured are left alone.
   */
  async publish(store: Store, opts: PublishOptions): Promise<PublishReport> {
    const log = opts.logger.child({ stage: 'publish' });
    const { config } = this.plan;
    const output = config.site.output;
    const full = opts.full === true;
    // The store follows the configuration (renamed channels moved, removed ones out of the feeds), then
    // article files behind their rows (a killed ingest, a renamed channel) are written: feeds read what files hold.
    // Once per configuration: a daemon's publisher matched it on its first publish (a reload makes a new one).
    if (!this.synced && !opts.channelsSynced) await syncChannels(config, store, Date.now(), log);
    this.synced = true;
    const pending = await writePendingFilesChecked(store, output, new AtomicWriter(), log);
    // Feeds built now would lack the articles whose files the disk refused (each a "file missing"
    // warning): nothing is published, every feed keeps its last version and stays due.
    if (pending.fault) return this.stoppedByDisk(pending.fault, log);
    const ledger = await store.ledger();
    const dirty = new Set(await store.dirtyFeeds());
    const topRows = topRowsOf(store);
    const states = await store.channelStates();
    const whenEmpty = emptyFeedDates(states);

    // Channel feeds use their source feed's own image (site.icon when it has none); other feeds site.icon.
    const channelImages = new Map(states.flatMap((s) => (s.meta?.image ? [[s.key, s.meta.image] as const] : [])));
    const work = await planWork(this.plan, { output, ledger, dirty, full, topRows, channelImages });
    const loader = new ArticleLoader(output, store, log, work.jobs);
    const writer = new OutputWriter(output, log);
    const built = await buildFeeds(config, store, work.jobs, { loader, writer, topRows, whenEmpty, renderWorkers: opts.renderWorkers });
    await loader.flush();
    await writer.drain();
    // Another process (a queue worker) may have committed rows after the files were brought up to date and
    // before a feed read its rows: those articles were skipped for want of a file. Their files are written
    // now, and their feeds not recorded as published, so the next publish includes them.
    const late = new Set<string>();
    if (loader.missing.size) await writePendingFiles(store, output, new AtomicWriter(), log, late);
    const heldBack = (job: FeedJob) => late.size > 0 && job.rows.some((r) => loader.missing.has(r.id) && late.has(r.id));

    const report: PublishReport = {
      feeds: this.plan.specs.length,
      rebuilt: [],
      written: [],
      unchanged: [],
      skipped: loader.skipped,
      articlesParsed: loader.parsed,
      articlesUsed: loader.usedCount,
      articlesRenderedByWorkers: loader.fromWorkers,
      errors: [],
      heldBack: [],
    };
    const record = (outcomes: readonly FileOutcome[]): boolean => {
      for (const o of outcomes) {
        if (o.error !== undefined) report.errors.push({ path: o.path, reason: o.error });
        else (o.changed ? report.written : report.unchanged).push(o.path);
      }
      return outcomes.every((o) => o.error === undefined);
    };
    const published: PublishedFeed[] = [...work.current];
    // Reported in plan order, whatever the build order.
    for (const b of [...built].sort((x, y) => x.job.index - y.job.index)) {
      report.rebuilt.push(b.job.spec.key);
      if (!record(b.files)) continue;
      if (heldBack(b.job)) report.heldBack.push(b.job.spec.key);
      else published.push(b.job);
    }

    // A feed changed when its rows or configuration did, not when a deleted file was only put back.
    const feedsChanged = built.some((b) => {
      const prev = ledger.get(b.job.spec.key);
      return prev?.rowsHash !== b.job.rowsHash || prev.specHash !== b.job.specHash;
    });
    const index = await writeIndexFiles(this.plan, {
      output,
      ledger,
      full,
      rebuiltAny: built.length > 0,
      feedsChanged,
      states,
      now: (opts.now ?? Date.now)(),
      planned: [...work.jobs, ...work.current],
      topRows,
      writer,
      sections: this.sections,
    });
    for (const f of [index.opml, index.categories, index.html]) if (f) record([f]);
    await commitPublish(this.plan, store, { ledger, dirty, published, index });

    // "published" only when files changed: a run that found nothing to do says so at debug level.
    const changed = report.written.length > 0 || report.errors.length > 0 || report.skipped.length > 0;
    log[changed ? 'info' : 'debug'](
      {
        feeds: report.feeds,
        rebuilt: report.rebuilt.length,
        written: report.written.length,
        unchanged: report.unchanged.length,
        skipped: report.skipped.length,
        parsed: report.articlesParsed,
        errors: report.errors.length,
        ...(report.heldBack.length ? { heldBack: report.heldBack.length } : {}),
      },
      changed ? 'published' : 'nothing to publish: every file is up to date',
    );
    return report;
  }

  private stoppedByDisk(fault: DiskError, log: Logger): PublishReport {
    log.error({ code: 'disk', path: fault.path }, `publish stopped: ${fault.message}; the feeds keep their last published version until the disk takes the files`);
    const errors = [{ path: path.relative(this.plan.config.site.output, fault.path) || fault.path, reason: `disk: ${fault.message}` }];
    return { feeds: this.plan.specs.length, rebuilt: [], written: [], unchanged: [], skipped: [], articlesParsed: 0, articlesUsed: 0, articlesRenderedByWorkers: 0, errors, heldBack: [] };
  }
}

/** One publish of `config` (see Publisher.publish). */
export function publish(config: RefeedConfig, store: Store, opts: PublishOptions): Promise<PublishReport> {
  return new Publisher(config).publish(store, opts);
}

/**
 * The date an empty feed carries: when the first of its channels was
 * configured (stable across runs, never 1970). A channel the store has not
 * registered yet counts as configured now… until it is.
 */
function emptyFeedDates(states: readonly ChannelState[]): (spec: FeedSpec) => Date {
  const created = new Map(states.map((s) => [s.key, s.createdAt]));
  return (spec) => {
    const times = spec.channelKeys.map((k) => created.get(k)).filter((t): t is number => t !== undefined);
    return new Date(times.length ? Math.min(...times) : Date.now());
  };
}
