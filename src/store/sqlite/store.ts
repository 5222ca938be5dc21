import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ArticleContent, ChannelState } from '../../core/types.ts';
import { acquireFileLock, type LockHolder } from '../../util/file-lock.ts';
import { StateCorruptError, StateLostError, StateOutdatedError } from '../errors.ts';
import type {
  ArticleFileGone,
  ArticleHiding,
  ArticleRecord,
  ArticleRewrite,
  OwnedArticle,
  FragmentsWrite,
  ItemFragments,
  ChannelFailure,
  ChannelInput,
  ChannelSuccess,
  ChannelSync,
  CommitResult,
  ItemWrite,
  KnownItem,
  LedgerEntry,
  PendingFile,
  PreviousRun,
  PublishCommit,
  RestoredArticle,
  RunLock,
  RunLockRequest,
  Store,
  WrittenArticleFile,
  FullTextEntry,
  PruneRequest,
  PruneResult,
} from '../types.ts';
import { commitStatus } from '../types.ts';
import { ChannelRepo } from './channels.ts';
import { FeedRepo } from './feeds.ts';
import { FullTextRepo } from './full-text.ts';
import { ItemRepo } from './items.ts';
import { migrate, SCHEMA_VERSION } from './schema.ts';

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_VTAB']);

function corruptionOf(file: string, err: unknown): StateCorruptError | undefined {
  return CORRUPT_CODES.has((err as { code?: string }).code ?? '') ? new StateCorruptError(file, (err as Error).message) : undefined;
}

/** Runs `fn`, turning SQLite's "this file is damaged" errors into a StateCorruptError naming the file and the fix. */
function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw corruptionOf(file, err) ?? err;
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
  private readonly channels: ChannelRepo;
  private readonly items: ItemRepo;
  private readonly feeds: FeedRepo;
  private readonly fullText: FullTextRepo;
  /** The file's device and inode as opened: another file at the path is another state. */
  private readonly opened?: { dev: number; ino: number };
  /** Writes waiting for this turn's transaction (see write). */
  private readonly queued: { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];

  constructor(
    /** The database file, or ':memory:'. */
    readonly file: string,
    opts: { readonly?: boolean; now?: number } = {},
  ) {
    if (file !== ':memory:' && !opts.readonly) mkdirSync(path.dirname(file), { recursive: true });
    this.db = guard(file, () => {
      const db = new Database(file, opts.readonly ? { readonly: true, fileMustExist: true } : {});
      // Another process (a daemon beside a manual command, or a second cron
      // run opening the same new file) may be writing: wait for it rather
      // than fail. First, as switching to WAL takes the lock too.
      db.pragma('busy_timeout = 15000');
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // Each checkpoint syncs the disk, and a sync costs tens of ms on a busy
        // one: at the default (every 1,000 pages, 4 MB) a cold run of 50,000
        // articles spent more time checkpointing than inserting. 64 MB keeps the
        // WAL bounded in a daemon; closing checkpoints the rest.
        db.pragma('wal_autocheckpoint = 16384');
        db.pragma('journal_size_limit = 67108864');
      }
      // Article rows carry their body HTML: the default 2 MB page cache makes
      // every insert into the id and feed indexes a page read once the store
      // grows. 16 MB holds the indexes of a 100,000-article store; 64 MB cost
      // 50 MB more peak memory and no measurable time.
      db.pragma('cache_size = -16384');
      if (!opts.readonly) migrate(db, opts.now ?? Date.now());
      else if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) {
        db.close();
        throw new StateOutdatedError(file);
      }
      return db;
    });
    if (file !== ':memory:') {
      const st = statSync(file);
      this.opened = { dev: st.dev, ino: st.ino };
    }
    this.channels = new ChannelRepo(this.db);
    this.items = new ItemRepo(this.db);
    this.feeds = new FeedRepo(this.db);
    this.fullText = new FullTextRepo(this.db);
  }

  /**
   * Runs `fn` in a write transaction (taken at once, so it waits for other
   * writers instead of failing half-way), together with the other writes
   * asked for in the same turn of the event loop: each commit syncs the WAL,
   * and a cold run's concurrent fetches each commit a channel. Every write
   * is a savepoint of its own, so one that fails undoes only itself.
   */
  private write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queued.push({ fn, resolve: resolve as (v: unknown) => void, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  stateLost(): string | undefined {
    if (!this.opened) return undefined;
    let st;
    try {
      st = statSync(this.file, { throwIfNoEntry: false });
    } catch (err) {
      return `the state file ${this.file} cannot be checked: ${(err as Error).message}`;
    }
    if (!st) return `the state file ${this.file} was deleted under this running refeed`;
    if (st.dev !== this.opened.dev || st.ino !== this.opened.ino) return `the state file ${this.file} was replaced under this running refeed`;
    if (st.size === 0) return `the state file ${this.file} was emptied under this running refeed`;
    return undefined;
  }

  private flush(): void {
    const batch = this.queued.splice(0);
    if (!batch.length) return;
    // Written to a file no longer at its path, a write would be lost to the next run: refused.
    const lost = this.stateLost();
    if (lost) {
      for (const w of batch) w.reject(new StateLostError(lost));
      return;
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      guard(this.file, () =>
        this.db
          .transaction(() => {
            if (batch.length === 1) return void outcomes.push({ ok: true, value: batch[0].fn() });
            for (const w of batch) {
              try {
                outcomes.push({ ok: true, value: this.db.transaction(w.fn)() });
              } catch (error) {
                outcomes.push({ ok: false, error });
              }
            }
          })
          .immediate(),
      );
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if (o.ok) w.resolve(o.value);
      else w.reject(corruptionOf(this.file, o.error) ?? o.error);
    });
  }

  private read<T>(fn: () => T): T {
    return guard(this.file, fn);
  }

  async close(): Promise<void> {
    // Writes asked for and not yet run (their callers did not wait) go in first.
    this.flush();
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
    return this.write(() => this.channels.recordSuccess(key, r));
  }

  async recordFailure(key: string, r: ChannelFailure): Promise<void> {
    return this.write(() => this.channels.recordFailure(key, r));
  }

  async setNextRun(key: string, at: number | undefined): Promise<void> {
    return this.write(() => this.channels.setNextRun(key, at));
  }

  async knownItems(key: string, itemKeys: readonly string[]): Promise<Map<string, KnownItem>> {
    return this.read(() => this.items.known(key, itemKeys));
  }

  async knownContent(key: string, contentKeys: readonly string[]): Promise<Map<string, string>> {
    return this.read(() => this.items.knownContent(key, contentKeys));
  }

  async pruneEntries(key: string, request: PruneRequest): Promise<PruneResult> {
    return this.write(() => this.items.prune(key, request));
  }

  async commitItems(key: string, items: readonly ItemWrite[], success: ChannelSuccess): Promise<CommitResult> {
    return this.write(() => {
      const result = this.items.commit(key, items);
      this.channels.recordSuccess(key, { ...success, status: commitStatus(result) });
      return result;
    });
  }

  async ownedArticles(key: string, after: string, limit: number): Promise<OwnedArticle[]> {
    return this.read(() => this.items.owned(key, after, limit));
  }

  async rewriteArticles(key: string, rewrites: readonly ArticleRewrite[]): Promise<number> {
    return this.write(() => this.items.rewrite(key, rewrites));
  }

  async setRewrites(key: string, fingerprint: string): Promise<void> {
    return this.write(() => this.items.setRewrites(key, fingerprint));
  }

  async hideArticles(key: string, changes: readonly ArticleHiding[]): Promise<number> {
    return this.write(() => this.items.hide(key, changes));
  }

  async hiddenFiles(limit: number): Promise<ArticleFileGone[]> {
    return this.read(() => this.items.hiddenFiles(limit));
  }

  async markFilesRemoved(ids: readonly string[]): Promise<void> {
    return this.write(() => this.items.removed(ids));
  }

  async setRules(key: string, fingerprint: string): Promise<void> {
    return this.write(() => this.items.setRules(key, fingerprint));
  }

  async pendingFiles(limit: number): Promise<PendingFile[]> {
    return this.read(() => this.items.pending(limit));
  }

  async markFilesWritten(files: readonly WrittenArticleFile[]): Promise<void> {
    return this.write(() => this.items.written(files));
  }

  async topArticles(feedKey: string, limit: number): Promise<ArticleRecord[]> {
    return this.read(() => this.feeds.top(feedKey, limit));
  }

  async articleContent(ids: readonly string[]): Promise<Map<string, ArticleContent>> {
    return this.read(() => this.feeds.content(ids));
  }

  async articlesWithoutContent(limit: number): Promise<{ id: string; path: string }[]> {
    return this.read(() => this.feeds.contentless(limit));
  }

  async fillArticleContent(entries: readonly [string, ArticleContent][]): Promise<void> {
    return this.write(() => this.feeds.fillContent(entries));
  }

  async itemFragments(ids: readonly string[], version: string): Promise<Map<string, ItemFragments>> {
    return this.read(() => this.feeds.fragments(ids, version));
  }

  async setItemFragments(entries: readonly FragmentsWrite[]): Promise<void> {
    return this.write(() => this.feeds.setFragments(entries));
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
    return this.write(() => this.feeds.commit(c));
  }

  async fullTextEntries(links: readonly string[]): Promise<Map<string, FullTextEntry>> {
    return this.read(() => this.fullText.entries(links));
  }

  async saveFullText(entries: readonly FullTextEntry[]): Promise<void> {
    return this.write(() => this.fullText.save(entries));
  }

  async pruneFullText(before: number): Promise<number> {
    return this.write(() => this.fullText.prune(before));
  }

  async restoreArticles(articles: readonly RestoredArticle[]): Promise<number> {
    return this.write(() => this.items.restore(articles));
  }

  async acquireRunLock(opts: RunLockRequest): Promise<RunLock> {
    if (this.file === ':memory:') return { acquired: true, release: async () => undefined, previous: { ended: 'cleanly' } };
    const named = (h: LockHolder) => `pid ${h.pid}${h.what ? `, ${h.what}` : ''}`;
    const { onWait } = opts;
    const lock = await acquireFileLock(`${this.file}.lock`, { waitMs: opts.waitMs, what: opts.what, onWait: onWait && ((h) => onWait(named(h))) });
    if (!lock.acquired) return { acquired: false, holder: named(lock.holder) };
    const previous: PreviousRun = lock.tookOverFrom ? { ended: 'killed', pid: lock.tookOverFrom.pid } : { ended: 'cleanly' };
    return { acquired: true, release: async () => lock.release(), previous };
  }
}
