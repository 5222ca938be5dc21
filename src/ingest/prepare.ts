// The CPU-bound middle of ingesting one channel — decode, parse, filter,
// normalize the items that can make the cut — as one pure step, so it can run
// on a worker thread (prepare-pool.ts) or in-process with identical results.
import type { Article, FetchError, NormalizeWarning, ParsedFeed, RawItem, ResolvedChannel } from '../core/types.ts';
import { feedFromBytes } from '../fetch/index.ts';
import { createChannelNormalizer, itemIdentity, newestCandidates, type ItemContext } from '../normalize/index.ts';
import type { ItemFragments } from '../store/index.ts';
import { fragmentEncoder, type FragmentEncoding } from './fragments.ts';

export interface PrepareInput {
  body: Uint8Array;
  contentType?: string;
  finalUrl: string;
  status: number;
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
  identity: string;
  article: Article;
  text: string;
  /** Its feed fragments, when the input asked for them. */
  fragments?: ItemFragments;
  warnings: NormalizeWarning[];
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
      /** The dated items that make the limit, and every undated one up to the limit (their date is their first-seen time, known to the store). */
      candidates: Candidate[];
    };

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
  const parsed = await feedFromBytes(input.body, input.contentType, input.finalUrl, input.status);
  if (parsed.kind === 'error') return parsed;
  const { feed } = parsed;
  const normalizer = createChannelNormalizer(input.channel, { fallbackImage: input.fallbackImage });
  const items = normalizer.filter(feed.items, new Date(input.now));
  const seen = new Set<string>();
  const unique = items.filter((item) => {
    const identity = itemIdentity(item);
    if (seen.has(identity)) return false; // a guid repeated inside one feed: the first wins
    seen.add(identity);
    return true;
  });
  const context = normalizeContext(feed, input.finalUrl, input.now, input.now);
  const encode = input.fragments && (await fragmentEncoder(input.fragments));
  const candidates = newestCandidates(unique, input.channel.settings.limit, new Date(input.now)).map((item): Candidate => {
    const { article, warnings, text } = normalizer.normalize(item, context);
    // An article dated by when it is first seen may be dated again once the store says when (selectItems): not encoded yet.
    const redate = datedByFirstSeen(warnings);
    return { identity: article.identity, article, text, warnings, ...(redate ? { raw: item } : encode ? { fragments: encode(article) } : {}) };
  });
  return { kind: 'ok', charset: parsed.charset, bytes: parsed.bytes, feed: { ...feed, items: [] }, kept: unique.length, candidates };
}
