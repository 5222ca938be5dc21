import type { Article, ParsedFeed, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { createChannelNormalizer, type ChannelNormalizer } from '../normalize/index.ts';
import type { ItemFragments, ItemWrite, KnownItem } from '../store/index.ts';
import { normalizeContext, type Candidate } from './prepare.ts';

export interface Selected {
  /** What to store: new listings, and new content of articles this channel supplies. */
  writes: ItemWrite[];
  /** The file text of each write, by item key. */
  texts: Map<string, string>;
}

/**
 * The channel's newest `limit` items, now that the store says when each was
 * first seen (an undated item is dated then), and of those the ones that
 * change anything: unchanged articles and articles another channel supplies
 * are left as they are.
 */
export function selectItems(
  config: RefeedConfig,
  channel: ResolvedChannel,
  prepared: { candidates: Candidate[]; feed: ParsedFeed; finalUrl: string; preparedAt: number },
  known: Map<string, KnownItem>,
): Selected {
  const { preparedAt } = prepared;
  const { limit, maxAgeMs } = channel.settings;
  let normalizer: ChannelNormalizer | undefined; // made only when a stored item needs dating again
  const dated = prepared.candidates.map((c) => {
    const firstSeen = known.get(c.identity)?.firstSeen ?? preparedAt;
    if (!c.raw || firstSeen === preparedAt) return { c, firstSeen };
    // Dated by first sight, and first seen in an earlier run: dated then.
    normalizer ??= createChannelNormalizer(channel, { fallbackImage: config.site.fallbackImage });
    const { article, warnings, text } = normalizer.normalize(c.raw, normalizeContext(prepared.feed, prepared.finalUrl, firstSeen, preparedAt));
    return { c: { ...c, article, warnings, text, fragments: undefined }, firstSeen };
  });
  const kept = dated
    .filter(({ c }) => !c.raw || maxAgeMs === undefined || preparedAt - c.article.date.getTime() <= maxAgeMs)
    .sort((a, b) => b.c.article.date.getTime() - a.c.article.date.getTime())
    .slice(0, Number.isFinite(limit) && limit > 0 ? limit : undefined);
  const selected: Selected = { writes: [], texts: new Map() };
  for (const { c, firstSeen } of kept) {
    const k = known.get(c.identity);
    if (k && (!k.owned || k.contentHash === c.article.contentHash)) continue;
    selected.writes.push(itemWrite(c.identity, c.article, firstSeen, c.fragments));
    selected.texts.set(c.identity, c.text);
  }
  return selected;
}

/** A normalized article as the store takes it. */
export function itemWrite(itemKey: string, a: Article, firstSeen: number, fragments?: ItemFragments): ItemWrite {
  return {
    itemKey,
    ...(a.link ? { link: a.link } : {}),
    firstSeen,
    article: {
      identity: a.identity,
      title: a.title,
      ...(a.link ? { link: a.link } : {}),
      ...(a.guid ? { guid: a.guid } : {}),
      author: a.author,
      headimg: a.headimg,
      categories: [...a.categories],
      html: a.html,
      date: a.date.getTime(),
      contentHash: a.contentHash,
      ...(fragments ? { fragments } : {}),
    },
  };
}
