import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { rowsHash, type ArticleRecord, type LedgerEntry } from '../store/index.ts';
import { FEED_FILES, type FeedSpec } from './plan.ts';
import type { TopRows } from './rows.ts';
import type { SitePlan } from './site-plan.ts';

/** A feed whose files are what its rows give: rebuilt in this run, or already on disk. */
export interface PublishedFeed {
  spec: FeedSpec;
  specHash: string;
  rowsHash: string;
  /** The rows it was built from, newest first. */
  rows: ArticleRecord[];
  /** A feed with rules: the hash of the store's own newest rows (unfiltered), which clears its dirty flag. */
  storeHash?: string;
}

/** A feed to rebuild, and where it stands in the plan (the report lists feeds in plan order). */
export interface FeedJob extends PublishedFeed {
  index: number;
  /** A channel feed's image: its source feed's own (see channelImage), when it has one. */
  image?: string;
}

export interface Work {
  /** Feeds to rebuild, in build order (see SitePlan.rank). */
  jobs: FeedJob[];
  /** Feeds checked and found current: their ledger entries are refreshed, their files left alone. */
  current: PublishedFeed[];
}

/**
 * Which feeds to rebuild, from the index alone (no article is read): those
 * dirty whose newest rows changed, those whose configuration inputs changed,
 * and those with a file missing; all of them with `full`.
 */
export async function planWork(
  plan: SitePlan,
  input: {
    output: string;
    ledger: Map<string, LedgerEntry>;
    dirty: Set<string>;
    full: boolean;
    topRows: TopRows;
    channelImages?: ReadonlyMap<string, string>;
    /** The store's hash of a feed with rules (see VisibleRows.storeHash). */
    storeHash?: (key: string, limit: number) => Promise<string | undefined>;
    /** Feeds checked even when not dirty (max_age hides rows as time passes). */
    timeBound?: (key: string) => boolean;
  },
): Promise<Work> {
  const jobs: FeedJob[] = [];
  const current: PublishedFeed[] = [];
  for (const [index, spec] of plan.specs.entries()) {
    // A channel feed carries its source's image, which the store (not the configuration) knows: part of its spec hash.
    const image = spec.level === 'channel' ? input.channelImages?.get(spec.key) : undefined;
    const specHash = image ? createHash('sha256').update(`${plan.specHashes[index]}\nimage ${image}`).digest('hex') : plan.specHashes[index];
    const prev = input.ledger.get(spec.key);
    const settled =
      !input.full && prev?.specHash === specHash && Object.values(FEED_FILES).every((f) => existsSync(path.join(input.output, spec.dir, f)));
    if (settled && !input.dirty.has(spec.key) && !input.timeBound?.(spec.key)) continue;
    const rows = await input.topRows(spec.key, spec.limit);
    const hash = rowsHash(rows);
    const storeHash = await input.storeHash?.(spec.key, spec.limit);
    const more = storeHash !== undefined ? { storeHash } : {};
    // Dirty, but its newest rows are what was published (e.g. an old article changed): nothing to do.
    if (settled && prev?.rowsHash === hash) current.push({ spec, specHash, rowsHash: hash, rows, ...more });
    else jobs.push({ spec, index, rows, specHash, rowsHash: hash, ...more, ...(image ? { image } : {}) });
  }
  jobs.sort((a, b) => plan.rank.get(a.spec.key)! - plan.rank.get(b.spec.key)!);
  return { jobs, current };
}
