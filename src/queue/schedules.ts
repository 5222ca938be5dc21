import type { Queue } from 'bullmq';
import type { Logger } from '../core/log.ts';
import type { ChannelState, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { cronPeriods } from '../schedule/cron-period.ts';
import type { Store } from '../store/index.ts';
import { forEachLimited } from '../util/limiter.ts';
import { FETCH_JOB, FETCH_JOB_OPTIONS, isChannelScheduler, schedulerIdOf, type FetchJobData } from './jobs.ts';

// The `run` process keeps the fetch queue's job schedulers in line with the
// configuration: one per enabled channel, keyed by the channel's stable id
// (a rename updates its scheduler rather than making a second one), with
// the channel's cron pattern; schedulers of channels no longer configured
// are removed. Unchanged schedulers are left alone, so a restart or a
// reload costs a listing, not an upsert per channel. Channels that are due
// (never fetched, or a tick missed while nothing ran) get a one-off job.
// Between syncs a periodic check puts back schedulers whose chain broke.

export interface ScheduleSync {
  upserted: number;
  removed: number;
  due: number;
  failed: number;
}

interface SchedulerEntry {
  key: string;
  pattern?: string;
  tz?: string;
  next?: number;
  template?: { data?: unknown };
}

const PAGE = 1000;
const CHECK_PAGE = 100;
/** Upserts in flight at once: the connection pipelines them. */
const PARALLEL = 32;

async function listSchedulers(queue: Queue): Promise<Map<string, SchedulerEntry>> {
  const out = new Map<string, SchedulerEntry>();
  const total = await queue.getJobSchedulersCount();
  for (let start = 0; start < total; start += PAGE) {
    for (const s of await queue.getJobSchedulers(start, start + PAGE - 1, true)) out.set(s.key, s);
  }
  return out;
}

export function jobDataOf(config: RefeedConfig, channel: ResolvedChannel, id: number, tz: string): FetchJobData {
  return { id, key: channel.key, channel, fallbackImage: config.site.fallbackImage, tz };
}

/** Overdue by less than this, a scheduler's job may just be waiting for a free worker. */
const MIN_OVERDUE_MS = 5 * 60_000;

/** A scheduler whose next job is long overdue lost its chain (the server lost it, or a worker failed to queue the next one). */
function stale(entry: SchedulerEntry, periodMs: number, now: number): boolean {
  return entry.next !== undefined && entry.next < now - Math.max(2 * periodMs, MIN_OVERDUE_MS);
}

const upsert = (queue: Queue, id: string, pattern: string, tz: string, data: FetchJobData) =>
  queue.upsertJobScheduler(id, { pattern, tz }, { name: FETCH_JOB, data, opts: FETCH_JOB_OPTIONS });

/**
 * The periodic check, cheap at any size: the number of schedulers, and
 * only those overdue (read oldest first, so the scan stops at the first
 * one on time), put back on their schedule. Reads no state. 'full' when
 * schedulers are missing: the caller then runs syncSchedules.
 */
export async function checkSchedules(queue: Queue, config: RefeedConfig, log: Logger, opts: { periodOf?: (expr: string) => number } = {}): Promise<number | 'full'> {
  const periodOf = opts.periodOf ?? cronPeriods();
  const enabled = new Map(config.channels.filter((c) => c.settings.enabled).map((c) => [c.key, c]));
  if ((await queue.getJobSchedulersCount()) !== enabled.size) return 'full';
  const now = Date.now();
  let repaired = 0;
  // Small pages: on a healthy queue the first one already ends the scan.
  for (let start = 0; ; start += CHECK_PAGE) {
    const page = (await queue.getJobSchedulers(start, start + CHECK_PAGE - 1, true)) as SchedulerEntry[];
    for (const e of page) {
      if (e.next === undefined || e.next >= now - MIN_OVERDUE_MS) return repaired;
      const data = e.template?.data as FetchJobData | undefined;
      const channel = data && enabled.get(data.key);
      if (!channel || !isChannelScheduler(e.key) || !stale(e, periodOf(channel.settings.schedule), now)) continue;
      try {
        await upsert(queue, e.key, channel.settings.schedule, data.tz, data);
        repaired++;
      } catch (err) {
        log.error({ channel: channel.key, reason: (err as Error).message }, `cannot put the channel back on schedule: ${(err as Error).message}`);
      }
    }
    if (page.length < CHECK_PAGE) return repaired;
  }
}

export async function syncSchedules(
  queue: Queue,
  config: RefeedConfig,
  store: Store,
  log: Logger,
  opts: { tz: string; periodOf?: (expr: string) => number },
): Promise<ScheduleSync> {
  const periodOf = opts.periodOf ?? cronPeriods();
  // Read before the states: a due job then never stands for a time after a fetch the states do not show yet.
  const readAt = Date.now();
  const states = new Map((await store.channelStates()).map((s) => [s.key, s]));
  const wanted = new Map<string, { channel: ResolvedChannel; st: ChannelState; data: FetchJobData }>();
  for (const channel of config.channels) {
    const st = states.get(channel.key);
    // Every configured channel is in the store once the configuration is synced, which the caller has done.
    if (channel.settings.enabled && st) wanted.set(schedulerIdOf(st.id), { channel, st, data: jobDataOf(config, channel, st.id, opts.tz) });
  }
  await queue.setGlobalConcurrency(config.site.concurrency);

  const existing = await listSchedulers(queue);
  const result: ScheduleSync = { upserted: 0, removed: 0, due: 0, failed: 0 };
  const changed = [...wanted].filter(([id, w]) => {
    const e = existing.get(id);
    const same = e && e.pattern === w.channel.settings.schedule && e.tz === opts.tz && JSON.stringify(e.template?.data) === JSON.stringify(w.data);
    return !same || stale(e!, periodOf(w.channel.settings.schedule), readAt);
  });
  await forEachLimited(changed, { concurrency: PARALLEL }, async ([id, w]) => {
    try {
      await upsert(queue, id, w.channel.settings.schedule, opts.tz, w.data);
      result.upserted++;
    } catch (err) {
      // One channel's schedule refused (a cron form BullMQ reads differently) must not stop the others.
      result.failed++;
      log.error({ channel: w.channel.key, reason: (err as Error).message }, `cannot schedule the channel: ${(err as Error).message}`);
    }
  });
  const gone = [...existing.keys()].filter((id) => isChannelScheduler(id) && !wanted.has(id));
  await forEachLimited(gone, { concurrency: PARALLEL }, async (id) => {
    if (await queue.removeJobScheduler(id)) result.removed++;
  });

  // One per channel and last fetch (the job id): asking again while one waits adds nothing.
  const due = [...wanted.values()].filter(({ st }) => !st.disabled && (st.nextRunAt === undefined || st.nextRunAt <= readAt));
  for (let i = 0; i < due.length; i += PAGE) {
    const jobs = due.slice(i, i + PAGE).map(({ st, data }) => ({
      name: FETCH_JOB,
      data: { ...data, queuedAt: readAt },
      opts: { ...FETCH_JOB_OPTIONS, jobId: `due:${st.id}:${st.lastFetchAt ?? 0}` },
    }));
    await queue.addBulk(jobs);
    result.due += jobs.length;
  }
  return result;
}
