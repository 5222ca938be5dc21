import path from 'node:path';
import type { Logger } from '../core/log.ts';
import { readHubStatus, WEBSUB_STATUS_FILE, type HubStatus } from '../core/websub-status.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { FEED_FILES } from './plan.ts';

// WebSub publisher (W3C WebSub, §4 discovery; the publish ping of
// PubSubHubbub 0.4, which WebSub leaves to hubs): after a publish that changed
// feeds, each configured hub gets `hub.mode=publish` with the changed feeds'
// URLs, so subscribers hear of new items at once instead of at their next
// poll. Pings run in the background, never holding up a publish: batched,
// retried with backoff, bounded (per request, in attempts and in URLs
// waiting). Each hub's health is kept in a small file in the output folder
// (never served) so that `status` and `/metrics` of any process can show it.

const FEED_NAMES = new Set<string>(Object.values(FEED_FILES));

/** The absolute URLs of the feed files among `written` (paths relative to the output folder). */
export function changedFeedUrls(siteUrl: string, written: readonly string[]): string[] {
  return written.filter((p) => FEED_NAMES.has(p.slice(p.lastIndexOf('/') + 1))).map((p) => new URL(p, siteUrl).href);
}

export interface PingerOptions {
  /** The output folder, where the hubs' health is kept. */
  output: string;
  logger: Logger;
  /** Feed URLs per request. */
  batchSize?: number;
  /** Feed URLs waiting per hub; more are dropped (and counted). */
  maxPending?: number;
  /** Waits before each retry of a failed request: its length bounds the attempts. */
  retryDelaysMs?: readonly number[];
  /** Bound on one request. */
  timeoutMs?: number;
  /** Each request's outcome (for metrics). */
  onPing?: (hub: string, outcome: 'ok' | 'error', urls: number) => void;
}

interface HubQueue {
  pending: Set<string>;
  running?: Promise<void>;
}

/** Pings hubs after publishes; one per process, living across configuration reloads. */
export class HubPinger {
  private readonly queues = new Map<string, HubQueue>();
  private readonly stopped = new AbortController();
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly maxPending: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;

  constructor(private readonly opts: PingerOptions) {
    this.log = opts.logger.child({ module: 'websub' });
    this.batchSize = opts.batchSize ?? 50;
    this.maxPending = opts.maxPending ?? 10_000;
    this.retryDelaysMs = opts.retryDelaysMs ?? [2_000, 10_000, 60_000];
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Queues a ping of `urls` at every hub in `hubs`; returns at once. */
  notify(hubs: readonly string[], urls: readonly string[]): void {
    if (!urls.length || this.stopped.signal.aborted) return;
    for (const hub of hubs) {
      let q = this.queues.get(hub);
      if (!q) this.queues.set(hub, (q = { pending: new Set() }));
      let dropped = 0;
      for (const u of urls) {
        if (q.pending.has(u)) continue;
        if (q.pending.size >= this.maxPending) dropped++;
        else q.pending.add(u);
      }
      if (dropped) {
        this.log.warn({ hub, dropped }, 'too many feed URLs waiting for this WebSub hub: some dropped (their subscribers will poll)');
        this.record(hub, (s) => void (s.droppedUrls += dropped));
      }
      q.running ??= this.work(hub, q).finally(() => (q.running = undefined));
    }
  }

  /** Resolves when every queued ping is done, or after `ms`, whichever comes first. */
  async drain(ms: number): Promise<void> {
    const running = [...this.queues.values()].map((q) => q.running).filter(Boolean);
    if (!running.length) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  /** Abandons what is waiting and in flight (a daemon stopping). */
  stop(): void {
    this.stopped.abort();
  }

  private async work(hub: string, q: HubQueue): Promise<void> {
    while (q.pending.size && !this.stopped.signal.aborted) {
      const batch = [...q.pending].slice(0, this.batchSize);
      for (const u of batch) q.pending.delete(u);
      const error = await this.send(hub, batch);
      if (this.stopped.signal.aborted) return;
      const now = Date.now();
      if (error === undefined) {
        this.log.debug({ hub, urls: batch.length }, 'WebSub hub pinged');
        this.record(hub, (s) => {
          s.lastPingAt = now;
          s.lastSuccessAt = now;
          s.consecutiveFailures = 0;
          delete s.lastError;
        });
      } else {
        this.log.warn({ hub, urls: batch.length, reason: error }, 'WebSub hub ping failed after its retries: subscribers will see the changes at their next poll');
        this.record(hub, (s) => {
          s.lastPingAt = now;
          s.lastError = error;
          s.consecutiveFailures++;
          s.droppedUrls += batch.length;
        });
      }
    }
  }

  /** One batch, retried; undefined when the hub took it, else why not. */
  private async send(hub: string, urls: readonly string[]): Promise<string | undefined> {
    const body = new URLSearchParams([['hub.mode', 'publish'], ...urls.map((u): [string, string] => ['hub.url', u])]).toString();
    let last = '';
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(hub, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'refeed (WebSub publisher)' },
          body,
          redirect: 'follow',
          signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(this.timeoutMs)]),
        });
        await res.body?.cancel().catch(() => undefined);
        this.opts.onPing?.(hub, res.ok ? 'ok' : 'error', urls.length);
        if (res.ok) return undefined;
        last = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      } catch (err) {
        if (this.stopped.signal.aborted) return 'stopped';
        this.opts.onPing?.(hub, 'error', urls.length);
        const e = err as Error & { cause?: { code?: string; message?: string } };
        last = e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
      }
      const wait = this.retryDelaysMs[attempt];
      if (wait === undefined) return last;
      const waited = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), wait);
        this.stopped.signal.addEventListener('abort', () => (clearTimeout(timer), resolve(false)), { once: true });
      });
      if (!waited) return 'stopped';
    }
  }

  private record(hub: string, change: (s: HubStatus) => void): void {
    try {
      const all = readHubStatus(this.opts.output);
      const s = all.get(hub) ?? { hub, consecutiveFailures: 0, droppedUrls: 0 };
      change(s);
      all.set(hub, s);
      writeFileAtomic(path.join(this.opts.output, WEBSUB_STATUS_FILE), `${JSON.stringify({ hubs: [...all.values()] }, null, 2)}\n`);
    } catch (err) {
      this.log.warn({ err }, 'cannot record the WebSub hubs\' health');
    }
  }
}
