import type Database from 'better-sqlite3';
import type { CommitResult, ItemWrite, KnownItem, PendingFile, RestoredArticle, WrittenArticleFile } from '../types.ts';
import { articleIdFor, articlePath, feedKeysOf } from '../types.ts';
import { articleColumns, contentRole, restoredArticleRow, toPendingFile, type PendingRow } from '../row-shapes.ts';
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

  constructor(private readonly db: Database.Database) {
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
      // The article another channel stored under this link: one whose owner is still configured first, the oldest then.
      byLink: db.prepare<[string], ArticleHead>(
        `SELECT a.id, a.owner_id, (ch.key IS NOT NULL) AS owner_live, a.content_hash, a.path, a.date FROM articles a JOIN channels ch ON ch.id = a.owner_id
         WHERE a.link = ? ORDER BY (ch.key IS NULL), a.first_seen, a.id LIMIT 1`,
      ),
      insertEntry: db.prepare(
        `INSERT INTO entries (channel_id, item_key, article_id, first_seen, date, g, s, c) VALUES (@channel, @itemKey, @articleId, @firstSeen, @date, @g, @s, @c)`,
      ),
      insertArticle: db.prepare(
        `INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, path, author, headimg, guid, categories, html)
         VALUES (@id, @identity, @owner_id, @title, @link, @date, @first_seen, @content_hash, @path, @author, @headimg, @guid, @categories, @html)`,
      ),
      updateArticle: db.prepare(
        `UPDATE articles SET identity = @identity, owner_id = @owner_id, title = @title, link = @link, date = @date,
           first_seen = min(first_seen, @first_seen), content_hash = @content_hash, path = @path,
           old_path = CASE WHEN path <> @path THEN coalesce(old_path, path) ELSE old_path END,
           author = @author, headimg = @headimg, guid = @guid, categories = @categories, html = @html, file_mtime = NULL, file_size = NULL
         WHERE id = @id`,
      ),
      // After the row's insert or update (whose trigger dropped the fragments of its former content).
      fragments: db.prepare(
        `INSERT INTO item_fragments (article_id, version, item_id, rss, atom, json) VALUES (@id, @version, @itemId, @rss, @atom, @json)
         ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, item_id = excluded.item_id, rss = excluded.rss, atom = excluded.atom, json = excluded.json`,
      ),
      entryDates: db.prepare('UPDATE entries SET date = ? WHERE article_id = ?'),
      feedsOf: db.prepare<[string], { g: string; s: string; c: string }>('SELECT DISTINCT g, s, c FROM entries WHERE article_id = ? AND g IS NOT NULL'),
      markDirty: db.prepare('INSERT INTO dirty_feeds (key) VALUES (?) ON CONFLICT DO NOTHING'),
      restore: db.prepare(
        `INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, file_hash, path, author, headimg, guid, categories,
           html, file_mtime, file_size)
         VALUES (@id, @identity, @owner_id, @title, @link, @date, @first_seen, @content_hash, @content_hash, @path, @author, @headimg, @guid, @categories,
           @html, @file_mtime, @file_size)`,
      ),
      pending: db.prepare<[number], PendingRow>(`SELECT * FROM articles WHERE file_hash IS NOT content_hash LIMIT ?`),
      written: db.prepare(
        `UPDATE articles SET content_hash = @contentHash, file_hash = @contentHash, file_mtime = @mtimeMs, file_size = @size, old_path = NULL
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
      if (!entry) this.s.insertEntry.run({ channel: ch.id, itemKey: item.itemKey, articleId, firstSeen, date: owns ? item.article.date : head!.date, g, s, c });
      if (!writes) {
        if (!entry) for (const k of feedKeysOf([g, s, c])) dirty.add(k);
        continue;
      }
      const path = articlePath([g, s], articleId);
      const params = { ...articleColumns(item.article), id: articleId, owner_id: ch.id, first_seen: firstSeen, path };
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
      result.files.push({ itemKey: item.itemKey, articleId, path, contentHash: item.article.contentHash, ...(head && head.path !== path ? { oldPath: head.path } : {}) });
    }
    for (const k of dirty) this.s.markDirty.run(k);
    return result;
  }

  pending(limit: number): PendingFile[] {
    return this.s.pending.all(limit).map(toPendingFile);
  }

  written(files: readonly WrittenArticleFile[]): void {
    for (const f of files) this.s.written.run(f);
  }

  /** Inside the caller's transaction. Returns how many were put back. */
  restore(articles: readonly RestoredArticle[]): number {
    let n = 0;
    const dirty = new Set<string>();
    for (const a of articles) {
      const ch = this.s.channel.get(a.channelKey);
      if (!ch || this.s.exists.get(a.id)) continue;
      const row = restoredArticleRow(a, ch.id);
      this.s.restore.run(row);
      const [g, s, cs] = a.channelKey.split('/');
      this.s.insertEntry.run({ channel: ch.id, itemKey: a.itemKey, articleId: a.id, firstSeen: a.firstSeen, date: row.date, g, s, c: cs });
      for (const k of feedKeysOf([g, s, cs])) dirty.add(k);
      n++;
    }
    for (const k of dirty) this.s.markDirty.run(k);
    return n;
  }
}

