import { parseDuration } from '../../config/index.ts';
import { startFetchWorker, DEFAULT_STALLED_AFTER_MS } from '../../queue/fetch-worker.ts';
import { closeQueueConnection, connectQueue, queueServer } from '../../queue/redis.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { shutDown, stopRequested } from '../daemon-parts.ts';
import { loadConfigFor } from '../load-config.ts';
import { openStoreWaiting } from '../store-access.ts';

const SHUTDOWN_GRACE_MS = 10_000;

function positiveInt(ctx: CommandContext, name: string, raw: string | undefined, fallback: number): number | undefined {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= 256) return n;
  ctx.err(`refeed worker: --${name} must be a number from 1 to 256, not "${raw}"`);
  return undefined;
}

/**
 * `refeed worker`: fetch jobs from the queue into the shared state. No run
 * lock (the `run` process holds it; the store makes concurrent channel
 * commits safe), no files, no HTTP server.
 */
export async function run(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  if (!config.site.queue) {
    ctx.err('refeed worker: no queue configured: set site.queue (or REFEED_QUEUE) to a redis:// URL, and site.state to a postgres:// URL');
    return EXIT.badConfig;
  }
  const concurrency = positiveInt(ctx, 'concurrency', ctx.values.concurrency as string | undefined, config.site.concurrency);
  if (concurrency === undefined) return EXIT.usage;
  const rawStalled = ctx.values['stalled-after'] as string | undefined;
  const stalledAfterMs = rawStalled === undefined ? DEFAULT_STALLED_AFTER_MS : parseDuration(rawStalled);
  if (stalledAfterMs === undefined || stalledAfterMs < 1000) {
    ctx.err(`refeed worker: --stalled-after must be a duration of 1s or more (30s, 2m), not "${rawStalled}"`);
    return EXIT.usage;
  }
  const log = ctx.logger;
  // Channels come with the jobs: there is nothing to reload, and a stray SIGHUP must not end the process.
  const onHup = () => log.info('SIGHUP ignored: a worker takes each channel from its job, as `refeed run` last read it');
  process.on('SIGHUP', onHup);
  try {
    const store = await openStoreWaiting(ctx, config.site.state);
    if (!store) return EXIT.ok;
    const server = queueServer(config.site.queue);
    const redis = await connectQueue(server, log, 'worker');
    const worker = startFetchWorker({ server, redis, store, config, logger: log, concurrency, writeFiles: false, stalledAfterMs });
    log.info({ queue: server.name, prefix: server.prefix, concurrency, stalledAfterMs }, 'refeed worker running');

    await stopRequested(ctx.signal);
    await shutDown(log, SHUTDOWN_GRACE_MS, async () => {
      await worker.close();
      await closeQueueConnection(redis);
      await store.close();
    });
    return EXIT.ok;
  } finally {
    process.off('SIGHUP', onHup);
  }
}
