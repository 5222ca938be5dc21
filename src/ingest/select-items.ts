import type { Article, ParsedFeed, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { createChannelNormalizer, fileRules, storedSubject, type ChannelNormalizer } from '../normalize/index.ts';
import { withFullText } from './full-text.ts';
import { sha1Hex } from '../normalize/text.ts';
import type { ItemFragments, ItemWrite, KnownItem } from '../store/index.ts';
import { normalizeContext, type Candidate } from './prepare.ts';

export interface Selected {
  /** What to store: new listings, and new content of articles this channel supplies. */
  writes: ItemWrite[];
  /** The file text of each write, by item key. */
  texts: Map<string, string>;
  /** Items under a guid the channel never listed whose content key an entry of it has: the same article again, not stored. */
  sameContent: number;
}

/**
 * An item's content key: a hash of its title, link and body, not of its
 * guid (nor its date, which such feeds regenerate too). Within a channel, an
 * item with the key of a stored one is that article again, whatever guid the
 * feed gives it now. Undefined for an item with neither link nor body (a bare
 * title says too little: "Build passed" twice is two events).
 */
export function contentKeyOf(a: Pick<Article, 'title' | 'link' | 'html' | 'original'>): string | undefined {
  // Of the item as the feed gives it (before the channel's rewrites): a change of rewrites must not make a stored item new.
  const { title, html } = a.original ?? a;
  if (!a.link && !html.trim()) return undefined;
  return sha1Hex(`content\n${title}\n${a.link ?? ''}\n${html}`);
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
  /** knownContent's answer for the candidates' content keys. */
  knownContent: ReadonlyMap<string, string> = new Map(),
): Selected {
  const { preparedAt } = prepared;
  const { limit, maxAgeMs } = channel.settings;
  let normalizer: ChannelNormalizer | undefined; // made only when a stored item needs dating again
  const dated = prepared.candidates.map((c) => {
    const firstSeen = known.get(c.itemKey)?.firstSeen ?? preparedAt;
    if (!c.raw || firstSeen === preparedAt) return { c, firstSeen };
    // Dated by first sight, and first seen in an earlier run: dated then.
    normalizer ??= createChannelNormalizer(channel, { fallbackImage: config.site.fallbackImage });
    let again = normalizer.normalize(c.raw, normalizeContext(prepared.feed, prepared.finalUrl, firstSeen, preparedAt));
    if (c.fullText) again = withFullText(again, c.fullText, normalizer);
    const { article, warnings, text } = again;
    return { c: { ...c, article, warnings, text, fragments: undefined }, firstSeen };
  });
  const kept = dated
    .filter(({ c }) => !c.raw || maxAgeMs === undefined || preparedAt - c.article.date.getTime() <= maxAgeMs)
    .sort((a, b) => b.c.article.date.getTime() - a.c.article.date.getTime())
    .slice(0, Number.isFinite(limit) && limit > 0 ? limit : undefined);
  const selected: Selected = { writes: [], texts: new Map(), sameContent: 0 };
  // The article as stored (after rewrites) is what the publisher judges: one its rules hide gets no file.
  const rules = fileRules(channel.settings);
  const newKeys = new Set<string>();
  for (const { c, firstSeen } of kept) {
    const k = known.get(c.itemKey);
    const contentKey = contentKeyOf(c.article);
    if (!k && contentKey !== undefined) {
      // A new guid on content the channel has (stored, or earlier in this feed): a regenerated guid.
      if (knownContent.has(contentKey) || newKeys.has(contentKey)) {
        selected.sameContent++;
        continue;
      }
      newKeys.add(contentKey);
    }
    if (k && (!k.owned || k.contentHash === c.article.contentHash || c.keepStored)) continue;
    const hidden = !rules.empty && !rules.judge(storedSubject(c.article)).kept;
    selected.writes.push({ ...itemWrite(c.itemKey, c.article, firstSeen, c.fragments), ...(contentKey !== undefined ? { contentKey } : {}), ...(hidden ? { hidden } : {}) });
    selected.texts.set(c.itemKey, c.text);
  }
  return selected;
}

/** A normalized article as the store takes it. */
export function itemWrite(itemKey: string, a: Article, firstSeen: number, fragments?: ItemFragments): ItemWrite {
  return {
    itemKey,
    ...(a.link ? { link: a.link } : {}),
    firstSeen,
    article: { ...a, date: a.date.getTime(), ...(fragments ? { fragments } : {}) },
  };
}
