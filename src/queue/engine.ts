import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/log.ts';
import type { RefeedConfig, ResolvedChannel } from '../core/types.ts';
import type { Store } from '../store/index.ts';
import { logQueueErrors, startFetchWorker, type FetchWorker } from './fetch-worker.ts';
import { FETCH_JOB, FETCH_JOB_OPTIONS, FETCH_QUEUE, PUBLISH_JOB, PUBLISH_JOB_OPTIONS, PUBLISH_QUEUE } from './jobs.ts';
import { closeQueueConnection, connectQueue, queueServer, type QueueServer } from './redis.ts';
import { checkSchedules, jobDataOf, syncSchedules } from './schedules.ts';

// `refeed run` with a queue: instead of fetching on its own timers, it keeps
// the fetch queue's job schedulers in line with the configuration, works on
// the publish queue (it alone owns the output folder), and fetches too
// unless --workers 0. Its HTTP server and run lock are run.ts's, as without
// a queue. The schedulers are brought in line at start, on reload and when
// the queue server comes back (it may have lost them); every few minutes a
// cheap check puts back any whose chain broke.

export interface QueueEngineOptions {
  logger: Logger;
  /** Writes pending article files, then the feeds (Publisher.publish). */
  publish: () => Promise<unknown>;
  /** Fetch jobs this process runs at once; 0: none (workers elsewhere do it). */
  fetchConcurrency: number;
}

const CHECK_EVERY_MS = 5 * 60_000;
/** Publishes in one publish job at most: more while feeds stay dirty (changes committed during the last one). */
const PUBLISH_ROUNDS = 3;

const signatureOf = (c: ResolvedChannel) => JSON.stringify([c.url, c.settings]);

export class QueueEngine {
  private config: RefeedConfig;
  private readonly tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  private readonly fetchQueue: Queue;
  private readonly publishQueue: Queue;
  private readonly publishWorker: Worker;
  private fetchWorker?: FetchWorker;
  private syncing?: Promise<void>;
  private syncAgain = false;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = 1000;
  private readonly interval: NodeJS.Timeout;
  private readyOnce = false;
  private stopped = false;

  private constructor(
    config: RefeedConfig,
    private readonly store: Store,
    server: QueueServer,
    private readonly redis: Redis,
    private readonly opts: QueueEngineOptions,
  ) {
    this.config = config;
    const log = opts.logger;
    const connection = { connection: redis, prefix: server.prefix };
    this.fetchQueue = new Queue(FETCH_QUEUE, connection);
    this.publishQueue = new Queue(PUBLISH_QUEUE, connection);
    logQueueErrors(this.fetchQueue, log, 'fetch queue');
    logQueueErrors(this.publishQueue, log, 'publish queue');
    this.publishWorker = new Worker(PUBLISH_QUEUE, () => this.publishUntilClean(), { ...connection, concurrency: 1 });
    logQueueErrors(this.publishWorker, log, 'publish worker');
    this.publishWorker.on('failed', (_job, err) => log.error({ reason: err.message }, `publish failed; the previous feeds stay in place: ${err.message}`));
    if (opts.fetchConcurrency > 0) {
      this.fetchWorker = startFetchWorker({ server, redis, store, config, logger: log, concurrency: opts.fetchConcurrency, writeFiles: true });
    }
    // A server that restarted empty has lost the schedulers: put them back when it returns.
    redis.on('ready', () => {
      if (this.readyOnce) this.sync('the queue server is back');
      this.readyOnce = true;
    });
    this.interval = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.interval.unref();
  }

  /** Connects to site.queue (retrying in the background for as long as it takes) and sets the queues up; start() schedules. */
  static async create(config: RefeedConfig, store: Store, opts: QueueEngineOptions): Promise<QueueEngine> {
    const server = queueServer(config.site.queue!);
    const redis = await connectQueue(server, opts.logger, 'run');
    opts.logger.info({ queue: server.name, prefix: server.prefix, fetching: opts.fetchConcurrency }, 'using the queue');
    return new QueueEngine(config, store, server, redis, opts);
  }

  start(): void {
    this.sync('start');
  }

  channelKeys(): string[] {
    return this.config.channels.filter((c) => c.settings.enabled).map((c) => c.key);
  }

  /** Takes a new configuration (already synced to the store): its schedulers are brought in line in the background. */
  reload(config: RefeedConfig): { added: string[]; removed: string[]; changed: string[] } {
    const before = new Map(this.config.channels.filter((c) => c.settings.enabled).map((c) => [c.key, signatureOf(c)]));
    const after = new Map(config.channels.filter((c) => c.settings.enabled).map((c) => [c.key, signatureOf(c)]));
    this.config = config;
    this.sync('configuration reloaded');
    return {
      added: [...after.keys()].filter((k) => !before.has(k)),
      removed: [...before.keys()].filter((k) => !after.has(k)),
      changed: [...after].filter(([k, sig]) => before.has(k) && before.get(k) !== sig).map(([k]) => k),
    };
  }

  /**
   * A verified WebSub push: the channel's fetch job, queued now ahead of its
   * schedule, for whichever worker is free. The pushed body itself is not
   * queued: it may be megabytes, a fetch of the topic returns the same feed,
   * and the job goes through the same lock, backoff and validators as a
   * scheduled one. Pushes while one such job waits (or runs) make one more
   * job at most. false: the channel is not configured (or disabled).
   */
  fetchNow(key: string): boolean {
    const channel = this.config.channels.find((c) => c.key === key && c.settings.enabled);
    if (!channel || this.stopped) return false;
    const log = this.opts.logger;
    void (async () => {
      const st = await this.store.channelState(key);
      if (!st) return;
      const data = { ...jobDataOf(this.config, channel, st.id, this.tz), queuedAt: Date.now() };
      await this.fetchQueue.add(FETCH_JOB, data, { ...FETCH_JOB_OPTIONS, deduplication: { id: `push:${st.id}`, keepLastIfActive: true } });
      log.debug({ channel: key }, 'WebSub push: fetch job queued');
    })().catch((err: Error) => log.error({ channel: key, reason: err.message }, `cannot queue the pushed channel's fetch: ${err.message}`));
    return true;
  }

  /** Asks for a publish through the queue (the same request as any worker's). */
  requestPublish(): void {
    if (this.stopped) return;
    this.publishQueue.add(PUBLISH_JOB, {}, PUBLISH_JOB_OPTIONS).catch((err: Error) => this.opts.logger.error({ reason: err.message }, 'cannot queue a publish'));
  }

  /** Brings the schedulers in line; one pass at a time, another after it when asked meanwhile; retried with backoff on failure. */
  private sync(why: string): void {
    if (this.stopped) return;
    if (this.syncing !== undefined) {
      this.syncAgain = true;
      return;
    }
    clearTimeout(this.retryTimer);
    const log = this.opts.logger;
    this.syncing = (async () => {
      try {
        const r = await syncSchedules(this.fetchQueue, this.config, this.store, log, { tz: this.tz });
        this.retryDelayMs = 1000;
        const level = r.upserted || r.removed || r.due || r.failed ? 'info' : 'debug';
        log[level]({ why, ...r, channels: this.channelKeys().length }, 'fetch schedules in line with the configuration');
      } catch (err) {
        if (this.stopped) return;
        log.error({ why, reason: (err as Error).message }, `cannot update the fetch schedules: ${(err as Error).message}; retrying in ${this.retryDelayMs / 1000} s`);
        this.retryTimer = setTimeout(() => this.sync(why), this.retryDelayMs);
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 60_000);
      } finally {
        this.syncing = undefined;
        if (this.syncAgain) {
          this.syncAgain = false;
          this.sync(why);
        }
      }
    })();
  }

  /** Between syncs: schedulers whose chain broke put back; a full sync when some are missing. */
  private async check(): Promise<void> {
    if (this.stopped || this.syncing || this.redis.status !== 'ready') return;
    try {
      const repaired = await checkSchedules(this.fetchQueue, this.config, this.opts.logger);
      if (repaired === 'full') this.sync('fetch schedulers missing');
      else if (repaired) this.opts.logger.warn({ repaired }, 'overdue fetch schedulers put back on schedule');
    } catch (err) {
      this.opts.logger.error({ reason: (err as Error).message }, `cannot check the fetch schedules: ${(err as Error).message}`);
    }
  }

  /** A publish job: publish, and again while feeds stay dirty (changes committed while it ran), a few times at most. */
  private async publishUntilClean(): Promise<void> {
    for (let round = 1; round <= PUBLISH_ROUNDS; round++) {
      await this.opts.publish();
      if (!(await this.store.dirtyFeeds()).length) return;
    }
  }

  /** Stops scheduling and fetching (fetches in flight are handed back to the queue), lets a running publish finish, disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.interval);
    clearTimeout(this.retryTimer);
    const down = this.redis.status !== 'ready';
    // Commands wait for a server that is away: dropping the connection first makes them fail now.
    if (down) this.redis.disconnect();
    await this.fetchWorker?.close();
    await this.publishWorker.close(down);
    await this.syncing?.catch(() => undefined);
    await Promise.all([this.fetchQueue.close(), this.publishQueue.close()]);
    await closeQueueConnection(this.redis);
  }
}
