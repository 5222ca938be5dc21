import { createHash } from 'node:crypto';
import type { RefeedConfig } from '../core/types.ts';
import type { ArticleRecord, StateDb } from '../store/state-db.ts';

/** The newest `want` rows of a feed key, from configured channels only. */
export type TopRows = (key: string, want: number) => ArticleRecord[];

/**
 * Rows of configured channels only: articles of a channel removed from the
 * config drop out of the merged, group and source feeds.
 */
export function topRowsOf(config: RefeedConfig, state: StateDb): TopRows {
  const configured = new Set(config.channels.map((c) => c.key));
  return (key, want) => {
    for (let n = want; ; n *= 2) {
      const raw = state.topArticles(key, n);
      const kept = raw.filter((r) => configured.has(r.channelKey));
      if (kept.length >= want || raw.length < n) return kept.slice(0, want);
    }
  };
}

/** Signature of the article rows a feed is built from: equal signatures, equal feed items. */
export function rowsHash(rows: readonly ArticleRecord[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify([r.id, r.contentHash, r.path, r.date])).update('\n');
  return h.digest('hex');
}
