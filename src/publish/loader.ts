import type { Logger } from '../core/log.ts';
import type { ArticleRecord, Store } from '../store/index.ts';
import { toFeedItem, type ArticleContent, type FeedItem } from './items.ts';
import type { EncodedItem } from './render-feed.ts';
import type { FeedJob } from './work.ts';

/** An article ready to be placed in feeds: its entry, and that entry rendered once it is needed. */
export interface LoadedArticle {
  item: FeedItem;
  rendered?: EncodedItem;
}

export interface SkippedArticle {
  /** Relative to the output folder. */
  path: string;
  reason: string;
}

/**
 * The articles of one publish run, from the store alone (their files are
 * written from it, never read back): each loaded once, kept while a planned
 * feed still needs it, and reported once if the store holds no content for it.
 */
export class ArticleLoader {
  /** By row id; null: skipped (reported once). */
  private readonly loaded = new Map<string, LoadedArticle | null>();
  /** The store's content fetched ahead of use, by row id. */
  private readonly fetched = new Map<string, ArticleContent>();
  /** How many planned feeds still need each article. */
  private readonly refs = new Map<string, number>();
  private readonly used = new Set<string>();
  readonly skipped: SkippedArticle[] = [];

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    jobs: readonly FeedJob[],
  ) {
    for (const j of jobs) for (const r of j.rows) this.refs.set(r.id, (this.refs.get(r.id) ?? 0) + 1);
  }

  /** Distinct articles placed in feeds so far. */
  get usedCount(): number {
    return this.used.size;
  }

  /** Fetches the content of the articles of `rows` not loaded yet, in one query: get() then reads none. */
  async prefetch(rows: readonly ArticleRecord[]): Promise<void> {
    const ids = rows.filter((r) => !this.loaded.has(r.id) && !this.fetched.has(r.id)).map((r) => r.id);
    if (!ids.length) return;
    const got = await this.store.articleContent(ids);
    for (const id of ids) {
      const c = got.get(id);
      if (c) this.fetched.set(id, c);
      else if (!this.loaded.has(id)) this.loaded.set(id, null);
    }
  }

  /** The article of `row` (prefetched), or undefined when the store holds no content for it (reported). */
  get(row: ArticleRecord): LoadedArticle | undefined {
    const hit = this.loaded.get(row.id);
    if (hit !== undefined) return hit ?? this.skip(row);
    const content = this.fetched.get(row.id);
    this.fetched.delete(row.id);
    if (!content) return this.skip(row);
    const loaded = { item: toFeedItem(row, content) };
    this.used.add(row.id);
    // Kept while a planned feed still needs it.
    if (this.refs.has(row.id)) this.loaded.set(row.id, loaded);
    return loaded;
  }

  /** A feed built from `rows` is done with them: articles no later feed needs are dropped. */
  release(rows: readonly ArticleRecord[]): void {
    for (const r of rows) {
      const n = (this.refs.get(r.id) ?? 0) - 1;
      if (n > 0) this.refs.set(r.id, n);
      else {
        this.refs.delete(r.id);
        if (this.loaded.get(r.id)) this.loaded.delete(r.id);
      }
    }
  }

  private readonly reported = new Set<string>();

  private skip(row: ArticleRecord): undefined {
    this.loaded.set(row.id, null);
    if (this.reported.has(row.id)) return undefined;
    this.reported.add(row.id);
    const reason = 'the store holds no content for it';
    this.skipped.push({ path: row.path, reason });
    this.log.warn({ path: row.path, reason }, 'article skipped');
    return undefined;
  }
}
