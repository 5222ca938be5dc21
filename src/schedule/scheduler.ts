import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../core/log.ts';
import type { RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { hostOf } from '../util/host.ts';
import { FullTextPool, ingestChannel, pageLimiter, PreparePool, type ChannelReport, type FilesBehind } from '../ingest/index.ts';
import { FRAGMENT_ENCODER } from '../publish/index.ts';
import { createFetchAgents } from '../fetch/index.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
import type { Store } from '../store/index.ts';
import { cronPeriods } from './cron-period.ts';
import { Limiter } from '../util/limiter.ts';

export interface SchedulerOptions {
  logger: Logger;
  /** Rebuilds the feeds after fetches changed something; bursts are coalesced into one call. */
  publish: () => void | Promise<void>;
  /** Wait this long after a change for more before publishing. */
  publishDelayMs?: number;
  /** Fetch channels that are due right away at start instead of waiting for their first cron tick. */
  fetchOnStart?: boolean;
  /** Upper bound of the random delay added to each scheduled fetch (default: half the period, at most 5 minutes). */
  maxJitterMs?: number;
  onReport?: (report: ChannelReport) => void;
  random?: () => number;
  /** Article files the disk refused, shared with the daemon's publish (IngestOptions.filesBehind). */
  filesBehind?: FilesBehind;
}

interface Scheduled {
  channel: ResolvedChannel;
  task: ScheduledTask;
  periodMs: number;
  /** What, when changed by a reload, needs the task rebuilt. */
  signature: string;
}

const signatureOf = (c: ResolvedChannel) => JSON.stringify([c.url, c.settings]);

/**
 * Keeps every enabled channel on its own cron schedule: jittered within its
 * period so many channels don't fire in the same second, never two fetches of
 * one channel at once, bounded globally and per host, failing channels held
 * back by their backoff, and one coalesced publish after changes.
 */
export class Scheduler {
  private config: RefeedConfig;
  private readonly scheduled = new Map<string, Scheduled>();
  private readonly queue: Limiter;
  private readonly abort = new AbortController();
  private readonly files = new AtomicWriter();
  private readonly agents = createFetchAgents();
  // Every feed is parsed and normalized on a worker thread, however small: the
  // daemon's event loop also serves the feeds and /healthz, and must never
  // stall on a big feed. One worker leaves the other core to this thread.
  private readonly pool = new PreparePool({ inlineBytes: 0, size: 1 });
  // full_text channels' pages: read on a worker (started at the first page), two requests at a time per host.
  private readonly fullText = new FullTextPool({ size: 1 });
  private readonly pages: Limiter;
  private readonly timers = new Set<NodeJS.Timeout>();
  private publishTimer?: NodeJS.Timeout;
  private publishing?: Promise<void>;
  private publishAgain = false;
  private readonly periodOf = cronPeriods();
  private stopped = false;

  constructor(
    config: RefeedConfig,
    private readonly store: Store,
    private readonly opts: SchedulerOptions,
  ) {
    this.config = config;
    this.queue = new Limiter({ concurrency: config.site.concurrency, perKey: config.site.perHostConcurrency });
    this.pages = pageLimiter(config.site);
  }

  start(): void {
    // Parsing runs on a worker thread: started now, so the first new item does not wait for it to load.
    this.pool.warm();
    this.apply(this.config);
  }

  /** Swaps in a new configuration: new channels start, removed ones stop, changed ones restart. */
  reload(config: RefeedConfig): { added: string[]; removed: string[]; changed: string[] } {
    this.config = config;
    return this.apply(config);
  }

  channelKeys(): string[] {
    return [...this.scheduled.keys()];
  }

  /** Stops scheduling, abandons queued fetches, lets in-flight ones and a running publish finish. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.scheduled.values()) await s.task.destroy();
    this.scheduled.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.abort.abort();
    await this.queue.close();
    await this.publishing;
    await this.agents.close();
    await this.pool.close();
    await this.fullText.close();
  }

  private apply(config: RefeedConfig) {
    const wanted = new Map(config.channels.filter((c) => c.settings.enabled).map((c) => [c.key, c]));
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    for (const [key, s] of this.scheduled) {
      const next = wanted.get(key);
      if (!next || signatureOf(next) !== s.signature) {
        void s.task.destroy();
        this.scheduled.delete(key);
        (next ? changed : removed).push(key);
      }
    }
    for (const [key, channel] of wanted) {
      if (this.scheduled.has(key)) continue;
      if (!changed.includes(key)) added.push(key);
      this.schedule(channel);
    }
    if (added.length || removed.length || changed.length) this.opts.logger.info({ added, removed, changed }, 'schedule updated');
    return { added, removed, changed };
  }

  private schedule(channel: ResolvedChannel): void {
    const periodMs = this.periodOf(channel.settings.schedule);
    const task = createTask(channel.settings.schedule, () => this.tick(channel.key, 'scheduled'), { name: channel.key, noOverlap: true });
    this.scheduled.set(channel.key, { channel, task, periodMs, signature: signatureOf(channel) });
    void task.start();
    if (this.opts.fetchOnStart !== false) this.tick(channel.key, 'start');
  }

  private jitterMs(periodMs: number, reason: 'scheduled' | 'start'): number {
    // At start, spread only over a few seconds: an operator who just ran
    // `npm start` should see feeds soon, not within the next five minutes.
    const max = this.opts.maxJitterMs ?? Math.min(periodMs / 2, reason === 'start' ? 10_000 : 300_000);
    return Math.floor((this.opts.random ?? Math.random)() * max);
  }

  private tick(key: string, reason: 'scheduled' | 'start'): void {
    this.whenDue(key, reason).catch((err: unknown) => this.opts.logger.error({ err, channel: key }, 'cannot read the channel state; fetch skipped'));
  }

  /** Queues the channel's fetch (after its jitter) unless it is disabled, backing off, or (at start) not due yet. */
  private async whenDue(key: string, reason: 'scheduled' | 'start'): Promise<void> {
    const s = this.scheduled.get(key);
    if (!s || this.stopped || this.queue.has(key)) return;
    // A state file lost under the daemon takes no writes (the daemon reports it): the fetch waits for a restart.
    if (this.store.stateLost?.()) return;
    const st = await this.store.channelState(key);
    // Stopped while the state was read (a store across the network): a timer armed now would outlive stop().
    if (this.stopped || st?.disabled) return;
    const waiting = st?.nextRunAt !== undefined && st.nextRunAt > Date.now();
    // At start only what is due; a failing channel waits out its backoff whatever its schedule says.
    if (waiting && (reason === 'start' || st.consecutiveFailures > 0)) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const current = this.scheduled.get(key);
      if (!current || this.stopped) return;
      this.queue.push(key, hostOf(current.channel.url), () => this.fetch(current));
    }, this.jitterMs(s.periodMs, reason));
    this.timers.add(timer);
  }

  /**
   * A verified WebSub push for channel `key`: ingested now from its body,
   * through the same path as a fetch, never beside a fetch of the same
   * channel (it waits for one in progress). False when the channel is not
   * scheduled (removed, disabled) or the scheduler stopped.
   */
  ingestPushed(key: string, pushed: { body: Uint8Array; contentType?: string }): boolean {
    const s = this.scheduled.get(key);
    if (!s || this.stopped) return false;
    const attempt = () => {
      if (this.stopped) return;
      const current = this.scheduled.get(key);
      if (!current) return;
      if (this.queue.has(key)) {
        const timer = setTimeout(() => (this.timers.delete(timer), attempt()), 100);
        this.timers.add(timer);
        return;
      }
      this.queue.push(key, hostOf(current.channel.url), () => this.fetch(current, pushed));
    };
    attempt();
    return true;
  }

  private async fetch(s: Scheduled, pushed?: { body: Uint8Array; contentType?: string }): Promise<void> {
    const report = await ingestChannel(this.config, this.store, s.channel, {
      logger: this.opts.logger,
      signal: this.abort.signal,
      files: this.files,
      agents: this.agents,
      pool: this.pool,
      fullText: this.fullText,
      pages: this.pages,
      fragmentEncoder: FRAGMENT_ENCODER,
      ...(this.opts.filesBehind ? { filesBehind: this.opts.filesBehind } : {}),
      ...(pushed ? { pushed } : {}),
    });
    if (this.stopped && report.status === 'error') return;
    if (report.status !== 'error') await this.store.setNextRun(s.channel.key, s.task.getNextRun()?.getTime());
    this.opts.onReport?.(report);
    if (report.status === 'new' || report.status === 'updated') this.requestPublish();
  }

  /** Coalesces bursts of changes into one publish; never two at once. */
  requestPublish(): void {
    if (this.stopped || this.publishTimer) return;
    if (this.publishing !== undefined) {
      this.publishAgain = true;
      return;
    }
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      this.publishing = (async () => {
        try {
          await this.opts.publish();
        } catch (err) {
          this.opts.logger.error({ err }, 'publish failed; the previous feeds stay in place');
        } finally {
          this.publishing = undefined;
          if (this.publishAgain) {
            this.publishAgain = false;
            this.requestPublish();
          }
        }
      })();
    }, this.opts.publishDelayMs ?? 1000);
  }
}
