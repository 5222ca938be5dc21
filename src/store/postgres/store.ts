import type pg from 'pg';
import type { ArticleContent, ChannelState } from '../../core/types.ts';
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
import * as channels from './channels.ts';
import { commitItems } from './commit.ts';
import { connect, describeServer, query, storeError, transaction, type ConnectOptions, type Db } from './connection.ts';
import * as feeds from './feeds.ts';
import * as fullText from './full-text.ts';
import * as items from './items.ts';
import { acquireRunLock, type HeldLock } from './run-lock.ts';
import { checkSchema, migrate } from './schema.ts';

export interface PostgresOpenOptions extends ConnectOptions {
  /** Nothing is created or migrated (status and listings): the schema must be there. */
  readonly?: boolean;
}

/**
 * The server store: one PostgreSQL database that several refeed processes
 * use at once. Each writing method is one transaction; each method a
 * fixed number of statements, whatever the number of rows.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  /** host:port/database: how messages name it. */
  readonly server: string;
  private readonly locks = new Set<HeldLock>();
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
  ) {
    this.server = describeServer(url);
  }

  /** Connects (retrying a server that is not up yet, see CONNECT_DEFAULTS) and brings the schema up to date. */
  static async open(url: string, opts: PostgresOpenOptions = {}): Promise<PostgresStore> {
    const pool = await connect(url, opts);
    try {
      if (opts.readonly) await checkSchema(pool, url);
      else await migrate(pool, url);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresStore(url, pool);
  }

  private write<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    return transaction(this.pool, this.url, fn);
  }

  /** One statement, or reads: no transaction needed. */
  private async run<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await fn(this.pool);
    } catch (err) {
      throw storeError(err, this.url);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A lock still held goes with the store: its session would otherwise keep the process alive.
    for (const lock of [...this.locks]) await lock.release();
    await this.pool.end();
  }

  async syncChannels(inputs: readonly ChannelInput[], now: number): Promise<ChannelSync> {
    return this.write((db) => channels.syncChannels(db, inputs, now));
  }

  async previewSync(inputs: readonly ChannelInput[]): Promise<ChannelSync> {
    return this.run((db) => channels.syncChannels(db, inputs, undefined));
  }

  async channelState(key: string): Promise<ChannelState | undefined> {
    return this.run((db) => channels.channelByKey(db, key));
  }

  async channelStates(): Promise<ChannelState[]> {
    return this.run((db) => channels.liveChannels(db));
  }

  async ensureChannel(key: string, url: string, now: number): Promise<ChannelState> {
    return this.write((db) => channels.ensureChannel(db, key, url, now));
  }

  async recordSuccess(key: string, r: ChannelSuccess): Promise<void> {
    await this.run((db) => channels.recordSuccess(db, key, r));
  }

  async recordFailure(key: string, r: ChannelFailure): Promise<void> {
    await this.run((db) => channels.recordFailure(db, key, r));
  }

  async setNextRun(key: string, at: number | undefined): Promise<void> {
    await this.run((db) => channels.setNextRun(db, key, at));
  }

  async knownItems(key: string, itemKeys: readonly string[]): Promise<Map<string, KnownItem>> {
    return this.run((db) => items.knownItems(db, key, itemKeys));
  }

  async knownContent(key: string, contentKeys: readonly string[]): Promise<Map<string, string>> {
    return this.run((db) => items.knownContent(db, key, contentKeys));
  }

  async pruneEntries(key: string, request: PruneRequest): Promise<PruneResult> {
    return this.write((db) => items.pruneEntries(db, key, request));
  }

  async commitItems(key: string, list: readonly ItemWrite[], success: ChannelSuccess): Promise<CommitResult> {
    return this.write(async (db) => {
      const result = await commitItems(db, key, list);
      await channels.recordSuccess(db, key, { ...success, status: commitStatus(result) });
      return result;
    });
  }

  async ownedArticles(key: string, after: string, limit: number): Promise<OwnedArticle[]> {
    return this.run((db) => items.ownedArticles(db, key, after, limit));
  }

  async rewriteArticles(key: string, rewrites: readonly ArticleRewrite[]): Promise<number> {
    return this.write((db) => items.rewriteArticles(db, key, rewrites));
  }

  async setRewrites(key: string, fingerprint: string): Promise<void> {
    await this.run((db) => items.setRewrites(db, key, fingerprint));
  }

  async hideArticles(key: string, changes: readonly ArticleHiding[]): Promise<number> {
    return this.write((db) => items.hideArticles(db, key, changes));
  }

  async hiddenFiles(limit: number): Promise<ArticleFileGone[]> {
    return this.run((db) => items.hiddenFiles(db, limit));
  }

  async markFilesRemoved(ids: readonly string[]): Promise<void> {
    await this.run((db) => items.markFilesRemoved(db, ids));
  }

  async setRules(key: string, fingerprint: string): Promise<void> {
    await this.run((db) => items.setRules(db, key, fingerprint));
  }

  async pendingFiles(limit: number): Promise<PendingFile[]> {
    return this.run((db) => items.pendingFiles(db, limit));
  }

  async markFilesWritten(files: readonly WrittenArticleFile[]): Promise<void> {
    await this.run((db) => items.markFilesWritten(db, files));
  }

  async topArticles(feedKey: string, limit: number): Promise<ArticleRecord[]> {
    return (await this.run((db) => feeds.topArticles(db, [{ key: feedKey, limit }])))[0];
  }

  async articleContent(ids: readonly string[]): Promise<Map<string, ArticleContent>> {
    return this.run((db) => feeds.articleContent(db, ids));
  }

  async articlesWithoutContent(limit: number): Promise<{ id: string; path: string }[]> {
    return query<{ id: string; path: string }>(this.pool, this.url, 'SELECT id, path FROM articles WHERE html IS NULL ORDER BY id LIMIT $1', [limit]);
  }

  async fillArticleContent(entries: readonly [string, ArticleContent][]): Promise<void> {
    await this.run((db) => feeds.fillArticleContent(db, entries));
  }

  async itemFragments(ids: readonly string[], version: string): Promise<Map<string, ItemFragments>> {
    return this.run((db) => feeds.itemFragments(db, ids, version));
  }

  async setItemFragments(entries: readonly FragmentsWrite[]): Promise<void> {
    await this.run((db) => feeds.setItemFragments(db, entries));
  }

  async countArticles(): Promise<number> {
    return (await query<{ n: number }>(this.pool, this.url, 'SELECT count(*) AS n FROM articles'))[0].n;
  }

  async dirtyFeeds(): Promise<string[]> {
    return (await query<{ key: string }>(this.pool, this.url, 'SELECT key FROM dirty_feeds ORDER BY key')).map((r) => r.key);
  }

  async ledger(): Promise<Map<string, LedgerEntry>> {
    return this.run((db) => feeds.ledger(db));
  }

  async commitPublish(c: PublishCommit): Promise<void> {
    await this.write((db) => feeds.commitPublish(db, c));
  }

  async fullTextEntries(links: readonly string[]): Promise<Map<string, FullTextEntry>> {
    return this.run((db) => fullText.fullTextEntries(db, links));
  }

  async saveFullText(entries: readonly FullTextEntry[]): Promise<void> {
    await this.run((db) => fullText.saveFullText(db, entries));
  }

  async pruneFullText(before: number): Promise<number> {
    return this.run((db) => fullText.pruneFullText(db, before));
  }

  async restoreArticles(articles: readonly RestoredArticle[]): Promise<number> {
    return this.write((db) => items.restoreArticles(db, articles));
  }

  async acquireRunLock(opts: RunLockRequest): Promise<RunLock> {
    const lock = await acquireRunLock(this.url, opts, (l) => this.locks.delete(l));
    if (lock.acquired) this.locks.add(lock);
    return lock;
  }
}
