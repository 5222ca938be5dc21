import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ChannelState } from '../../core/types.ts';
import { acquireFileLock } from '../../util/file-lock.ts';
import { StateCorruptError, StateOutdatedError } from '../errors.ts';
import type {
  ArticleRecord,
  CachedArticleContent,
  ChannelFailure,
  ChannelInput,
  ChannelSuccess,
  ChannelSync,
  CommitResult,
  ItemWrite,
  KnownItem,
  LedgerEntry,
  PendingFile,
  PublishCommit,
  RestoredArticle,
  RunLock,
  Store,
  WrittenArticleFile,
} from '../types.ts';
import { ChannelRepo } from './channels.ts';
import { FeedRepo } from './feeds.ts';
import { ItemRepo } from './items.ts';
import { migrate, SCHEMA_VERSION } from './schema.ts';

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_VTAB']);

/** Runs `fn`, turning SQLite's "this file is damaged" errors into a StateCorruptError naming the file and the fix. */
function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (CORRUPT_CODES.has((err as { code?: string }).code ?? '')) throw new StateCorruptError(file, (err as Error).message);
    throw err;
  }
}

/**
 * The embedded store: one SQLite file in WAL mode (a kill -9 at any moment
 * leaves it consistent), written by one process at a time (the run lock) and
 * read by any. Every operation runs synchronously inside; the async surface
 * is the Store interface's, shared with the server-database store.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly db: Database.Database;
  readonly contentFile?: string;
  private readonly channels: ChannelRepo;
  private readonly items: ItemRepo;
  private readonly feeds: FeedRepo;

  constructor(
    /** The database file, or ':memory:'. */
    readonly file: string,
    opts: { readonly?: boolean; now?: number } = {},
  ) {
    if (file !== ':memory:' && !opts.readonly) mkdirSync(path.dirname(file), { recursive: true });
    this.db = guard(file, () => {
      const db = new Database(file, opts.readonly ? { readonly: true, fileMustExist: true } : {});
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      // Another process (a daemon beside a manual command) may be writing: wait for it rather than fail.
      db.pragma('busy_timeout = 15000');
      // Article rows carry their body HTML: the default 2 MB page cache makes
      // every insert into the id and feed indexes a page read once the store grows.
      db.pragma('cache_size = -65536');
      if (!opts.readonly) migrate(db, opts.now ?? Date.now());
      else if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) {
        db.close();
        throw new StateOutdatedError(file);
      }
      return db;
    });
    this.contentFile = file === ':memory:' ? undefined : file;
    this.channels = new ChannelRepo(this.db);
    this.items = new ItemRepo(this.db);
    this.feeds = new FeedRepo(this.db);
  }

  /** Runs `fn` in one write transaction (taken at once, so it waits for other writers instead of failing half-way). */
  private write<T>(fn: () => T): T {
    return guard(this.file, () => this.db.transaction(fn).immediate());
  }

  private read<T>(fn: () => T): T {
    return guard(this.file, fn);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async syncChannels(channels: readonly ChannelInput[], now: number): Promise<ChannelSync> {
    return this.write(() => this.channels.sync(channels, now, true));
  }

  async previewSync(channels: readonly ChannelInput[]): Promise<ChannelSync> {
    return this.read(() => this.channels.sync(channels, 0, false));
  }

  async channelState(key: string): Promise<ChannelState | undefined> {
    return this.read(() => this.channels.get(key));
  }

  async channelStates(): Promise<ChannelState[]> {
    return this.read(() => this.channels.list());
  }

  async ensureChannel(key: string, url: string, now: number): Promise<ChannelState> {
    return this.write(() => this.channels.ensure(key, url, now));
  }

  async recordSuccess(key: string, r: ChannelSuccess): Promise<void> {
    this.write(() => this.channels.recordSuccess(key, r));
  }

  async recordFailure(key: string, r: ChannelFailure): Promise<void> {
    this.write(() => this.channels.recordFailure(key, r));
  }

  async setNextRun(key: string, at: number | undefined): Promise<void> {
    this.write(() => this.channels.setNextRun(key, at));
  }

  async knownItems(key: string, itemKeys: readonly string[]): Promise<Map<string, KnownItem>> {
    return this.read(() => this.items.known(key, itemKeys));
  }

  async commitItems(key: string, items: readonly ItemWrite[], success: ChannelSuccess): Promise<CommitResult> {
    return this.write(() => {
      const result = this.items.commit(key, items);
      const status = result.newItems ? 'new' : result.updatedItems ? 'updated' : 'unchanged';
      this.channels.recordSuccess(key, { ...success, status });
      return result;
    });
  }

  async pendingFiles(limit: number): Promise<PendingFile[]> {
    return this.read(() => this.items.pending(limit));
  }

  async markFilesWritten(files: readonly WrittenArticleFile[]): Promise<void> {
    this.write(() => this.items.written(files));
  }

  async topArticles(feedKey: string, limit: number): Promise<ArticleRecord[]> {
    return this.read(() => this.feeds.top(feedKey, limit));
  }

  async articleContent(ids: readonly string[]): Promise<Map<string, CachedArticleContent>> {
    return this.read(() => this.feeds.content(ids));
  }

  async setArticleContent(entries: readonly [string, CachedArticleContent][]): Promise<void> {
    this.write(() => this.feeds.setContent(entries));
  }

  async countArticles(): Promise<number> {
    return this.read(() => this.feeds.count());
  }

  async dirtyFeeds(): Promise<string[]> {
    return this.read(() => this.feeds.dirty());
  }

  async ledger(): Promise<Map<string, LedgerEntry>> {
    return this.read(() => this.feeds.ledger.all());
  }

  async commitPublish(c: PublishCommit): Promise<void> {
    this.write(() => this.feeds.commit(c));
  }

  async restoreArticles(articles: readonly RestoredArticle[]): Promise<number> {
    return this.write(() => this.items.restore(articles));
  }

  async acquireRunLock(opts: { waitMs: number; what: string }): Promise<RunLock> {
    if (this.file === ':memory:') return { acquired: true, release: async () => undefined };
    const lock = await acquireFileLock(`${this.file}.lock`, opts);
    if (!lock.acquired) return { acquired: false, holder: `pid ${lock.holder.pid}${lock.holder.what ? `, ${lock.holder.what}` : ''}` };
    return { acquired: true, release: async () => lock.release() };
  }
}
