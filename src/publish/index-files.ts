import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ChannelState, LatestEntry } from '../core/types.ts';
import type { ArticleRecord, LedgerEntry } from '../store/index.ts';
import { channelHealth, healthHash } from './index-health.ts';
import { buildIndexHtml, type SectionCache } from './index-html.ts';
import { buildCategoriesOpml, buildOpml } from './opml.ts';
import type { FileOutcome, OutputWriter } from './output-writer.ts';
import { INDEX_FILES, type FeedSpec } from './plan.ts';
import type { TopRows } from './rows.ts';
import type { SitePlan } from './site-plan.ts';
import type { PublishedFeed } from './work.ts';

/** Ledger keys of the index files: the OPML depends on the configuration only, index.html also on the newest rows. */
export const INDEX_KEY = '#index';
export const OPML_KEY = '#opml';

/** How many latest items index.html shows: overall, and per channel. */
const INDEX_LATEST = { merged: 10, channel: 5 };
const indexLatest = (key: string) => (key ? INDEX_LATEST.channel : INDEX_LATEST.merged);
const latestEntry = (r: ArticleRecord): LatestEntry => ({ title: r.title, link: r.link, date: r.date, channel: r.channelKey });

/**
 * What the ledger keeps of index.html besides the configuration's hash: the
 * health it showed and the time it shows, `<health hash>@<epoch ms>`.
 */
function indexStamp(health: string, at: number): string {
  return `${health}@${at}`;
}

function readStamp(stamp: string | undefined): { health?: string; at?: number } {
  const m = /^([0-9a-f]+)@(\d+)$/.exec(stamp ?? '');
  return m ? { health: m[1], at: Number(m[2]) } : {};
}

/** index.html's entries for a feed from the rows it was planned from; undefined when those are too few to tell (a limit below the page's count). */
export function latestEntries(spec: FeedSpec, rows: readonly ArticleRecord[]): LatestEntry[] | undefined {
  const want = indexLatest(spec.key);
  if (rows.length < want && rows.length >= spec.limit) return undefined;
  return rows.slice(0, want).map(latestEntry);
}

export interface IndexOutcome {
  /** Whether each file was rebuilt, and if so whether it was written: undefined when not rebuilt. */
  opml?: FileOutcome;
  /** categories.opml: rebuilt with index.opml. */
  categories?: FileOutcome;
  html?: FileOutcome;
  /** Index entries that had to be queried: the ledger keeps them from now on. */
  backfill: Map<string, LatestEntry[]>;
  /** When index.html was rebuilt: its ledger stamp (see indexStamp). */
  stamp?: string;
}

/**
 * index.opml (when the configuration changed) and index.html (when any feed
 * was rebuilt, the configuration changed, or a channel's health as the page
 * shows it changed). Feeds planned in this run list their newest rows; the
 * others what the ledger kept from their last publish.
 *
 * The page says when it was last updated: the time of the publish that last
 * changed a feed file, the configuration or the health shown. A rebuild that
 * changes none of those (`publish --full`, a deleted index.html) keeps the
 * time the ledger has, so the same inputs give the same bytes and a no-op
 * publish never rewrites the page.
 */
export async function writeIndexFiles(
  plan: SitePlan,
  input: {
    output: string;
    ledger: Map<string, LedgerEntry>;
    full: boolean;
    rebuiltAny: boolean;
    /** Whether any rebuilt feed's rows or configuration changed (not merely a deleted file put back). */
    feedsChanged: boolean;
    states: readonly ChannelState[];
    now: number;
    planned: readonly PublishedFeed[];
    topRows: TopRows;
    writer: OutputWriter;
    sections?: SectionCache;
  },
): Promise<IndexOutcome> {
  const { config, specs, indexHash } = plan;
  const { ledger, writer } = input;
  const missing = (file: string) => !existsSync(path.join(input.output, file));
  const out: IndexOutcome = { backfill: new Map() };
  if (input.full || missing(INDEX_FILES.opml) || missing(INDEX_FILES.categories) || ledger.get(OPML_KEY)?.specHash !== indexHash) {
    out.opml = await writer.write(INDEX_FILES.opml, buildOpml(config, specs));
    out.categories = await writer.write(INDEX_FILES.categories, buildCategoriesOpml(config, specs));
  }
  const health = channelHealth(config, input.states);
  const shownHealth = healthHash(health);
  const prev = readStamp(ledger.get(INDEX_KEY)?.rowsHash);
  const configChanged = ledger.get(INDEX_KEY)?.specHash !== indexHash;
  const healthChanged = prev.health !== shownHealth;
  // An OPML rebuilt (after an upgrade that added categories.opml, say) means the page's links may be new too.
  if (input.full || input.rebuiltAny || out.opml !== undefined || missing(INDEX_FILES.html) || configChanged || healthChanged || input.sections?.empty) {
    const updatedAt = input.feedsChanged || configChanged || healthChanged || prev.at === undefined ? input.now : prev.at;
    out.stamp = indexStamp(shownHealth, updatedAt);
    const fresh = new Map(input.planned.map((p) => [p.spec.key, p]));
    const latest = new Map<string, LatestEntry[]>();
    // The page lists the latest items overall and per channel.
    for (const spec of specs.filter((s) => s.level === 'site' || s.level === 'channel')) {
      const planned = fresh.get(spec.key);
      let known = planned ? latestEntries(planned.spec, planned.rows) : ledger.get(spec.key)?.latest;
      // The merged list names each item's source: entries kept before the channel was recorded are queried again.
      if (spec.key === '' && known?.some((e) => e.channel === undefined)) known = undefined;
      if (known) latest.set(spec.key, known);
      else {
        // Not known (a ledger from before they were kept, or a feed limit below the page's count): queried, then kept.
        const queried = (await input.topRows(spec.key, indexLatest(spec.key))).map(latestEntry);
        out.backfill.set(spec.key, queried);
        latest.set(spec.key, queried);
      }
    }
    out.html = await writer.write(INDEX_FILES.html, buildIndexHtml(config, specs, (key) => latest.get(key) ?? [], { health, updatedAt, sections: input.sections }));
  }
  await writer.drain();
  return out;
}
