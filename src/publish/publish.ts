import type { Logger } from '../core/log.ts';
import type { ChannelState, RefeedConfig } from '../core/types.ts';
import type { Store } from '../store/index.ts';
import { visibleRows, type VerdictMemory } from '../store/visible-rows.ts';
import path from 'node:path';
import type { DiskError } from '../util/disk-error.ts';
import { buildFeeds } from './build-feeds.ts';
import { fragmentVersion } from './fragments.ts';
import { commitPublish } from './commit.ts';
import { writeIndexFiles } from './index-files.ts';
import { SectionCache } from './index-html.ts';
import { ArticleLoader, type SkippedArticle } from './loader.ts';
import { OutputWriter, type FileOutcome } from './output-writer.ts';
import { topRowsOf } from './rows.ts';
import type { FeedSpec } from './plan.ts';
import { sitePlan, type SitePlan } from './site-plan.ts';
import { planWork, type PublishedFeed } from './work.ts';

export type { SkippedArticle } from './loader.ts';

export interface PublishOptions {
  logger: Logger;
  /** Rebuild every feed, whatever changed (e.g. after a feed file was edited or damaged). */
  full?: boolean;
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
  /** Articles whose content the store does not hold; their feeds were built without them. */
  skipped: SkippedArticle[];
  /** Distinct articles placed in the rebuilt feeds. */
  articlesUsed: number;
  /** Of the articles loaded, those whose feed fragments this run encoded (none stored, or stored under another version): the rest were stored. */
  articlesEncoded: number;
  /** Files that could not be written; their feeds stay dirty and are retried next run. */
  errors: { path: string; reason: string }[];
}

/**
 * Publishes one configuration's feeds. A long-running process keeps one per
 * configuration (until a reload replaces it), so what the configuration alone
 * decides is worked out once.
 */
export class Publisher {
  private readonly plan: SitePlan;
  /** The version items' stored fragments must have to be used as they are. */
  private readonly fragmentVersion: string;
  /** index.html's channel sections from earlier publishes: a daemon's tick rebuilds only the ones that changed. */
  private readonly sections?: SectionCache;
  /** Rule verdicts on stored rows, kept by a long-lived publisher so a tick judges only new rows. */
  private readonly verdicts?: VerdictMemory;

  /**
   * `longLived`: this publisher publishes again and again (a daemon): it keeps
   * what the next publish can reuse, and fills that on its first publish,
   * so that the first new item is as quick as the later ones.
   * The caller reconciles first (see cli/publish-step.ts): the store matched
   * to `config`, article files written; publishing only reads the store.
   */
  constructor(config: RefeedConfig, opts: { longLived?: boolean } = {}) {
    this.plan = sitePlan(config);
    this.fragmentVersion = fragmentVersion(config.site);
    if (opts.longLived) {
      this.sections = new SectionCache();
      this.verdicts = new Map();
    }
  }

  /**
   * Publishes from the store alone (article files are written from it, never
   * read), in four steps: plan (which feeds changed, from the index alone),
   * load (each article's stored feed fragments, once; those missing or of
   * another version encoded and stored), assemble (each feed its envelope
   * around its items' fragments, written in the background), commit (index
   * files, ledger, dirty flags). Unchanged
   * bytes are never rewritten; an article without content is reported and
   * skipped; a write failure is reported and leaves its feed dirty. Feeds of
   * channels no longer configured are left alone.
   */
  async publish(store: Store, opts: PublishOptions): Promise<PublishReport> {
    const log = opts.logger.child({ stage: 'publish' });
    const { config } = this.plan;
    const output = config.site.output;
    const full = opts.full === true;
    const ledger = await store.ledger();
    const dirty = new Set(await store.dirtyFeeds());
    const now = (opts.now ?? Date.now)();
    const visible = visibleRows(this.plan.rules, this.plan.specs, { store, raw: topRowsOf(store), now, ...(this.verdicts ? { memory: this.verdicts } : {}) });
    const topRows = visible.top;
    const states = await store.channelStates();
    const whenEmpty = emptyFeedDates(states);

    // Channel feeds use the channel's `image:`, else their source feed's own image (site.icon when it has none); other feeds site.icon.
    const channelImages = new Map(states.flatMap((s) => (s.meta?.image ? [[s.key, s.meta.image] as const] : [])));
    for (const c of config.channels) if (c.settings.image) channelImages.set(c.key, c.settings.image);
    const work = await planWork(this.plan, { output, ledger, dirty, full, topRows, channelImages, storeHash: visible.storeHash, timeBound: visible.timeBound });
    const loader = new ArticleLoader(store, log, this.fragmentVersion, work.jobs);
    const writer = new OutputWriter(output, log);
    const built = await buildFeeds(config, work.jobs, { loader, writer, topRows, whenEmpty });
    await loader.flush();
    await writer.drain();

    const report: PublishReport = {
      feeds: this.plan.specs.length,
      rebuilt: [],
      written: [],
      unchanged: [],
      skipped: loader.skipped,
      articlesUsed: loader.usedCount,
      articlesEncoded: loader.encoded,
      errors: [],
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
      if (record(b.files)) published.push(b.job);
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
      now,
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
        encoded: report.articlesEncoded,
        errors: report.errors.length,
      },
      changed ? 'published' : 'nothing to publish: every file is up to date',
    );
    return report;
  }

  /**
   * The report of a publish the disk stopped before it began (the command
   * could not write the article files): feeds built now would link articles
   * whose files are missing, so nothing is published; every feed keeps its
   * last version and stays due.
   */
  stoppedByDisk(fault: DiskError, log: Logger): PublishReport {
    log.child({ stage: 'publish' }).error({ code: 'disk', path: fault.path }, `publish stopped: ${fault.message}; the feeds keep their last published version until the disk takes the files`);
    const errors = [{ path: path.relative(this.plan.config.site.output, fault.path) || fault.path, reason: `disk: ${fault.message}` }];
    return { feeds: this.plan.specs.length, rebuilt: [], written: [], unchanged: [], skipped: [], articlesUsed: 0, articlesEncoded: 0, errors };
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
