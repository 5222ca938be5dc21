import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import type { Store } from '../store/index.ts';
import { FetchRunner, type FetchOutcome } from './fetch-job.ts';
import { FETCH_QUEUE, PUBLISH_JOB, PUBLISH_JOB_OPTIONS, PUBLISH_QUEUE, type FetchJobData } from './jobs.ts';
import { isConnectionError, type QueueServer } from './redis.ts';

// The BullMQ side of fetching: a worker on the fetch queue that runs each
// job through a FetchRunner, in `refeed worker` processes and (unless
// --workers 0) in `refeed run`. A job whose worker dies is taken back by
// BullMQ's stalled-job check once its lock has lapsed, and given to
// another worker.

/** How long a job's lock lasts unless its worker renews it; a dead worker's job waits about this long, then up to as long again, for another. */
export const DEFAULT_STALLED_AFTER_MS = 30_000;

export interface FetchWorkerOptions {
  server: QueueServer;
  redis: Redis;
  store: Store;
  config: RefeedConfig;
  logger: Logger;
  /** Jobs this worker runs at once. */
  concurrency: number;
  writeFiles: boolean;
  stalledAfterMs?: number;
}

export interface FetchWorker {
  /** Stops taking jobs, interrupts the fetches in flight (their jobs go to another worker), closes. */
  close(): Promise<void>;
}

/** Logs a BullMQ emitter's errors, except the connection's own (connectQueue reports those once). */
export function logQueueErrors(emitter: { on(event: 'error', fn: (err: Error) => void): unknown }, log: Logger, what: string): void {
  emitter.on('error', (err: Error) => {
    if (isConnectionError(err)) log.debug({ reason: err.message }, `${what}: connection error`);
    else log.error({ reason: err.message }, `${what}: ${err.message}`);
  });
}

export function startFetchWorker(opts: FetchWorkerOptions): FetchWorker {
  const { server, redis, logger: log } = opts;
  const lockMs = opts.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS;
  const publishQueue = new Queue(PUBLISH_QUEUE, { connection: redis, prefix: server.prefix });
  logQueueErrors(publishQueue, log, 'publish queue');
  const runner = new FetchRunner({
    store: opts.store,
    redis,
    prefix: server.prefix,
    config: opts.config,
    logger: log,
    writeFiles: opts.writeFiles,
    lockMs,
    requestPublish: async () => void (await publishQueue.add(PUBLISH_JOB, {}, PUBLISH_JOB_OPTIONS)),
  });
  const worker = new Worker<FetchJobData, FetchOutcome>(FETCH_QUEUE, (job) => runner.run(job), {
    connection: redis,
    prefix: server.prefix,
    concurrency: opts.concurrency,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 1,
  });
  logQueueErrors(worker, log, 'fetch worker');
  worker.on('stalled', (jobId) => log.warn({ job: jobId }, 'a worker died or froze mid-job: its job is back in the queue for another worker'));
  worker.on('failed', (job, err) => {
    const left = job ? (job.opts.attempts ?? 1) - job.attemptsMade : 0;
    log.warn({ job: job?.id, channel: job?.data.key, reason: err.message }, `fetch job failed: ${err.message}${left > 0 ? '; it is tried again later' : ''}`);
  });
  return {
    close: async () => {
      runner.interrupt();
      // While the server is away BullMQ cannot hand jobs back: a forced close does not wait for it.
      await worker.close(redis.status !== 'ready');
      await runner.close();
      await publishQueue.close();
    },
  };
}
