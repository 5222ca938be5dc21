import path from 'node:path';
import type { Logger } from '../core/log.ts';
import type { ParsedFeed, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { normalizeItem } from '../normalize/index.ts';
import { articleId, articlePath, articleRecord, cachedContent } from '../store/article-path.ts';
import type { StateDb } from '../store/state-db.ts';
import type { AtomicWriter } from '../util/atomic-write.ts';
import { normalizeContext, type PreparedEntry } from './prepare.ts';

export interface StoreCounts {
  newItems: number;
  updatedItems: number;
  duplicates: number;
}

/**
 * Stores a channel's prepared items, in one transaction with nothing else:
 * new and changed articles get their file (written before its row, so a kill
 * between the two only leaves a file the next run rewrites identically) and
 * their row; unchanged ones are left alone. Returns what it did.
 */
export function storeEntries(
  config: RefeedConfig,
  state: StateDb,
  channel: ResolvedChannel,
  prepared: { entries: PreparedEntry[]; feed: ParsedFeed; finalUrl: string; preparedAt: number },
  deps: { files: AtomicWriter; log: Logger },
): StoreCounts {
  const { log } = deps;
  const counts: StoreCounts = { newItems: 0, updatedItems: 0, duplicates: 0 };
  let stored = false;
  for (const entry of prepared.entries) {
    if (entry.kind === 'skip') {
      log.warn({ err: new Error(entry.message) }, 'item skipped: no identity');
      continue;
    }
    const { identity } = entry;
    const id = articleId(channel.key, identity);
    const existing = state.getArticle(id);
    const firstSeen = existing?.firstSeen ?? prepared.preparedAt;
    let { article, warnings, text } = entry;
    if (entry.raw && firstSeen !== prepared.preparedAt) {
      // Dated by first sight, and first seen in an earlier run: date it then.
      const ctx = normalizeContext(channel, prepared.feed, prepared.finalUrl, firstSeen, prepared.preparedAt, config.site.fallbackImage);
      ({ article, warnings, text } = normalizeItem(entry.raw, ctx));
    }
    if (warnings.length) log.debug({ identity, warnings }, 'item normalized with warnings');
    if (existing && existing.contentHash === article.contentHash) continue;
    if (!existing && article.link) {
      const other = state.findByLink(article.link);
      if (other && other.id !== id) {
        counts.duplicates++;
        continue;
      }
    }
    const rel = existing?.path ?? articlePath(article.slugs, id);
    const written = deps.files.write(path.join(config.site.output, rel), text);
    // Every article of a channel is in the same four feeds: they are marked dirty once.
    state.upsertArticle(articleRecord(article, id, firstSeen, rel), cachedContent(article, written), !stored);
    stored = true;
    if (existing) counts.updatedItems++;
    else counts.newItems++;
  }
  return counts;
}
