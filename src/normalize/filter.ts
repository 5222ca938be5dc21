import type { ChannelSettings, RawItem } from '../core/types.ts';
import { FUTURE_SKEW_MS, parseFeedDate } from './date.ts';
import { compileRules, type RuleSubject } from './rules.ts';
import { authorName, htmlToText, str } from './text.ts';

/** Picks the items a channel keeps; its rules are compiled once, when it is made. */
export type ItemFilter = (items: RawItem[], now: Date) => RawItem[];

/** What the channel's rules read of a fetched item; one without a readable date is judged by `now` (when it is first seen). */
export function rawSubject(item: RawItem, now: number): RuleSubject {
  return {
    title: str(item.title) ?? '',
    link: str(item.link) ?? '',
    author: authorName(str(item.author) ?? ''),
    tags: Array.isArray(item.categories) ? item.categories.filter((t): t is string => typeof t === 'string') : [],
    text: () => htmlToText(str(item.html) ?? str(item.summary) ?? ''),
    date: parseFeedDate(item.date)?.getTime() ?? now,
  };
}

/**
 * The filter for a channel's settings: it keeps, in feed order, the items its
 * rules keep (rules.ts: blocks win over keeps; include/exclude are `keep any`
 * and `block any` ignoring case), not older than max_age. The publisher runs
 * the same rules over stored items; here they make the channel's limit go to
 * items that pass. The limit is applied by date afterwards (newestCandidates,
 * then the ingest's final cut).
 */
export function createItemFilter(settings: ChannelSettings): ItemFilter {
  const rules = compileRules(settings);
  return (items, now) => {
    if (!Array.isArray(items)) return [];
    const nowMs = now.getTime();
    const kept: RawItem[] = [];
    for (const item of items) {
      if (item === null || typeof item !== 'object') continue;
      if (!rules.empty && !rules.judge(rawSubject(item, nowMs), nowMs).kept) continue;
      kept.push(item);
    }
    return kept;
  };
}

/**
 * The items that can be among a channel's newest `limit`, whatever the
 * document order (a feed listed oldest first still gets its new items): the
 * `limit` newest dated ones, and every undated one up to `limit`, since an
 * undated item counts by its first-seen time, which only the store knows.
 */
export function newestCandidates(items: readonly RawItem[], limit: number, now: Date): RawItem[] {
  const max = Number.isFinite(limit) && limit > 0 ? limit : Infinity;
  const dated: { item: RawItem; at: number; index: number }[] = [];
  const undated: RawItem[] = [];
  items.forEach((item, index) => {
    const at = parseFeedDate(item.date)?.getTime();
    if (at === undefined || at > now.getTime() + FUTURE_SKEW_MS) undated.push(item);
    else dated.push({ item, at, index });
  });
  dated.sort((a, b) => b.at - a.at || a.index - b.index);
  return [...dated.slice(0, max).map((d) => d.item), ...undated.slice(0, max)];
}
