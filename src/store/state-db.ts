import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ChannelState, ChannelStatus, StoredArticle } from '../core/types.ts';
import type { ParsedArticleFile } from '../normalize/index.ts';
import { PublishLedger } from './ledger.ts';
import { migrate } from './schema.ts';

/** The articles columns that make an ArticleRecord (no cached content). */
const ROW_COLUMNS = 'id, channel_key, identity, g, s, c, title, link, date, first_seen, content_hash, path';

interface ChannelRow {
  key: string;
  config_url: string;
  url: string;
  etag: string | null;
  last_modified: string | null;
  last_fetch_at: number | null;
  last_success_at: number | null;
  last_status: string | null;
  last_error: string | null;
  last_warning?: string | null;
  consecutive_failures: number;
  next_run_at: number | null;
  disabled: number;
  item_count?: number;
}

interface ArticleRow {
  id: string;
  author?: string | null;
  headimg?: string | null;
  guid?: string | null;
  categories?: string | null;
  html?: string | null;
  file_mtime?: number | null;
  file_size?: number | null;
  channel_key: string;
  identity: string;
  g: string;
  s: string;
  c: string;
  title: string;
  link: string | null;
  date: number;
  first_seen: number;
  content_hash: string;
  path: string;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toChannelState(r: ChannelRow): ChannelState {
  return {
    key: r.key,
    url: r.url,
    etag: opt(r.etag),
    lastModified: opt(r.last_modified),
    lastFetchAt: opt(r.last_fetch_at),
    lastSuccessAt: opt(r.last_success_at),
    lastStatus: opt(r.last_status) as ChannelStatus | undefined,
    lastError: opt(r.last_error),
    lastWarning: r.last_warning ?? undefined,
    consecutiveFailures: r.consecutive_failures,
    nextRunAt: opt(r.next_run_at),
    disabled: r.disabled === 1,
    itemCount: r.item_count ?? 0,
  };
}

function toStoredArticle(r: ArticleRow): StoredArticle {
  return {
    identity: r.identity,
    channelKey: r.channel_key,
    slugs: [r.g, r.s, r.c],
    title: r.title,
    link: opt(r.link),
    date: r.date,
    firstSeen: r.first_seen,
    contentHash: r.content_hash,
    path: r.path,
  };
}

/** The feed keys an article belongs to: merged (''), group, source, channel. */
export function feedKeysOf(slugs: readonly [string, string, string]): string[] {
  const [g, s, c] = slugs;
  return ['', g, `${g}/${s}`, `${g}/${s}/${c}`];
}

export interface ArticleRecord extends StoredArticle {
  /** Row key: the identity scoped to its channel. */
  id: string;
}

/** The parsed content of an article file, as ingest wrote it, with the file's stat when written. */
export interface CachedArticleContent extends ParsedArticleFile {
  fileMtimeMs: number;
  fileSize: number;
}

/**
 * refeed's state: per-channel fetch state and per-article index, in SQLite
 * with WAL so a kill -9 at any moment leaves a consistent database.
 */
export class StateDb {
  readonly db: Database.Database;
  private readonly stmts;

  /** The database file (':memory:' for an in-memory store). */
  readonly file: string;
  /** What the publisher last wrote, per feed. */
  readonly ledger: PublishLedger;

  constructor(file: string) {
    this.file = file;
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // Article rows carry their body HTML: the default 2 MB page cache makes
    // every insert into the id and feed indexes a page read once the store grows.
    this.db.pragma('cache_size = -65536');
    migrate(this.db);
    this.ledger = new PublishLedger(this.db);
    const db = this.db;
    this.stmts = {
      channel: db.prepare<[string], ChannelRow>('SELECT * FROM channels WHERE key = ?'),
      channels: db.prepare<[], ChannelRow>(
        'SELECT ch.*, (SELECT count(*) FROM articles a WHERE a.channel_key = ch.key) AS item_count FROM channels ch ORDER BY key',
      ),
      ensureChannel: db.prepare('INSERT INTO channels (key, config_url, url) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING'),
      // A config URL edit wins over a remembered redirect and forgets the old validators.
      resetChannelUrl: db.prepare(
        'UPDATE channels SET config_url = ?, url = ?, etag = NULL, last_modified = NULL, disabled = 0, consecutive_failures = 0, next_run_at = NULL WHERE key = ? AND config_url <> ?',
      ),
      success: db.prepare(
        `UPDATE channels SET last_fetch_at = @now, last_success_at = @now, last_status = @status, last_error = NULL,
           last_warning = CASE WHEN @status = 'not-modified' THEN last_warning ELSE @warning END,
           consecutive_failures = 0, etag = coalesce(@etag, etag), last_modified = coalesce(@lastModified, last_modified),
           url = coalesce(@movedTo, url), next_run_at = @nextRunAt WHERE key = @key`,
      ),
      failure: db.prepare(
        `UPDATE channels SET last_fetch_at = @now, last_status = 'error', last_error = @error,
           consecutive_failures = consecutive_failures + 1, next_run_at = @nextRunAt, disabled = max(disabled, @disable) WHERE key = @key`,
      ),
      setNextRun: db.prepare('UPDATE channels SET next_run_at = ? WHERE key = ?'),
      // Index columns only: ingest looks every item up, and never needs the cached body.
      article: db.prepare<[string], ArticleRow>(`SELECT ${ROW_COLUMNS} FROM articles WHERE id = ?`),
      articleByLink: db.prepare<[string], ArticleRow>(`SELECT ${ROW_COLUMNS} FROM articles WHERE link = ?`),
      upsertArticle: db.prepare(
        `INSERT INTO articles (id, channel_key, identity, g, s, c, title, link, date, first_seen, content_hash, path,
           author, headimg, guid, categories, html, file_mtime, file_size)
         VALUES (@id, @channel_key, @identity, @g, @s, @c, @title, @link, @date, @first_seen, @content_hash, @path,
           @author, @headimg, @guid, @categories, @html, @file_mtime, @file_size)
         ON CONFLICT(id) DO UPDATE SET title = excluded.title, link = excluded.link, date = excluded.date,
           content_hash = excluded.content_hash, path = excluded.path, g = excluded.g, s = excluded.s, c = excluded.c,
           author = excluded.author, headimg = excluded.headimg, guid = excluded.guid, categories = excluded.categories,
           html = excluded.html, file_mtime = excluded.file_mtime, file_size = excluded.file_size`,
      ),
      content: db.prepare<[string], ArticleRow>(CONTENT_SQL),
      setContent: db.prepare(
        `UPDATE articles SET author = @author, headimg = @headimg, guid = @guid, categories = @categories, html = @html,
           file_mtime = @file_mtime, file_size = @file_size WHERE id = @id`,
      ),
      markDirty: db.prepare('INSERT INTO dirty_feeds (key) VALUES (?) ON CONFLICT DO NOTHING'),
      dirty: db.prepare<[], { key: string }>('SELECT key FROM dirty_feeds ORDER BY key'),
      clearDirty: db.prepare('DELETE FROM dirty_feeds WHERE key = ?'),
      // Index columns only: the cached content (html) would make listing a feed's rows as costly as reading its articles.
      top: {
        0: db.prepare<[number], ArticleRow>(`SELECT ${ROW_COLUMNS} FROM articles ORDER BY date DESC, id LIMIT ?`),
        1: db.prepare<[string, number], ArticleRow>(`SELECT ${ROW_COLUMNS} FROM articles WHERE g = ? ORDER BY date DESC, id LIMIT ?`),
        2: db.prepare<[string, string, number], ArticleRow>(`SELECT ${ROW_COLUMNS} FROM articles WHERE g = ? AND s = ? ORDER BY date DESC, id LIMIT ?`),
        3: db.prepare<[string, string, string, number], ArticleRow>(
          `SELECT ${ROW_COLUMNS} FROM articles WHERE g = ? AND s = ? AND c = ? ORDER BY date DESC, id LIMIT ?`,
        ),
      },
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM articles'),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one transaction: all of it lands or none. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ------------------------------------------------------------ channels

  /** Registers a configured channel; returns its state (the URL to fetch may differ after a permanent redirect). */
  ensureChannel(key: string, configUrl: string): ChannelState {
    // The common case — known channel, config URL unchanged — needs no write.
    const row = this.stmts.channel.get(key);
    if (row && row.config_url === configUrl) return toChannelState(row);
    this.stmts.ensureChannel.run(key, configUrl, configUrl);
    this.stmts.resetChannelUrl.run(configUrl, configUrl, key, configUrl);
    return this.getChannel(key)!;
  }

  getChannel(key: string): ChannelState | undefined {
    const row = this.stmts.channel.get(key);
    return row ? toChannelState(row) : undefined;
  }

  listChannels(): ChannelState[] {
    return this.stmts.channels.all().map(toChannelState);
  }

  recordSuccess(
    key: string,
    r: { now: number; status: ChannelStatus; etag?: string; lastModified?: string; movedTo?: string; nextRunAt?: number; warning?: string },
  ): void {
    this.stmts.success.run({
      key,
      now: r.now,
      warning: r.warning ?? null,
      status: r.status,
      etag: r.etag ?? null,
      lastModified: r.lastModified ?? null,
      movedTo: r.movedTo ?? null,
      nextRunAt: r.nextRunAt ?? null,
    });
  }

  recordFailure(key: string, r: { now: number; error: string; nextRunAt?: number; disable?: boolean }): void {
    this.stmts.failure.run({ key, now: r.now, error: r.error, nextRunAt: r.nextRunAt ?? null, disable: r.disable ? 1 : 0 });
  }

  setNextRun(key: string, at: number | undefined): void {
    this.stmts.setNextRun.run(at ?? null, key);
  }

  // ------------------------------------------------------------ articles

  getArticle(id: string): ArticleRecord | undefined {
    const row = this.stmts.article.get(id);
    return row ? { id: row.id, ...toStoredArticle(row) } : undefined;
  }

  /** The article already stored under this link, from any channel. */
  findByLink(link: string): ArticleRecord | undefined {
    const row = this.stmts.articleByLink.get(link);
    return row ? { id: row.id, ...toStoredArticle(row) } : undefined;
  }

  /**
   * Inserts or updates an article row (with its file's content, when given)
   * and marks every feed containing it dirty — unless `markDirty` is false,
   * for a caller storing many articles of one channel that marks them once.
   */
  upsertArticle(a: ArticleRecord, content?: CachedArticleContent, markDirty = true): void {
    const [g, s, c] = a.slugs;
    this.stmts.upsertArticle.run({
      ...contentParams(content),
      id: a.id,
      channel_key: a.channelKey,
      identity: a.identity,
      g,
      s,
      c,
      title: a.title,
      link: a.link ?? null,
      date: a.date,
      first_seen: a.firstSeen,
      content_hash: a.contentHash,
      path: a.path,
    });
    if (markDirty) for (const k of feedKeysOf(a.slugs)) this.stmts.markDirty.run(k);
  }

  /** The cached content of an article file, if ingest recorded it. */
  articleContent(id: string): CachedArticleContent | undefined {
    return toCachedContent(this.stmts.content.get(id));
  }

  /** Records content read back from a file (e.g. after an editor changed it). */
  setArticleContent(id: string, content: CachedArticleContent): void {
    this.stmts.setContent.run({ id, ...contentParams(content) });
  }

  countArticles(): number {
    return this.stmts.count.get()!.n;
  }

  /** The newest `limit` articles of a feed key ('' merged, 'g', 'g/s', 'g/s/c'), newest first, ties by id: deterministic. */
  topArticles(feedKey: string, limit: number): ArticleRecord[] {
    const parts = feedKey === '' ? [] : feedKey.split('/');
    const stmt = this.stmts.top[parts.length as 0 | 1 | 2 | 3];
    if (!stmt) throw new Error(`bad feed key "${feedKey}"`);
    return (stmt.all as (...a: unknown[]) => ArticleRow[])(...parts, limit).map((r) => ({ id: r.id, ...toStoredArticle(r) }));
  }

  dirtyFeeds(): string[] {
    return this.stmts.dirty.all().map((r) => r.key);
  }

  clearDirty(feedKeys: Iterable<string>): void {
    this.transaction(() => {
      for (const k of feedKeys) this.stmts.clearDirty.run(k);
    });
  }
}

const CONTENT_SQL = 'SELECT title, link, date, author, headimg, guid, categories, html, file_mtime, file_size FROM articles WHERE id = ? AND html IS NOT NULL';

function toCachedContent(r: ArticleRow | undefined): CachedArticleContent | undefined {
  if (!r || r.html == null || r.file_mtime == null || r.file_size == null) return undefined;
  return {
    title: r.title,
    categories: JSON.parse(r.categories ?? '[]') as string[],
    headimg: r.headimg ?? '',
    author: r.author ?? '',
    date: new Date(r.date),
    link: opt(r.link),
    guid: r.guid ?? undefined,
    html: r.html,
    fileMtimeMs: r.file_mtime,
    fileSize: r.file_size,
  };
}

/**
 * A read-only view of the store's cached article content, for worker threads
 * (each opens its own connection; WAL lets them read while the main thread writes).
 */
export class ContentReader {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.stmt = this.db.prepare<[string], ArticleRow>(CONTENT_SQL);
  }

  articleContent(id: string): CachedArticleContent | undefined {
    return toCachedContent(this.stmt.get(id));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function contentParams(c: CachedArticleContent | undefined) {
  return {
    author: c?.author ?? null,
    headimg: c?.headimg ?? null,
    guid: c?.guid ?? null,
    categories: c ? JSON.stringify(c.categories) : null,
    html: c?.html ?? null,
    file_mtime: c?.fileMtimeMs ?? null,
    file_size: c?.fileSize ?? null,
  };
}

export function openState(file: string): StateDb {
  return new StateDb(file);
}
