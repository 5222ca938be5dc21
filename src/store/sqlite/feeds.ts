import type Database from 'better-sqlite3';
import { rowsHash } from '../rows-hash.ts';
import type { ArticleContent } from '../../core/types.ts';
import { contentById, type ContentRow } from '../content-rows.ts';
import type { ArticleRecord, FragmentsWrite, ItemFragments, PublishCommit } from '../types.ts';
import { PublishLedger } from './ledger.ts';
import { asBuffer, distinctArticles, filledContentColumns, toItemFragments, type FeedRow, type FragmentsRow } from '../row-shapes.ts';


const FEED_COLUMNS = `a.id, a.identity, ch.key AS channel_key, e.g, e.s, e.c, a.title, a.link, a.date, a.first_seen, a.content_hash, a.path
  FROM entries e JOIN articles a ON a.id = e.article_id JOIN channels ch ON ch.id = e.channel_id`;
const ORDER = 'ORDER BY e.date DESC, e.article_id LIMIT ?';

const CONTENT_SQL = `SELECT id, title, link, date, author, headimg, guid, categories, html, extra FROM articles
  WHERE id IN (SELECT value FROM json_each(?)) AND html IS NOT NULL`;

/** Feeds' articles, their content, and the publisher's bookkeeping. */
export class FeedRepo {
  private readonly s;
  readonly ledger: PublishLedger;

  constructor(db: Database.Database) {
    this.ledger = new PublishLedger(db);
    this.s = {
      top: {
        0: db.prepare<[number], FeedRow>(`SELECT ${FEED_COLUMNS} WHERE e.g IS NOT NULL ${ORDER}`),
        1: db.prepare<[string, number], FeedRow>(`SELECT ${FEED_COLUMNS} WHERE e.g = ? ${ORDER}`),
        2: db.prepare<[string, string, number], FeedRow>(`SELECT ${FEED_COLUMNS} WHERE e.g = ? AND e.s = ? ${ORDER}`),
        3: db.prepare<[string, string, string, number], FeedRow>(`SELECT ${FEED_COLUMNS} WHERE e.g = ? AND e.s = ? AND e.c = ? ${ORDER}`),
      },
      content: db.prepare<[string], ContentRow>(CONTENT_SQL),
      fragments: db.prepare<[string, string], FragmentsRow>(
        `SELECT article_id, version, item_id, rss, atom, json FROM item_fragments WHERE article_id IN (SELECT value FROM json_each(?)) AND version = ?`,
      ),
      setFragments: db.prepare(
        `INSERT INTO item_fragments (article_id, version, item_id, rss, atom, json)
         SELECT @id, @version, @itemId, @rss, @atom, @json FROM articles WHERE id = @id AND content_hash = @contentHash AND categories = @categories
         ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, item_id = excluded.item_id, rss = excluded.rss, atom = excluded.atom, json = excluded.json`,
      ),
      contentless: db.prepare<[number], { id: string; path: string }>('SELECT id, path FROM articles WHERE html IS NULL ORDER BY id LIMIT ?'),
      fillContent: db.prepare(
        `UPDATE articles SET author = @author, headimg = @headimg, guid = @guid, categories = @categories, html = @html, extra = @extra WHERE id = @id AND html IS NULL`,
      ),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM articles'),
      dirty: db.prepare<[], { key: string }>('SELECT key FROM dirty_feeds ORDER BY key'),
      clearDirty: db.prepare('DELETE FROM dirty_feeds WHERE key = ?'),
    };
  }

  /** Newest first, ties by id (deterministic); an article listed by several channels of the feed comes once. */
  top(feedKey: string, limit: number): ArticleRecord[] {
    const parts = feedKey === '' ? [] : feedKey.split('/');
    const stmt = this.s.top[parts.length as 0 | 1 | 2 | 3];
    if (!stmt) throw new Error(`bad feed key "${feedKey}"`);
    for (let n = limit; ; n *= 2) {
      const rows = (stmt.all as (...a: unknown[]) => FeedRow[])(...parts, n);
      const out = distinctArticles(rows, limit);
      if (out.length === limit || rows.length < n) return out;
    }
  }

  content(ids: readonly string[]): Map<string, ArticleContent> {
    return contentById(this.s.content.all(JSON.stringify(ids)));
  }

  fragments(ids: readonly string[], version: string): Map<string, ItemFragments> {
    return new Map(this.s.fragments.all(JSON.stringify(ids), version).map((r) => [r.article_id, toItemFragments(r)]));
  }

  setFragments(entries: readonly FragmentsWrite[]): void {
    for (const e of entries) this.s.setFragments.run(fragmentsParams(e.id, e.fragments, { contentHash: e.contentHash, categories: JSON.stringify(e.categories) }));
  }

  contentless(limit: number): { id: string; path: string }[] {
    return this.s.contentless.all(limit);
  }

  fillContent(entries: readonly [string, ArticleContent][]): void {
    for (const [id, c] of entries) this.s.fillContent.run({ id, ...filledContentColumns(c) });
  }

  count(): number {
    return this.s.count.get()!.n;
  }

  dirty(): string[] {
    return this.s.dirty.all().map((r) => r.key);
  }

  /** Inside the caller's transaction. */
  commit(c: PublishCommit): void {
    for (const [key, entry] of c.ledger) this.ledger.set(key, entry);
    for (const f of c.clearIfUnchanged) if (rowsHash(this.top(f.key, f.limit)) === f.rowsHash) this.s.clearDirty.run(f.key);
    for (const key of c.clear) this.s.clearDirty.run(key);
  }
}


/** The statement parameters of an article's fragments. */
export function fragmentsParams<T extends object>(id: string, f: ItemFragments, more: T) {
  return { id, version: f.version, itemId: f.id, rss: asBuffer(f.rss), atom: asBuffer(f.atom), json: asBuffer(f.json), ...more };
}
