import type { ArticleRecord, Store } from '../store/index.ts';
import type { TopRows } from '../store/visible-rows.ts';

export type { TopRows } from '../store/visible-rows.ts';

/**
 * Rows as the store gives them, one object per article and channel for the
 * whole publish: an article is in up to four planned feeds (merged, group,
 * source, channel), and a full publish holds every planned feed's rows, so
 * four copies of each row's strings were most of its heap.
 */
export function topRowsOf(store: Store): TopRows {
  const interned = new Map<string, ArticleRecord>();
  const same = (a: ArticleRecord, b: ArticleRecord) =>
    a.contentHash === b.contentHash && a.date === b.date && a.title === b.title && a.link === b.link && a.path === b.path && a.firstSeen === b.firstSeen;
  return async (key, want) =>
    (await store.topArticles(key, want)).map((r) => {
      const k = `${r.id}\n${r.channelKey}`;
      const prev = interned.get(k);
      if (prev && same(prev, r)) return prev;
      interned.set(k, r);
      return r;
    });
}
