import { createHash } from 'node:crypto';
import type { ArticleRecord } from './types.ts';

/** Signature of the article rows a feed is built from: equal signatures, equal feed items. */
export function rowsHash(rows: readonly ArticleRecord[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify([r.id, r.contentHash, r.path, r.date])).update('\n');
  return h.digest('hex');
}
