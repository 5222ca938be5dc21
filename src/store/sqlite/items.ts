import type Database from 'better-sqlite3';
import type { ArticleFileGone, ArticleHiding, ArticleRewrite, CommitResult, ItemWrite, KnownItem, OwnedArticle, PendingFile, PruneRequest, PruneResult, RestoredArticle, WrittenArticleFile } from '../types.ts';
import { articleIdFor, articlePath, feedKeysOf } from '../types.ts';
import { originalColumn } from '../content-rows.ts';
import { articleColumns, contentRole, fileWriteOf, restoredArticleRow, toOwnedArticle, toPendingFile, type OwnedRow, type PendingRow } from '../row-shapes.ts';
import { fragmentsParams } from './feeds.ts';

interface EntryRow {
  item_key: string;
  article_id: string;
  first_seen: number;
  owner_id: number;
  content_hash: string;
}

interface ArticleHead {
  id: string;
  owner_id: number;
  owner_live: number;
  content_hash: string;
  path: string;
  date: number;
}

interface ChannelHead {
  id: number;
  key: string;
}

/** The first of a new article's candidate ids that no article has (see articleIdFor). */
function newArticleId(channelId: number, itemKey: string, link: string | undefined, taken: (id: string) => boolean): string {
  for (let n = 1; ; n++) {
    const id = articleIdFor(channelId, itemKey, link, n);
    if (!taken(id)) return id;
  }
}

/**
 * Items as channels list them. An entry is (channel, item key) → article; an
 * article is stored once however many channels list it (same link), and its
 * content and folder come from its owner: the lowest-id configured channel
 * listing it, i.e. the first configured, whatever order fetches finish in.
 */
export class ItemRepo {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      channel: db.prepare<[string], ChannelHead>('SELECT id, key FROM channels WHERE key = ?'),
      entries: db.prepare<[number, string], EntryRow>(
        `SELECT e.item_key, e.article_id, e.first_seen, a.owner_id, a.content_hash FROM entries e JOIN articles a ON a.id = e.article_id
         WHERE e.channel_id = ? AND e.item_key IN (SELECT value FROM json_each(?))`,
      ),
      entry: db.prepare<[number, string], { article_id: string; first_seen: number }>('SELECT article_id, first_seen FROM entries WHERE channel_id = ? AND item_key = ?'),
      article: db.prepare<[string], ArticleHead>(
        `SELECT a.id, a.owner_id, (SELECT count(*) FROM channels ch WHERE ch.id = a.owner_id AND ch.key IS NOT NULL) AS owner_live, a.content_hash, a.path, a.date
         FROM articles a WHERE a.id = ?`,
      ),
      exists: db.prepare<[string], { id: string }>('SELECT id FROM articles WHERE id = ?'),
      // The article a file names: its id, else (a file from before ids were stamped) the one its name abbreviates.
      dated: db.prepare<[string], { id: string; date: number }>('SELECT id, date FROM articles WHERE id = ?'),
      byStem: db.prepare<[string, string], { id: string; date: number }>('SELECT id, date FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 1'),
      // The article another channel stored under this link: one whose owner is still configured first, the oldest then.
      byLink: db.prepare<[string], ArticleHead>(
        `SELECT a.id, a.owner_id, (ch.key IS NOT NULL) AS owner_live, a.content_hash, a.path, a.date FROM articles a JOIN channels ch ON ch.id = a.owner_id
         WHERE a.link = ? ORDER BY (ch.key IS NULL), a.first_seen, a.id LIMIT 1`,
      ),
      insertEntry: db.prepare(
        `INSERT INTO entries (channel_id, item_key, article_id, first_seen, date, g, s, c, content_key)
         VALUES (@channel, @itemKey, @articleId, @firstSeen, @date, @g, @s, @c, @contentKey)`,
      ),
      // Feed order (date, then id), as topArticles ranks them; an article another entry lists stays.
      prunable: db.prepare<{ channel: number; keep: number; before: number; protect: string }, { item_key: string; article_id: string }>(
        `SELECT item_key, article_id FROM (
           SELECT item_key, article_id, first_seen, date, row_number() OVER (ORDER BY date DESC, article_id) AS n FROM entries WHERE channel_id = @channel
         ) r
         WHERE r.n > @keep AND r.first_seen < @before AND r.date < @before
           AND r.article_id NOT IN (SELECT value FROM json_each(@protect))
           AND NOT EXISTS (SELECT 1 FROM entries o WHERE o.article_id = r.article_id AND NOT (o.channel_id = @channel AND o.item_key = r.item_key))`,
      ),
      deleteEntry: db.prepare('DELETE FROM entries WHERE channel_id = ? AND item_key = ?'),
      deleteArticle: db.prepare<[string], { path: string; old_path: string | null }>('DELETE FROM articles WHERE id = ? RETURNING path, old_path'),
      byContent: db.prepare<[number, string], { item_key: string; content_key: string }>(
        `SELECT item_key, content_key FROM entries WHERE channel_id = ? AND content_key IN (SELECT value FROM json_each(?)) ORDER BY first_seen, item_key`,
      ),
      insertArticle: db.prepare(
        `INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, path, author, headimg, guid, categories, html, extra, original,
           hidden)
         VALUES (@id, @identity, @owner_id, @title, @link, @date, @first_seen, @content_hash, @path, @author, @headimg, @guid, @categories, @html, @extra,
           @original, @hidden)`,
      ),
      updateArticle: db.prepare(
        `UPDATE articles SET identity = @identity, owner_id = @owner_id, title = @title, link = @link, date = @date,
           first_seen = min(first_seen, @first_seen), content_hash = @content_hash, path = @path,
           old_path = CASE WHEN path <> @path THEN coalesce(old_path, path) ELSE old_path END,
           author = @author, headimg = @headimg, guid = @guid, categories = @categories, html = @html, extra = @extra, original = @original,
           file_mtime = NULL, file_size = NULL, hidden = @hidden
         WHERE id = @id`,
      ),
      // After the row's insert or update (whose trigger dropped the fragments of its former content).
      fragments: db.prepare(
        `INSERT INTO item_fragments (article_id, version, item_id, rss, atom, json) VALUES (@id, @version, @itemId, @rss, @atom, @json)
         ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, item_id = excluded.item_id, rss = excluded.rss, atom = excluded.atom, json = excluded.json`,
      ),
      lists: db.prepare<[number, string], { n: number }>('SELECT 1 AS n FROM entries WHERE channel_id = ? AND article_id = ?'),
      entryDates: db.prepare('UPDATE entries SET date = ? WHERE article_id = ?'),
      feedsOf: db.prepare<[string], { g: string; s: string; c: string }>('SELECT DISTINCT g, s, c FROM entries WHERE article_id = ? AND g IS NOT NULL'),
      markDirty: db.prepare('INSERT INTO dirty_feeds (key) VALUES (?) ON CONFLICT DO NOTHING'),
      restore: db.prepare(
        `INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, file_hash, path, author, headimg, guid, categories,
           html, extra)
         VALUES (@id, @identity, @owner_id, @title, @link, @date, @first_seen, @content_hash, @content_hash, @path, @author, @headimg, @guid, @categories,
           @html, @extra)`,
      ),
      owned: db.prepare<[number, string, number], OwnedRow>('SELECT * FROM articles WHERE owner_id = ? AND id > ? AND html IS NOT NULL ORDER BY id LIMIT ?'),
      rewrite: db.prepare(
        `UPDATE articles SET title = @title, html = @html, headimg = @headimg, content_hash = @contentHash, original = @original
         WHERE id = @id AND owner_id = @owner AND content_hash = @expectHash`,
      ),
      setRewrites: db.prepare('UPDATE channels SET rewrites = ? WHERE key = ?'),
      // Hidden, its file (file_hash set) is left to remove; shown again, it is behind: written from the store.
      hide: db.prepare(
        `UPDATE articles SET hidden = @hidden, file_hash = CASE WHEN @hidden = 1 THEN file_hash ELSE NULL END
         WHERE id = @id AND owner_id = @owner AND content_hash = @expectHash AND hidden <> @hidden`,
      ),
      hiddenFiles: db.prepare<[number], { id: string; path: string; old_path: string | null }>(
        'SELECT id, path, old_path FROM articles WHERE hidden = 1 AND file_hash IS NOT NULL LIMIT ?',
      ),
      removed: db.prepare('UPDATE articles SET file_hash = NULL, old_path = NULL WHERE id = ? AND hidden = 1'),
      setRules: db.prepare('UPDATE channels SET rules = ? WHERE key = ?'),
      pending: db.prepare<[number], PendingRow>(`SELECT * FROM articles WHERE file_hash IS NOT content_hash AND hidden = 0 LIMIT ?`),
      written: db.prepare(
        `UPDATE articles SET content_hash = @contentHash, file_hash = @contentHash, old_path = NULL
         WHERE id = @id AND content_hash = @expectHash`,
      ),
    };
  }

  known(key: string, itemKeys: readonly string[]): Map<string, KnownItem> {
    const ch = this.s.channel.get(key);
    const out = new Map<string, KnownItem>();
    if (!ch) return out;
    for (const r of this.s.entries.all(ch.id, JSON.stringify(itemKeys))) {
      out.set(r.item_key, { articleId: r.article_id, firstSeen: r.first_seen, owned: r.owner_id === ch.id, contentHash: r.content_hash });
    }
    return out;
  }

  /** Inside the caller's transaction (see Store.pruneEntries). */
  prune(key: string, r: PruneRequest): PruneResult {
    const ch = this.s.channel.get(key);
    const result: PruneResult = { entries: 0, articles: [] };
    if (!ch) return result;
    for (const e of this.s.prunable.all({ channel: ch.id, keep: r.keep, before: r.before, protect: JSON.stringify(r.protect) })) {
      this.s.deleteEntry.run(ch.id, e.item_key);
      result.entries++;
      const gone = this.s.deleteArticle.get(e.article_id);
      if (gone) result.articles.push({ id: e.article_id, path: gone.path, ...(gone.old_path ? { oldPath: gone.old_path } : {}) });
    }
    return result;
  }

  /** Content key → item key of the channel's first entry with it. */
  knownContent(key: string, contentKeys: readonly string[]): Map<string, string> {
    const ch = this.s.channel.get(key);
    const out = new Map<string, string>();
    if (!ch || !contentKeys.length) return out;
    for (const r of this.s.byContent.all(ch.id, JSON.stringify(contentKeys))) if (!out.has(r.content_key)) out.set(r.content_key, r.item_key);
    return out;
  }

  /** Inside the caller's transaction: every decision is made again against the rows as they are now. */
  commit(key: string, items: readonly ItemWrite[]): CommitResult {
    const ch = this.s.channel.get(key);
    if (!ch) throw new Error(`channel "${key}" is not registered`);
    const [g, s, c] = key.split('/');
    const result: CommitResult = { newItems: 0, updatedItems: 0, duplicates: 0, files: [] };
    const dirty = new Set<string>();
    for (const item of items) {
      const entry = this.s.entry.get(ch.id, item.itemKey);
      let head = entry ? this.s.article.get(entry.article_id) : undefined;
      if (!entry) {
        head = item.link ? this.s.byLink.get(item.link) : undefined;
        if (head) result.duplicates++;
      }
      const { owns, writes } = contentRole(ch.id, head, item.article.contentHash);
      const articleId = head?.id ?? newArticleId(ch.id, item.itemKey, item.link, (id) => this.s.exists.get(id) !== undefined);
      const firstSeen = entry?.first_seen ?? item.firstSeen;
      // An entry sorts by its article's date, which the owner's content sets.
      if (!entry) {
        const date = owns ? item.article.date : head!.date;
        this.s.insertEntry.run({ channel: ch.id, itemKey: item.itemKey, articleId, firstSeen, date, g, s, c, contentKey: item.contentKey ?? null });
      }
      if (!writes) {
        if (!entry) for (const k of feedKeysOf([g, s, c])) dirty.add(k);
        continue;
      }
      const path = articlePath([g, s], articleId);
      const params = { ...articleColumns(item.article), id: articleId, owner_id: ch.id, first_seen: firstSeen, path, hidden: item.hidden ? 1 : 0 };
      if (head) this.s.updateArticle.run(params);
      else this.s.insertArticle.run(params);
      if (item.article.fragments) this.s.fragments.run(fragmentsParams(articleId, item.article.fragments, {}));
      if (!head) {
        // A new article: the entry just inserted is its only one, already dated.
        result.newItems++;
        for (const k of feedKeysOf([g, s, c])) dirty.add(k);
      } else {
        if (entry) result.updatedItems++;
        this.s.entryDates.run(item.article.date, articleId);
        for (const f of this.s.feedsOf.all(articleId)) for (const k of feedKeysOf([f.g, f.s, f.c])) dirty.add(k);
      }
      result.files.push(fileWriteOf(item, articleId, path, head?.path));
    }
    for (const k of dirty) this.s.markDirty.run(k);
    return result;
  }

  owned(key: string, after: string, limit: number): OwnedArticle[] {
    const ch = this.s.channel.get(key);
    return ch ? this.s.owned.all(ch.id, after, limit).map(toOwnedArticle) : [];
  }

  /** Inside the caller's transaction (see Store.rewriteArticles). */
  rewrite(key: string, rewrites: readonly ArticleRewrite[]): number {
    const ch = this.s.channel.get(key);
    if (!ch) return 0;
    let n = 0;
    const dirty = new Set<string>();
    for (const r of rewrites) {
      const params = { id: r.id, owner: ch.id, expectHash: r.expectHash, contentHash: r.contentHash, title: r.title, html: r.html, headimg: r.headimg };
      if (!this.s.rewrite.run({ ...params, original: originalColumn({ title: r.title, html: r.html, original: r.original }) }).changes) continue;
      n++;
      for (const f of this.s.feedsOf.all(r.id)) for (const k of feedKeysOf([f.g, f.s, f.c])) dirty.add(k);
    }
    for (const k of dirty) this.s.markDirty.run(k);
    return n;
  }

  setRewrites(key: string, fingerprint: string): void {
    this.s.setRewrites.run(fingerprint, key);
  }

  /** Inside the caller's transaction (see Store.hideArticles). */
  hide(key: string, changes: readonly ArticleHiding[]): number {
    const ch = this.s.channel.get(key);
    if (!ch) return 0;
    let n = 0;
    for (const c of changes) n += this.s.hide.run({ id: c.id, owner: ch.id, expectHash: c.expectHash, hidden: c.hidden ? 1 : 0 }).changes;
    return n;
  }

  hiddenFiles(limit: number): ArticleFileGone[] {
    return this.s.hiddenFiles.all(limit).map((r) => ({ id: r.id, path: r.path, ...(r.old_path ? { oldPath: r.old_path } : {}) }));
  }

  removed(ids: readonly string[]): void {
    for (const id of ids) this.s.removed.run(id);
  }

  setRules(key: string, fingerprint: string): void {
    this.s.setRules.run(fingerprint, key);
  }

  pending(limit: number): PendingFile[] {
    return this.s.pending.all(limit).map(toPendingFile);
  }

  written(files: readonly WrittenArticleFile[]): void {
    for (const f of files) this.s.written.run(f);
  }

  /**
   * Inside the caller's transaction. Returns how many were put back: an
   * article the store lacks, or a listing of the file's channel it lacks.
   * What the store has is left as it is, so this can run on any state.
   */
  restore(articles: readonly RestoredArticle[]): number {
    let n = 0;
    const dirty = new Set<string>();
    for (const a of articles) {
      const ch = this.s.channel.get(a.channelKey);
      if (!ch) continue;
      // Only a file name's 20 characters can stand for a longer id (a file from before stamps); a full id is its own.
      const stored = this.s.dated.get(a.id) ?? (a.id.length === 20 ? this.s.byStem.get(a.id, `${a.id}g`) : undefined);
      const entry = this.s.entry.get(ch.id, a.itemKey);
      // Listed already (this article, or another the channel knows by the same key): the store's is kept.
      if (entry) continue;
      let date: number;
      let articleId: string;
      if (stored) {
        // Listed by the channel under another key (a file from before stamps, keyed by its name): known.
        if (this.s.lists.get(ch.id, stored.id)) continue;
        ({ id: articleId, date } = stored);
      } else {
        const row = restoredArticleRow(a, ch.id);
        this.s.restore.run(row);
        ({ id: articleId, date } = row);
      }
      const [g, s, cs] = a.channelKey.split('/');
      this.s.insertEntry.run({ channel: ch.id, itemKey: a.itemKey, articleId, firstSeen: a.firstSeen, date, g, s, c: cs, contentKey: null });
      for (const k of feedKeysOf([g, s, cs])) dirty.add(k);
      n++;
    }
    for (const k of dirty) this.s.markDirty.run(k);
    return n;
  }
}
