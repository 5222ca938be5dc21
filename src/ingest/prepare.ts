// The CPU-bound middle of ingesting one channel — decode, parse, filter,
// normalize every item — as one pure step, so it can run on a worker thread
// (prepare-pool.ts) or in-process with identical results.
import type { Article, FetchError, NormalizeWarning, ParsedFeed, RawItem, ResolvedChannel } from '../core/types.ts';
import { feedFromBytes } from '../fetch/index.ts';
import { createChannelNormalizer, itemIdentity, type ItemContext } from '../normalize/index.ts';

export interface PrepareInput {
  body: Uint8Array;
  contentType?: string;
  finalUrl: string;
  status: number;
  channel: ResolvedChannel;
  /** The run's clock reading: filters and dates items; also the first-seen time of new items. */
  now: number;
  fallbackImage: string;
}

export type PreparedEntry =
  | { kind: 'skip'; message: string }
  | {
      kind: 'item';
      identity: string;
      article: Article;
      text: string;
      warnings: NormalizeWarning[];
      /** Set when the article's date came from its first-seen time (`now` here): a stored item's own first-seen time must redo it. */
      raw?: RawItem;
    };

export type Prepared =
  | { kind: 'error'; error: FetchError }
  | {
      kind: 'ok';
      charset: string;
      bytes: number;
      /** The feed without its items: what re-normalizing one item needs. */
      feed: ParsedFeed;
      /** Items kept by the channel's filters. */
      kept: number;
      /** In feed order; duplicates of an identity earlier in the feed already left out. */
      entries: PreparedEntry[];
    };

const FIRST_SEEN_CODES = new Set<NormalizeWarning['code']>(['no-date', 'bad-date', 'future-date']);

/** Whether an article's date was taken from its first-seen time (see ChannelNormalizer.normalize). */
export function datedByFirstSeen(warnings: readonly NormalizeWarning[]): boolean {
  return warnings.some((w) => FIRST_SEEN_CODES.has(w.code));
}

export function normalizeContext(feed: ParsedFeed, finalUrl: string, firstSeen: number, now: number): ItemContext {
  return { feed, feedUrl: finalUrl, firstSeen: new Date(firstSeen), now: new Date(now) };
}

/** Never throws: feed failures are `{ kind: 'error' }`, item failures `skip` entries. */
export async function prepareChannel(input: PrepareInput): Promise<Prepared> {
  const parsed = await feedFromBytes(input.body, input.contentType, input.finalUrl, input.status);
  if (parsed.kind === 'error') return parsed;
  const { feed } = parsed;
  const normalizer = createChannelNormalizer(input.channel, { fallbackImage: input.fallbackImage });
  const items = normalizer.filter(feed.items, new Date(input.now));
  const seen = new Set<string>();
  const entries: PreparedEntry[] = [];
  const context = normalizeContext(feed, input.finalUrl, input.now, input.now);
  for (const item of items) {
    let identity: string;
    try {
      identity = itemIdentity(item);
    } catch (err) {
      entries.push({ kind: 'skip', message: (err as Error)?.message ?? String(err) });
      continue;
    }
    if (seen.has(identity)) continue; // duplicate guid inside one feed: the first wins
    seen.add(identity);
    let normalized;
    try {
      normalized = normalizer.normalize(item, context);
    } catch (err) {
      // normalize promises not to throw; if it ever does, only this item is lost.
      entries.push({ kind: 'skip', message: `cannot normalize: ${(err as Error)?.message ?? String(err)}` });
      continue;
    }
    const { article, warnings, text } = normalized;
    entries.push({ kind: 'item', identity, article, text, warnings, ...(datedByFirstSeen(warnings) ? { raw: item } : {}) });
  }
  return { kind: 'ok', charset: parsed.charset, bytes: parsed.bytes, feed: { ...feed, items: [] }, kept: items.length, entries };
}
