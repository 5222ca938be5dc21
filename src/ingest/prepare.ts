// The CPU-bound middle of ingesting one channel — decode, parse, filter,
// normalize the items that can make the cut — as one pure step, so it can run
// on a worker thread (prepare-pool.ts) or in-process with identical results.
import type { Article, FetchError, NormalizeWarning, ParsedFeed, RawItem, ResolvedChannel } from '../core/types.ts';
import { feedFromBytes } from '../fetch/index.ts';
import { createChannelNormalizer, itemKeyOf, newestCandidates, type ItemContext } from '../normalize/index.ts';
import type { ItemFragments } from '../store/index.ts';
import { fragmentEncoder, type FragmentEncoding } from './fragments.ts';

export interface PrepareInput {
  body: Uint8Array;
  contentType?: string;
  finalUrl: string;
  status: number;
  /** The response's Content-Location header: the base of the feed's relative links. */
  contentLocation?: string;
  channel: ResolvedChannel;
  /** The run's clock reading: filters and dates items; also the first-seen time of new items. */
  now: number;
  fallbackImage: string;
  /** Encode each candidate's feed fragments, here where its body is (see fragments.ts). */
  fragments?: FragmentEncoding;
}

/** An item that may be among the channel's newest `limit`, normalized. */
export interface Candidate {
  /** Its key within the channel: guid, else link, else a content hash. */
  itemKey: string;
  article: Article;
  text: string;
  /** Its feed fragments, when the input asked for them. */
  fragments?: ItemFragments;
  warnings: NormalizeWarning[];
  /** Its page's article (full text), which its body is: kept so re-dating the item keeps it. */
  fullText?: { html: string; image?: string };
  /** A stored item of a full-text channel whose page's article is not known here (a state rebuilt by reindex, an item stored before full_text was set): what is stored stays. */
  keepStored?: boolean;
  /** Set when the article is dated by when it was first seen (`now` here): the raw item, to date it again once that is known. */
  raw?: RawItem;
}

export type Prepared =
  | { kind: 'error'; error: FetchError }
  | {
      kind: 'ok';
      charset: string;
      bytes: number;
      /** The feed without its items: what re-normalizing one item needs. */
      feed: ParsedFeed;
      /** Items the channel's filters kept (before the limit). */
      kept: number;
      /** Items dropped because an earlier item of the feed had their item key (guid) but another link or content; at most MAX_COLLISIONS listed. */
      collisions?: { count: number; examples: GuidCollision[] };
      /** The dated items that make the limit, and every undated one up to the limit (their date is their first-seen time, known to the store). */
      candidates: Candidate[];
    };

/** A dropped item whose guid an earlier item of the same feed already had. */
export interface GuidCollision {
  itemKey: string;
  keptLink?: string;
  droppedLink?: string;
  droppedTitle?: string;
}

const MAX_COLLISIONS = 5;

/** Whether a repeated item key is the same item written twice (nothing lost by dropping it) or a different one. */
function sameItem(a: RawItem, b: RawItem): boolean {
  return a.link === b.link && a.title === b.title && (a.html ?? a.summary) === (b.html ?? b.summary);
}

const FIRST_SEEN_CODES = new Set<NormalizeWarning['code']>(['no-date', 'bad-date', 'future-date']);

/** Whether an article's date was taken from its first-seen time (see ChannelNormalizer.normalize). */
export function datedByFirstSeen(warnings: readonly NormalizeWarning[]): boolean {
  return warnings.some((w) => FIRST_SEEN_CODES.has(w.code));
}

export function normalizeContext(feed: ParsedFeed, finalUrl: string, firstSeen: number, now: number): ItemContext {
  return { feed, feedUrl: finalUrl, firstSeen: new Date(firstSeen), now: new Date(now) };
}

/** Never throws for the feed's faults: those are `{ kind: 'error' }`. */
export async function prepareChannel(input: PrepareInput): Promise<Prepared> {
  const parsed = await feedFromBytes(input.body, input.contentType, input.finalUrl, input.status, input.contentLocation);
  if (parsed.kind === 'error') return parsed;
  const { feed } = parsed;
  const normalizer = createChannelNormalizer(input.channel, { fallbackImage: input.fallbackImage });
  const items = normalizer.filter(feed.items, new Date(input.now));
  const seen = new Map<string, RawItem>();
  const collisions = { count: 0, examples: [] as GuidCollision[] };
  const unique = items.filter((item) => {
    const itemKey = itemKeyOf(item);
    const first = seen.get(itemKey);
    if (!first) {
      seen.set(itemKey, item);
      return true;
    }
    // A guid repeated inside one feed: the first wins. A verbatim repeat loses
    // nothing; a different item under the same guid is lost, so it is told.
    if (!sameItem(first, item)) {
      collisions.count++;
      if (collisions.examples.length < MAX_COLLISIONS) {
        collisions.examples.push({ itemKey, ...(first.link ? { keptLink: first.link } : {}), ...(item.link ? { droppedLink: item.link } : {}), ...(item.title ? { droppedTitle: item.title } : {}) });
      }
    }
    return false;
  });
  const context = normalizeContext(feed, input.finalUrl, input.now, input.now);
  const encode = input.fragments && (await fragmentEncoder(input.fragments));
  const candidates = newestCandidates(unique, input.channel.settings.limit, new Date(input.now)).map((item): Candidate => {
    const { article, warnings, text } = normalizer.normalize(item, context);
    // An article dated by when it is first seen may be dated again once the store says when (selectItems): not encoded yet.
    const redate = datedByFirstSeen(warnings);
    return { itemKey: article.itemKey, article, text, warnings, ...(redate ? { raw: item } : encode ? { fragments: encode(article) } : {}) };
  });
  return { kind: 'ok', charset: parsed.charset, bytes: parsed.bytes, feed: { ...feed, items: [] }, kept: unique.length, candidates, ...(collisions.count ? { collisions } : {}) };
}
