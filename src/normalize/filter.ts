import type { ChannelSettings, RawItem } from '../core/types.ts';
import { parseFeedDate } from './date.ts';
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
 * not older than maxAgeMs (items without a readable date are kept), at most
 * `limit` of them.
 */
export function createItemFilter(settings: ChannelSettings): ItemFilter {
  const include = patterns(settings.include);
  const exclude = patterns(settings.exclude);
  const maxAge = typeof settings.maxAgeMs === 'number' && settings.maxAgeMs >= 0 ? settings.maxAgeMs : undefined;
  const limit = Number.isFinite(settings.limit) && settings.limit > 0 ? settings.limit : Infinity;
  return (items, now) => {
    if (!Array.isArray(items)) return [];
    const nowMs = now.getTime();
    const kept: RawItem[] = [];
    for (const item of items) {
      if (kept.length >= limit) break;
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
