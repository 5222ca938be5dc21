import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/log.ts';
import type { ChannelState, ChannelStatus, RefeedConfig } from '../core/types.ts';
import { createFetchAgents } from '../fetch/index.ts';
import { FullTextPool, ingestChannel, pageLimiter, PreparePool } from '../ingest/index.ts';
import { FRAGMENT_ENCODER } from '../publish/index.ts';
import { cronNextRuns } from '../schedule/cron-period.ts';
import type { Store } from '../store/index.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
import { Limiter } from '../util/limiter.ts';
import { hostOf } from '../util/host.ts';
import { tickOf, type FetchJobData } from './jobs.ts';

// One fetch job: decide from the shared state whether the channel is to be
// fetched at all, make sure no other worker fetches it at the same time,
// then ingest it exactly as the in-process daemon does. The store keeps the
// channel's backoff and its last fetch, so the queue needs no memory of
// its own: a job is skipped when the channel backs off, is disabled, was
// renamed or removed meanwhile, or was fetched after the job's tick (a job
// retried late after its worker died, a tick behind a slow fetch).

export interface FetchRunnerOptions {
  store: Store;
  /** The queue server, for the per-channel fetch lock. */
  redis: Redis;
  prefix: string;
  /** site.per_host_concurrency and, when writing files, site.output. */
  config: RefeedConfig;
  logger: Logger;
  /** Whether this process writes article files (only the one that owns the output folder does). */
  writeFiles: boolean;
  /** How long a fetch lock lasts without renewal: a dead worker's lock frees itself after this. */
  lockMs: number;
  /** Asks the `run` process to publish (new or changed articles were committed). */
  requestPublish: () => Promise<void>;
}

export type FetchOutcome = { fetched: ChannelStatus } | { skipped: string };

/** Why a job is not to be fetched, from the channel's state; undefined: fetch it. */
export function skipReason(st: ChannelState | undefined, data: FetchJobData, tick: number, now: number): string | undefined {
  if (!st || st.id !== data.id) return 'the channel was renamed or removed after this job was queued';
  if (st.disabled) return 'disabled (the source answered 410 Gone)';
  if (st.consecutiveFailures > 0 && st.nextRunAt !== undefined && st.nextRunAt > now) return `backing off until ${new Date(st.nextRunAt).toISOString()}`;
  if (st.lastFetchAt !== undefined && st.lastFetchAt > tick) return 'already fetched after this job was due';
  return undefined;
}

// Redis scripts for a lock that only its holder extends or frees.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class FetchRunner {
  private readonly hosts: Limiter;
  // Parsing and sanitizing on a worker thread: the event loop keeps renewing job locks whatever the feed's size.
  private readonly pool = new PreparePool({ inlineBytes: 0, size: Math.max(1, os.availableParallelism() - 1) });
  private readonly agents = createFetchAgents();
  // full_text channels' pages: read on worker threads (started at the first page), two requests at a time per host.
  private readonly fullText = new FullTextPool();
  private readonly pages: Limiter;
  private readonly files = new AtomicWriter();
  private readonly nextRun = cronNextRuns();
  private readonly abort = new AbortController();

  constructor(private readonly opts: FetchRunnerOptions) {
    this.hosts = new Limiter({ perKey: opts.config.site.perHostConcurrency });
    this.pages = pageLimiter(opts.config.site);
  }

  async run(job: { id?: string; data: FetchJobData; opts: { prevMillis?: number }; timestamp: number }): Promise<FetchOutcome> {
    const { data } = job;
    const log = this.opts.logger.child({ channel: data.key, job: job.id });
    const lock = await this.lock(data.id, String(job.id));
    if (!lock) {
      log.debug('skipped: another worker is fetching this channel');
      return { skipped: 'another worker is fetching this channel' };
    }
    try {
      // Read under the lock: a fetch that just finished elsewhere is seen.
      const why = skipReason(await this.opts.store.channelState(data.key), data, tickOf(job), Date.now());
      if (why) {
        log.debug(`skipped: ${why}`);
        return { skipped: why };
      }
      return await this.hosts.run(hostOf(data.channel.url), () => this.fetch(data, log));
    } finally {
      await lock.release();
    }
  }

  private async fetch(data: FetchJobData, log: Logger): Promise<FetchOutcome> {
    const { store, config } = this.opts;
    log.debug('fetch started');
    const site = { ...config.site, fallbackImage: data.fallbackImage };
    const report = await ingestChannel({ ...config, site }, store, data.channel, {
      logger: this.opts.logger,
      signal: this.abort.signal,
      pool: this.pool,
      fullText: this.fullText,
      pages: this.pages,
      agents: this.agents,
      files: this.files,
      writeFiles: this.opts.writeFiles,
      fragmentEncoder: FRAGMENT_ENCODER,
    });
    // Interrupted by a shutdown: not the source's doing; the job fails and another worker takes it.
    if (this.abort.signal.aborted) throw new Error('the worker stopped during the fetch');
    if (report.status !== 'error') await store.setNextRun(data.key, this.nextRun(data.channel.settings.schedule, data.tz));
    if (report.status === 'new' || report.status === 'updated') await this.opts.requestPublish();
    return { fetched: report.status };
  }

  /** The channel's fetch lock in Redis, renewed while held; undefined when another worker holds it. */
  private async lock(channelId: number, token: string): Promise<{ release(): Promise<void> } | undefined> {
    const { redis, lockMs } = this.opts;
    const key = `${this.opts.prefix}:fetching:${channelId}`;
    if ((await redis.set(key, token, 'PX', lockMs, 'NX')) !== 'OK') return undefined;
    const timer = setInterval(() => void redis.eval(RENEW, 1, key, token, lockMs).catch(() => undefined), Math.max(100, Math.floor(lockMs / 3)));
    return {
      release: async () => {
        clearInterval(timer);
        await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
      },
    };
  }

  /** Interrupts the fetches in flight (shutdown), then frees the threads and connections. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.pool.close();
    await this.fullText.close();
    await this.agents.close();
  }

  /** Lets fetches in flight end on their own; then close(). */
  interrupt(): void {
    this.abort.abort();
  }
}
