import { atomEnvelope, jsonEnvelope, rssEnvelope, type Envelope, type FeedMeta } from './feed-envelope.ts';
import type { FeedEntry } from './items.ts';
import { encodeItem, JSON_ITEM_INDENT, type EncodedItem } from './render-item.ts';

export { encodeItem, type EncodedItem } from './render-item.ts';
export type { FeedMeta } from './feed-envelope.ts';

export interface FeedFiles {
  rss: string;
  atom: string;
  json: string;
}

/**
 * The date a feed carries (RSS lastBuildDate, Atom updated): its newest
 * item's, so that the same store gives the same bytes. An empty feed has none
 * and carries `whenEmpty`, which the caller chooses to be as stable (and as
 * plausible) as that: readers and validators take a date in 1970 for a bug.
 */
export function feedUpdated(items: readonly Pick<FeedEntry, 'date'>[], whenEmpty: Date): Date {
  if (!items.length) return whenEmpty;
  return new Date(items.reduce((max, i) => Math.max(max, i.date.getTime()), -Infinity));
}

/** The RSS 2.0, Atom 1.0 and JSON Feed 1.1 files of a feed from its encoded items, as UTF-8. Pure: same input, same bytes. */
export function assembleFeedBuffers(meta: FeedMeta, items: readonly EncodedItem[]): Record<keyof FeedFiles, Buffer> {
  const json = jsonEnvelope(meta, items.length === 0);
  const join = (e: Envelope, parts: Buffer[]) => Buffer.concat([Buffer.from(e.head), ...parts, Buffer.from(e.tail)]);
  const comma = Buffer.from(',');
  const indent = Buffer.from(JSON_ITEM_INDENT);
  return {
    rss: join(rssEnvelope(meta), items.map((i) => i.rss)),
    atom: join(atomEnvelope(meta), items.map((i) => i.atom)),
    json: join(json, items.flatMap((i, n) => (n ? [comma, indent, i.json] : [indent, i.json]))),
  };
}

/** The RSS 2.0, Atom 1.0 and JSON Feed 1.1 files of one feed. Pure: same input, same bytes. */
export function renderFeeds(meta: FeedMeta, items: readonly FeedEntry[]): FeedFiles {
  const b = assembleFeedBuffers(meta, items.map(encodeItem));
  return { rss: b.rss.toString('utf8'), atom: b.atom.toString('utf8'), json: b.json.toString('utf8') };
}
