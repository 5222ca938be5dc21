import type { ChannelSettings, RawItem } from '../core/types.ts';
import { FUTURE_SKEW_MS, parseFeedDate } from './date.ts';
import { htmlToText, str } from './text.ts';

// Patterns come from the config, which validated them; one that still fails
// to compile is matched as literal text rather than dropping every item.
function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'iu');
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
  }
}

function patterns(list: unknown): RegExp[] {
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string' && p !== '').map(regex) : [];
}

/** What include/exclude patterns are tested on: the title and the content's text. */
function matchText(item: RawItem): string {
  const title = str(item.title) ?? '';
  const content = str(item.html) ?? str(item.summary) ?? '';
  return `${title}\n${htmlToText(content)}`;
}

/** Picks the items a channel keeps; its patterns are compiled once, when it is made. */
export type ItemFilter = (items: RawItem[], now: Date) => RawItem[];

/**
 * The filter for a channel's settings: it keeps, in feed order, the items
 * matching an include pattern (when there are any) and no exclude pattern,
 * not older than maxAgeMs (items without a readable date are kept: their age
 * is their first-seen time, which the store knows). The limit is applied by
 * date afterwards (newestCandidates, then the ingest's final cut).
 */
export function createItemFilter(settings: ChannelSettings): ItemFilter {
  const include = patterns(settings.include);
  const exclude = patterns(settings.exclude);
  const maxAge = typeof settings.maxAgeMs === 'number' && settings.maxAgeMs >= 0 ? settings.maxAgeMs : undefined;
  return (items, now) => {
    if (!Array.isArray(items)) return [];
    const nowMs = now.getTime();
    const kept: RawItem[] = [];
    for (const item of items) {
      if (item === null || typeof item !== 'object') continue;
      if (include.length || exclude.length) {
        const text = matchText(item);
        if (include.length && !include.some((re) => re.test(text))) continue;
        if (exclude.some((re) => re.test(text))) continue;
      }
      if (maxAge !== undefined) {
        const date = parseFeedDate(item.date);
        if (date && nowMs - date.getTime() > maxAge) continue;
      }
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
