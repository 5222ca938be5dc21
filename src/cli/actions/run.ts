import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { ConfigError, formatProblem } from '../../config/index.ts';
import type { RefeedConfig } from '../../core/types.ts';
import { isPublishedPath, Publisher } from '../../publish/index.ts';
import { syncChannels, type ChannelReport } from '../../ingest/index.ts';
import { Scheduler } from '../../schedule/scheduler.ts';
import { createFeedServer, listen } from '../../serve/index.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { cacheMaxAgeSec, healthFlips, healthReport, shutDown, stopRequested } from '../daemon-parts.ts';
import { createMetrics } from '../metrics.ts';
import { closeServer, parseListen } from '../listen.ts';
import { reconcileAndPublish } from '../publish-step.ts';
import { openLocked } from '../store-access.ts';
import { loadConfigFor, loadKeepingSlugs } from '../load-config.ts';

const SHUTDOWN_GRACE_MS = 5000;

/** What fetches: the in-process Scheduler, or the QueueEngine of a scaled-out set-up. */
type FetchEngine = Pick<Scheduler, 'start' | 'reload' | 'channelKeys' | 'requestPublish' | 'stop'>;

/** --workers N: fetch jobs this process runs at once (default site.concurrency); only with a queue. */
function parseWorkers(ctx: CommandContext, config: RefeedConfig): number | undefined {
  const raw = ctx.values.workers as string | undefined;
  if (raw === undefined) return config.site.concurrency;
  if (!config.site.queue) {
    ctx.err('refeed run: --workers needs site.queue (or REFEED_QUEUE): without a queue the daemon does its own fetching');
    return undefined;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 256) {
    ctx.err(`refeed run: --workers must be a number from 0 to 256, not "${raw}"`);
    return undefined;
  }
  return n;
}

export async function run(ctx: CommandContext): Promise<number> {
  let config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  const where = parseListen(ctx, config);
  if (!where) return EXIT.usage;
  const fetchConcurrency = parseWorkers(ctx, config);
  if (fetchConcurrency === undefined) return EXIT.usage;
  const log = ctx.logger;
  mkdirSync(config.site.output, { recursive: true });
  // The daemon holds the run lock for its life: a cron-driven `once` beside it waits, then does nothing.
  // Scaled out, a state server out of reach is waited for: the daemon is a service others depend on.
  const locked = await openLocked(ctx, config, 'run', { waitForServer: config.site.queue !== undefined });
  if ('exit' in locked) {
    if (locked.held) ctx.err(`refeed run: ${locked.held}`);
    return locked.held ? EXIT.failed : locked.exit;
  }
  const { store } = locked;
  // One publisher per configuration: what the configuration alone decides is worked out once per load.
  // openLocked has matched the store to the configuration (a reload matches it to the new one).
  let publisher = new Publisher(config, { longLived: true });
  const metrics = ctx.values['no-serve'] ? undefined : await createMetrics({ config: () => config!, states: () => store.channelStates() });
  const doPublish = async () => {
    const started = performance.now();
    // Queue workers commit rows without their files: written here, by the process that owns the output folder.
    const report = await reconcileAndPublish(config!, publisher, store, { logger: log });
    metrics?.published(report, (performance.now() - started) / 1000);
    return report;
  };
  // A channel starting or stopping to fail changes index.html's health: published then, not at the next new item.
  const flipped = healthFlips();
  const onReport = (r: ChannelReport) => {
    metrics?.fetched(r);
    if (flipped(r)) scheduler.requestPublish();
  };

  // Publish what the store already has, so the server has something to serve before the first fetch lands.
  try {
    await doPublish();
  } catch (err) {
    log.error({ err }, 'initial publish failed');
  }
  // With a queue, fetches are jobs any worker takes (src/queue); without one, this process's own timers.
  // Made after the first publish: a queued publish request is then never worked on alongside it.
  const scheduler: FetchEngine = config.site.queue
    ? await (await import('../../queue/engine.ts')).QueueEngine.create(config, store, { logger: log, publish: doPublish, fetchConcurrency })
    : new Scheduler(config, store, { logger: log, publish: async () => void (await doPublish()), onReport });

  let server: import('node:http').Server | undefined;
  if (!ctx.values['no-serve']) {
    server = createFeedServer({
      root: config.site.output,
      cacheMaxAgeSec: cacheMaxAgeSec(config),
      health: async () => healthReport(config!, new Map((await store.channelStates()).map((s) => [s.key, s]))),
      logger: log,
      servable: isPublishedPath,
      metrics: metrics?.scrape,
    });
    try {
      const bound = await listen(server, where.host, where.port);
      log.info({ url: `http://${bound.host}:${bound.port}/` }, 'serving feeds');
      // Machine-readable for wrappers and tests that pass --port 0.
      ctx.err(`refeed: serving http://${bound.host}:${bound.port}/`);
    } catch (err) {
      log.error({ err }, `cannot listen on ${where.host}:${where.port}`);
      ctx.err(`refeed run: cannot listen on ${where.host}:${where.port}: ${(err as Error).message}`);
      await scheduler.stop();
      await locked.release();
      return EXIT.failed;
    }
  }
  scheduler.start();

  const reload = async (why: string) => {
    let next: RefeedConfig;
    try {
      next = await loadKeepingSlugs(ctx, config!.file);
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems.map(formatProblem) : [(err as Error).message];
      log.error({ problems, why }, 'configuration reload rejected; keeping the running configuration');
      return;
    }
    for (const key of ['output', 'state', 'queue', 'host', 'port'] as const) {
      if (next.site[key] !== config!.site[key]) log.warn({ key }, `site.${key} changed: takes effect on restart`);
    }
    const { output, state, queue } = config!.site;
    next = { ...next, site: { ...next.site, output, state, ...(queue ? { queue } : {}) } };
    if (!queue) delete next.site.queue;
    // Matched first: a store that cannot follow the new configuration leaves the running one in place.
    await syncChannels(next, store, Date.now(), log);
    config = next;
    publisher = new Publisher(next, { longLived: true });
    const diff = scheduler.reload(next);
    log.info({ why, ...diff }, 'configuration reloaded');
    scheduler.requestPublish();
  };
  const onHup = () => void reload('SIGHUP').catch((err: unknown) => log.error({ err }, 'configuration reload failed'));
  process.on('SIGHUP', onHup);
  let watcher: FSWatcher | undefined;
  if (ctx.values.watch) {
    let timer: NodeJS.Timeout | undefined;
    watcher = watch(config.file, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload('file changed').catch((err: unknown) => log.error({ err }, 'configuration reload failed')), 300);
    });
  }

  // Logged once reloads are wired, so whoever waits for it may signal or edit right away.
  log.info({ channels: scheduler.channelKeys().length, config: config.file }, 'refeed running');

  await stopRequested(ctx.signal);
  await shutDown(log, SHUTDOWN_GRACE_MS, async () => {
    process.off('SIGHUP', onHup);
    watcher?.close();
    await scheduler.stop();
    if (server) await closeServer(server);
    await locked.release();
  });
  return EXIT.ok;
}
