import type { ChannelSettings, RawItem } from '../core/types.ts';
import { parseFeedDate } from './date.ts';
import { htmlToText, str } from './text.ts';

// Patterns come from the config, which validated them; one that still fails
// to compile is matched as literal text rather than dropping every item.
const compiled = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern, 'iu');
    } catch {
      re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
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

/**
 * The items a channel keeps, in feed order: matching an include pattern (when
 * there are any) and no exclude pattern, not older than maxAgeMs (items
 * without a readable date are kept), at most `limit` of them.
 */
export function filterItems(items: RawItem[], settings: ChannelSettings, now: Date): RawItem[] {
  if (!Array.isArray(items)) return [];
  const include = patterns(settings.include);
  const exclude = patterns(settings.exclude);
  const maxAge = typeof settings.maxAgeMs === 'number' && settings.maxAgeMs >= 0 ? settings.maxAgeMs : undefined;
  const limit = Number.isFinite(settings.limit) && settings.limit > 0 ? settings.limit : Infinity;
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
}
