import { readFileSync } from 'node:fs';
import type { Logger } from '../core/log.ts';
import type { ArticleContent } from '../core/types.ts';
import { parseArticle } from '../normalize/index.ts';
import type { ArticleRecord, CachedArticleContent, Store } from '../store/index.ts';
import { articleSource } from './article-source.ts';
import { toFeedEntry, type FeedEntry } from './items.ts';
import type { EncodedItem } from './render-feed.ts';
import type { FeedJob } from './work.ts';

/** Content read back from files is recorded in the store in batches of this many. */
const CONTENT_BATCH = 256;

/** An article ready to be placed in feeds: its entry, and that entry rendered once it is needed. */
export interface LoadedArticle {
  item: FeedEntry;
  rendered?: EncodedItem;
  /** The item lacks its body and summary (a render worker's: its bytes are in `rendered`). */
  bodiless?: boolean;
}

export interface SkippedArticle {
  /** Relative to the output folder. */
  path: string;
  reason: string;
}

/** Whether content parsed from a file can stand in for it in the cache (which takes title, date and link from the row). */
function cacheable(row: ArticleRecord, a: ArticleContent): boolean {
  return a.title === row.title && a.date.getTime() === row.date && (a.link ?? undefined) === (row.link ?? undefined);
}

/**
 * The articles of one publish run: each loaded once (from the store's copy
 * when it is the file's, else from the file, which then refreshes the store),
 * kept while a planned feed still needs it, and reported once if unreadable.
 */
export class ArticleLoader {
  /** By row id; null: the file was skipped (reported once). */
  private readonly loaded = new Map<string, LoadedArticle | null>();
  /** The store's copies fetched ahead of use, by row id. */
  private readonly cached = new Map<string, CachedArticleContent>();
  /** How many planned feeds still need each article. */
  private readonly refs = new Map<string, number>();
  private readonly used = new Set<string>();
  private readonly pending: [string, CachedArticleContent][] = [];
  readonly skipped: SkippedArticle[] = [];
  /** Ids of the rows skipped because their file does not exist (yet, when another process committed them meanwhile). */
  readonly missing = new Set<string>();
  /** Article files read and parsed (each at most once). */
  parsed = 0;
  /** Articles a render worker prepared. */
  fromWorkers = 0;

  constructor(
    private readonly output: string,
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

  /** Fetches the store's copies of the articles of `rows` not loaded yet, in one query: get() then reads none. */
  async prefetch(rows: readonly ArticleRecord[]): Promise<void> {
    const ids = rows.filter((r) => !this.loaded.has(r.id) && !this.cached.has(r.id)).map((r) => r.id);
    if (!ids.length) return;
    for (const [id, c] of await this.store.articleContent(ids)) this.cached.set(id, c);
  }

  /** The article of `row`, or undefined when its file cannot be used (reported). */
  get(row: ArticleRecord): LoadedArticle | undefined {
    const hit = this.loaded.get(row.id);
    if (hit !== undefined) return hit ?? undefined;
    const content = this.content(row);
    this.cached.delete(row.id);
    const loaded = content ? { item: toFeedEntry(row, content) } : null;
    if (loaded) this.used.add(row.id);
    // Kept while a planned feed still needs it; a skipped file is remembered so it is reported once.
    if (!loaded || this.refs.has(row.id)) this.loaded.set(row.id, loaded);
    return loaded ?? undefined;
  }

  /** Takes an article a render worker prepared, unless it is already here or no longer needed. */
  accept(id: string, article: LoadedArticle): void {
    if (this.loaded.has(id) || !this.refs.has(id)) return;
    this.loaded.set(id, article);
    this.used.add(id);
    this.fromWorkers++;
  }

  /** The whole item of an article a worker handed over body-less (see RenderedArticle); undefined if it cannot be read now. */
  async whole(row: ArticleRecord): Promise<FeedEntry | undefined> {
    const stored = (await this.store.articleContent([row.id])).get(row.id);
    if (stored) this.cached.set(row.id, stored);
    const content = this.content(row);
    this.cached.delete(row.id);
    return content && toFeedEntry(row, content);
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

  /** Records the content read from files in this run in the store (with `all` false, once a batch has gathered). */
  async flush(all = true): Promise<void> {
    if (!this.pending.length || (!all && this.pending.length < CONTENT_BATCH)) return;
    await this.store.setArticleContent(this.pending.splice(0));
  }

  private content(row: ArticleRecord): ArticleContent | undefined {
    const source = articleSource(this.output, row, this.cached.get(row.id));
    if (source.kind === 'skip') return this.skip(row, source.reason, source.missing);
    if (source.kind === 'cached') return source.content;
    const { file, stat } = source;
    let content: ArticleContent;
    try {
      const text = readFileSync(file, 'utf8');
      this.parsed++;
      content = parseArticle(text);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return e.code === 'ENOENT' ? this.skip(row, 'file missing (deleted?)', true) : this.skip(row, e.message);
    }
    // Recorded with the stat taken before reading: if the file changed in between, the next run reads it again.
    if (cacheable(row, content)) {
      this.pending.push([row.id, { ...content, fileMtimeMs: stat.mtimeMs, fileSize: stat.size }]);
    }
    return content;
  }

  private skip(row: ArticleRecord, reason: string, missing = false): undefined {
    if (missing) this.missing.add(row.id);
    this.skipped.push({ path: row.path, reason });
    this.log.warn({ path: row.path, reason }, 'article file skipped; fix it and run `refeed publish --full` to include it again');
    return undefined;
  }
}
