import type { Logger } from '../core/log.ts';
import type { ChannelState, HealthReport, PublishHealth, RefeedConfig } from '../core/types.ts';
import type { PublishReport } from '../publish/index.ts';
import { iso } from '../util/time.ts';
import type { ChannelReport } from '../ingest/index.ts';
import type { Store } from '../store/index.ts';
import { cronPeriods } from '../schedule/cron-period.ts';
import { channelStatusRows } from './channel-status.ts';
import { EXIT } from './command.ts';

/**
 * The daemon's last publish, for /healthz: a publish that could not write its
 * files (a full disk) is a failure, and its time is not a success's.
 */
export class PublishTracker {
  private lastSuccessAt: number | undefined;
  private lastError: string | undefined;

  published(report: Pick<PublishReport, 'errors'>, now = Date.now()): void {
    if (report.errors.length) this.lastError = report.errors[0].reason + (report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : '');
    else [this.lastSuccessAt, this.lastError] = [now, undefined];
  }

  failed(err: unknown): void {
    this.lastError = (err as Error)?.message ?? String(err);
  }

  health(): PublishHealth | undefined {
    if (this.lastSuccessAt === undefined && this.lastError === undefined) return undefined;
    return {
      status: this.lastError === undefined ? 'ok' : 'error',
      ...(this.lastSuccessAt !== undefined ? { lastSuccessAt: iso(this.lastSuccessAt)! } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}

/**
 * /healthz: every configured channel's state (and the daemon's publishing); degraded when any enabled
 * channel, or publishing, is failing; error (with why) when the state was lost under the daemon.
 */
export function healthReport(config: RefeedConfig, states: ReadonlyMap<string, ChannelState>, stateLost?: string, publish?: PublishHealth): HealthReport {
  const rows = channelStatusRows(config, states);
  const channels = rows.map((r) => ({
    key: r.key,
    status: r.status,
    lastSuccessAt: r.lastSuccessAt ?? undefined,
    lastError: r.lastError ?? undefined,
    consecutiveFailures: r.consecutiveFailures,
    disabled: r.disabled,
  }));
  const failing = rows.some((r) => r.enabled && (r.consecutiveFailures > 0 || r.disabled)) || publish?.status === 'error';
  if (stateLost) return { status: 'error', error: stateLost, ...(publish ? { publish } : {}), channels };
  return { status: failing ? 'degraded' : 'ok', ...(publish ? { publish } : {}), channels };
}

/**
 * Watches the daemon's state file (see Store.stateLost): logs once when it is
 * deleted, replaced or emptied under the daemon (and again if it comes back
 * and goes again), and tells whether it is lost now.
 */
export function stateWatch(store: Store, log: Logger): () => string | undefined {
  let reported: string | undefined;
  return () => {
    const lost = store.stateLost?.();
    if (lost && lost !== reported) {
      log.error(
        { code: 'state-lost' },
        `${lost}: nothing is fetched or published until refeed is restarted (it then restores the state from the article files, as \`refeed reindex\` does)`,
      );
    } else if (!lost && reported) log.warn('the state file is back as it was opened; fetching and publishing resume');
    reported = lost;
    return lost;
  };
}

/**
 * How long readers may cache a feed: half the shortest channel period, so a
 * reader never misses more than about one fetch, clamped to [1 s, 30 min].
 */
export function cacheMaxAgeSec(config: RefeedConfig): number {
  const enabled = config.channels.filter((c) => c.settings.enabled);
  const cronPeriodMs = cronPeriods();
  const periods = [...new Set(enabled.map((c) => c.settings.schedule))].map((s) => cronPeriodMs(s));
  const shortest = periods.length ? Math.min(...periods) : cronPeriodMs(config.defaults.schedule);
  return Math.min(1800, Math.max(1, Math.floor(shortest / 2000)));
}

/**
 * Whether a fetch changed what index.html shows of its channel's health (it
 * started or stopped failing, or is the first since start): the daemon then
 * publishes even though no feed changed, so the page does not lag behind.
 */
export function healthFlips(): (report: ChannelReport) => boolean {
  const failing = new Map<string, boolean>();
  return (r) => {
    const now = r.status === 'error';
    const before = failing.get(r.key);
    failing.set(r.key, now);
    return before !== now;
  };
}

/**
 * Resolves when the daemon is told to stop. A signal that came while it was
 * still starting already aborted `signal`, whose listeners never fire then:
 * it stops as soon as it is up rather than wait for another signal.
 */
export function stopRequested(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** A daemon's shutdown `steps`, logged; a server that never answers must not keep the process alive past `graceMs`. */
export async function shutDown(log: Logger, graceMs: number, steps: () => Promise<void>): Promise<void> {
  log.info('shutting down');
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(EXIT.failed);
  }, graceMs);
  force.unref();
  try {
    await steps();
  } finally {
    clearTimeout(force);
  }
  log.info('stopped');
}
