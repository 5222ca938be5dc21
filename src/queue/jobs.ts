import type { JobsOptions, JobSchedulerTemplateOptions } from 'bullmq';
import type { ResolvedChannel } from '../core/types.ts';

// What travels through the queue. A fetch job carries its channel as the
// `run` process resolved it (URL, settings, names), so a worker needs no
// copy of the configuration's channels and follows reloads without one.

/** The queue of fetch jobs: one job scheduler per enabled channel, plus one-off jobs for channels due at start. */
export const FETCH_QUEUE = 'fetch';
/** The queue of publish requests: only the `run` process works on it (it owns the output folder). */
export const PUBLISH_QUEUE = 'publish';
export const FETCH_JOB = 'fetch';
export const PUBLISH_JOB = 'publish';

export interface FetchJobData {
  /** The channel's stable id in the store: it survives renames, so a job of a renamed channel is recognised. */
  id: number;
  key: string;
  channel: ResolvedChannel;
  /** site.fallback_image, which normalizing needs. */
  fallbackImage: string;
  /** The time zone the schedule is read in (the `run` process's), for the next run a worker records. */
  tz: string;
  /** When a one-off job was queued; a scheduled job's tick is its scheduler's time. */
  queuedAt?: number;
}

/** Scheduler ids are the channel's stable id: a rename updates the same scheduler. */
export const schedulerIdOf = (channelId: number) => `channel:${channelId}`;
export const isChannelScheduler = (id: string) => id.startsWith('channel:');

/**
 * Fetch jobs: no history kept for successes (thousands a minute); a job that
 * failed (the state server away, not a bad feed: those are recorded on the
 * channel) is tried twice more, 10 and 20 s later, and then kept for a look.
 */
export const FETCH_JOB_OPTIONS: JobSchedulerTemplateOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
};

/**
 * One publish request at a time: requests made while one waits are the same
 * request; one made while it runs queues exactly one more, so a change
 * committed during a publish is never left out. The delay lets a burst of
 * fetch results gather first.
 */
export const PUBLISH_JOB_OPTIONS: JobsOptions = {
  deduplication: { id: 'publish', keepLastIfActive: true },
  delay: 1000,
  removeOnComplete: true,
  removeOnFail: true,
};

/** The time a job stands for: its scheduler's tick, or when a one-off job was queued. */
export function tickOf(job: { data: FetchJobData; opts: { prevMillis?: number }; timestamp: number }): number {
  return job.data.queuedAt ?? job.opts.prevMillis ?? job.timestamp;
}
