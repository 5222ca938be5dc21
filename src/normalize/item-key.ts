import type { RawItem } from '../core/types.ts';
import { nonEmpty, sha1Hex, str } from './text.ts';

/**
 * An item's key within its channel: its guid, else its link, else a hash of
 * title and date (`hash:<sha1>`). An item with none of those is identified by
 * its content, so two different untitled, undated items stay apart.
 */
export function itemKeyOf(item: RawItem): string {
  const it: Partial<Record<keyof RawItem, unknown>> = item !== null && typeof item === 'object' ? item : {};
  const guid = nonEmpty(it.guid);
  if (guid) return guid;
  const link = nonEmpty(it.link);
  if (link) return link;
  const title = str(it.title)?.trim() ?? '';
  const date = str(it.date)?.trim() ?? '';
  if (!title && !date) return `hash:${sha1Hex('\n' + (nonEmpty(it.html) ?? nonEmpty(it.summary) ?? ''))}`;
  return `hash:${sha1Hex(title + '\n' + date)}`;
}

/** A number in 1..1000 that depends only on the item key, for the fallback image's `{n}`. */
export function fallbackNumber(itemKey: string): number {
  return (parseInt(sha1Hex(itemKey).slice(0, 8), 16) % 1000) + 1;
}
