import type { Logger } from '../core/log.ts';
import type { ArticleRecord, FragmentsWrite, ItemFragments, Store } from '../store/index.ts';
import { encodeFragmentsAs } from './fragments.ts';
import { toFeedEntry } from './items.ts';
import { encodeItem, type EncodedItem } from './render-item.ts';
import type { FeedJob } from './work.ts';

/** Fragments a publish encoded are stored in batches of this many. */
const STORE_BATCH = 256;

/** An article ready to be placed in feeds: its id there and its encoded item. */
export interface LoadedArticle {
  id: string;
  encoded: EncodedItem;
}

export interface SkippedArticle {
  /** Relative to the output folder. */
  path: string;
  reason: string;
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * The articles of one publish run, from the store alone (their files are
 * written from it, never read back): each article's stored fragments when
 * they are of this version, else encoded once from its content and stored;
 * kept while a planned feed still needs them; reported once if the store
 * holds no content for the article.
 */
export class ArticleLoader {
  /** By row id; null: skipped (reported once). */
  private readonly loaded = new Map<string, LoadedArticle | null>();
  /** How many planned feeds still need each article. */
  private readonly refs = new Map<string, number>();
  private readonly used = new Set<string>();
  private readonly toStore: FragmentsWrite[] = [];
  readonly skipped: SkippedArticle[] = [];
  /** Articles whose fragments this run encoded (missing, or of another version). */
  encoded = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly version: string,
    jobs: readonly FeedJob[],
  ) {
    for (const j of jobs) for (const r of j.rows) this.refs.set(r.id, (this.refs.get(r.id) ?? 0) + 1);
  }

  /** Distinct articles placed in feeds so far. */
  get usedCount(): number {
    return this.used.size;
  }

  /** Loads the articles of `rows` not loaded yet: their fragments in one query, the content of those without in one more. */
  async load(rows: readonly ArticleRecord[]): Promise<void> {
    const todo = rows.filter((r) => !this.loaded.has(r.id));
    if (!todo.length) return;
    const stored = await this.store.itemFragments(
      todo.map((r) => r.id),
      this.version,
    );
    const missing = todo.filter((r) => !stored.has(r.id));
    const contents = missing.length ? await this.store.articleContent(missing.map((r) => r.id)) : new Map();
    for (const r of todo) {
      if (this.loaded.has(r.id)) continue; // listed twice in rows (two channels)
      let f: ItemFragments | undefined = stored.get(r.id);
      if (!f) {
        const content = contents.get(r.id);
        if (!content) {
          this.skip(r);
          continue;
        }
        f = encodeFragmentsAs(this.version, r.itemKey, content);
        this.encoded++;
        // Kept only if the row still has the content they come from (an ingest or a rename may change it meanwhile).
        this.toStore.push({ id: r.id, contentHash: r.contentHash, categories: content.categories, fragments: f });
      }
      this.loaded.set(r.id, { id: f.id, encoded: { rss: asBuffer(f.rss), atom: asBuffer(f.atom), json: asBuffer(f.json) } });
    }
  }

  /** The article of `row` (loaded), or undefined when it was skipped. */
  get(row: ArticleRecord): LoadedArticle | undefined {
    const a = this.loaded.get(row.id) ?? undefined;
    if (a) this.used.add(row.id);
    return a;
  }

  /** The item of `row` encoded with another id (it clashes in a feed), from its whole content; undefined if the store no longer has it. */
  async reencoded(row: ArticleRecord, id: string): Promise<EncodedItem | undefined> {
    const content = (await this.store.articleContent([row.id])).get(row.id);
    return content && encodeItem({ ...toFeedEntry(row, content), id, idIsLink: false });
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

  /** Stores the fragments encoded in this run (with `all` false, once a batch has gathered). */
  async flush(all = true): Promise<void> {
    if (!this.toStore.length || (!all && this.toStore.length < STORE_BATCH)) return;
    await this.store.setItemFragments(this.toStore.splice(0));
  }

  private skip(row: ArticleRecord): void {
    this.loaded.set(row.id, null);
    const reason = 'the store holds no content for it';
    this.skipped.push({ path: row.path, reason });
    this.log.warn({ path: row.path, reason }, 'article skipped');
  }
}
