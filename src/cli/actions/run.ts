import { mkdirSync, readFileSync } from 'node:fs';
import { ConfigError, formatProblem } from '../../config/index.ts';
import type { RefeedConfig } from '../../core/types.ts';
import { changedFeedUrls, HubPinger, isPublishedPath, Publisher } from '../../publish/index.ts';
import { syncChannels, WebSubSubscriber, type ChannelReport, type FilesBehind } from '../../ingest/index.ts';
import { Scheduler } from '../../schedule/scheduler.ts';
import { createFeedServer, listen } from '../../serve/index.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { cacheMaxAgeSec, healthFlips, healthReport, PublishTracker, shutDown, stateWatch, stopRequested } from '../daemon-parts.ts';
import { StateLostError } from '../../store/index.ts';
import { createMetrics } from '../metrics.ts';
import { closeServer, parseListen } from '../listen.ts';
import { reconcileAndPublish } from '../publish-step.ts';
import { openLocked } from '../store-access.ts';
import { loadConfigFor, loadKeepingSlugs } from '../load-config.ts';
import { watchConfigFile, type ConfigWatch } from '../config-watch.ts';

const SHUTDOWN_GRACE_MS = 5000;
const PUBLISH_RETRY_MS = 30_000;
/** How often the daemon looks whether its state file is still the one it opened, besides before each fetch and publish. */
const STATE_CHECK_MS = 5000;

/** What fetches: the in-process Scheduler, or the QueueEngine of a scaled-out set-up. */
type FetchEngine = Pick<Scheduler, 'start' | 'reload' | 'channelKeys' | 'requestPublish' | 'stop'> & { fetchNow?(key: string): boolean };

/** With a queue: how often `run` reads the hubs the workers' fetches recorded (besides after each publish). */
const HUB_SCAN_MS = 60_000;

/** The configuration file's text, or undefined when it cannot be read (mid-rename, removed). */
function readConfigText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

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
  // WebSub: hubs hear of the feeds a publish changed, in the background (the hubs as configured now: reloads apply).
  const pinger = new HubPinger({ output: config.site.output, logger: log, onPing: (hub, outcome) => metrics?.pinged(hub, outcome) });
  // A state file deleted or replaced under the daemon: what it holds is no longer what the next run reads, so nothing is published from it.
  const stateLost = stateWatch(store, log);
  const stateCheck = setInterval(stateLost, STATE_CHECK_MS);
  stateCheck.unref();
  const publishing = new PublishTracker();
  // Article files the disk refused: until they are written, no channel pass is a success (shared by the scheduler's passes and the publish).
  const filesBehind: FilesBehind = {};
  // A publish the disk refused is tried again by itself: nothing new may come to ask for one.
  let retryTimer: NodeJS.Timeout | undefined;
  const retryPublish = () => {
    if (retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      scheduler.requestPublish();
    }, PUBLISH_RETRY_MS);
    retryTimer.unref();
  };
  const doPublish = async () => {
    const lost = stateLost();
    if (lost) throw new StateLostError(lost);
    const started = performance.now();
    let report;
    try {
      // Queue workers commit rows without their files: written here, by the process that owns the output folder.
      report = await reconcileAndPublish(config!, publisher, store, { logger: log }, filesBehind);
    } catch (err) {
      publishing.failed(err);
      throw err;
    }
    publishing.published(report);
    if (report.errors.length) retryPublish();
    metrics?.published(report, (performance.now() - started) / 1000);
    pinger.notify(config!.site.websubHubs, changedFeedUrls(config!.site.url, report.written));
    scanHubs?.();
    return report;
  };
  // A channel starting or stopping to fail changes index.html's health: published then, not at the next new item.
  const flipped = healthFlips();
  // WebSub subscriber: a fetched feed naming a hub gets a subscription (site.websub.subscribe), pushes go through ingest now.
  const subscriber = new WebSubSubscriber({
    config: () => config!,
    store,
    logger: log,
    // With a queue a push is a fetch job like a scheduled one (QueueEngine.fetchNow); without, ingested here from its body.
    onPush: (channel, pushed) => (scheduler instanceof Scheduler ? scheduler.ingestPushed(channel.key, pushed) : (scheduler.fetchNow?.(channel.key) ?? false)),
    onPushOutcome: (outcome) => metrics?.pushed(outcome),
  });
  // With a queue the workers fetch, and record the hubs they find on the channel: read from the store after
  // each publish (a channel's first fetch brings one) and every minute, so `run` subscribes all the same.
  const scanHubs = config.site.queue
    ? () =>
        void store
          .channelStates()
          .then((states) => subscriber.observeStored(states))
          .catch((err: Error) => log.error({ reason: err.message }, `cannot read the channels' WebSub hubs: ${err.message}`))
    : undefined;
  const hubScan = scanHubs && setInterval(scanHubs, HUB_SCAN_MS);
  hubScan?.unref();
  const onReport = (r: ChannelReport) => {
    metrics?.fetched(r);
    subscriber.observe(r);
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
    : new Scheduler(config, store, { logger: log, publish: async () => void (await doPublish()), onReport, filesBehind });

  /** The last reload's problems while the file on disk is not what runs: /healthz says so (its status unchanged: the running configuration is fine). */
  let reloadRejected: { at: string; problems: string[] } | undefined;
  let server: import('node:http').Server | undefined;
  if (!ctx.values['no-serve']) {
    server = createFeedServer({
      root: config.site.output,
      cacheMaxAgeSec: cacheMaxAgeSec(config),
      health: async () => ({
        ...healthReport(config!, new Map((await store.channelStates()).map((s) => [s.key, s])), stateLost(), publishing.health()),
        ...(reloadRejected ? { configReload: { status: 'rejected' as const, at: reloadRejected.at, problems: reloadRejected.problems.length } } : {}),
      }),
      logger: log,
      servable: isPublishedPath,
      metrics: metrics?.scrape,
      feedLinks: () => ({ hubs: config!.site.websubHubs, siteUrl: config!.site.url }),
      websub: subscriber,
    });
    try {
      const bound = await listen(server, where.host, where.port);
      log.info({ url: `http://${bound.host}:${bound.port}/` }, 'serving feeds');
      // Machine-readable for wrappers and tests that pass --port 0.
      ctx.err(`refeed: serving http://${bound.host}:${bound.port}/`);
    } catch (err) {
      log.error({ err }, `cannot listen on ${where.host}:${where.port}`);
      ctx.err(`refeed run: cannot listen on ${where.host}:${where.port}: ${(err as Error).message}`);
      clearInterval(stateCheck);
      await scheduler.stop();
      await locked.release();
      return EXIT.failed;
    }
  }
  scheduler.start();

  // What the configuration file held when last read for a reload (or at start): a watch event that leaves it
  // as it was (a touch, a SIGHUP's reload already done, a save of the same text) is no reason to reload.
  let lastRead = readConfigText(config.file);
  const reload = async (why: string, text?: string) => {
    if (text !== undefined && text === lastRead) return;
    lastRead = text ?? readConfigText(config!.file);
    let next: RefeedConfig;
    try {
      next = await loadKeepingSlugs(ctx, config!.file);
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems.map(formatProblem) : [(err as Error).message];
      log.error({ problems, why, config: config!.file }, `configuration reload rejected; keeping the running configuration: ${problems[0] ?? ''}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
      reloadRejected = { at: new Date().toISOString(), problems };
      return;
    }
    // Never from some channels to none on a reload: that unpublishes every feed, and is far more often a
    // file emptied by accident than meant. Deliberately none takes a restart.
    if (next.channels.length === 0 && config!.channels.length > 0) {
      log.error(
        { why, running: config!.channels.length },
        'configuration reload refused: it would remove every channel; keeping the running configuration (restart refeed to run with none)',
      );
      reloadRejected = { at: new Date().toISOString(), problems: ['it would remove every channel (restart refeed to run with none)'] };
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
    reloadRejected = undefined;
    publisher = new Publisher(next, { longLived: true });
    const diff = scheduler.reload(next);
    log.info({ why, ...diff }, 'configuration reloaded');
    scheduler.requestPublish();
  };
  // One reload at a time, in the order asked: a SIGHUP during a watch's reload waits for it.
  let reloads = Promise.resolve();
  const queueReload = (why: string, text?: string) => {
    reloads = reloads.then(() => reload(why, text)).catch((err: unknown) => log.error({ err }, 'configuration reload failed'));
  };
  const onHup = () => queueReload('SIGHUP');
  process.on('SIGHUP', onHup);
  let watcher: ConfigWatch | undefined;
  if (!ctx.values['no-watch']) {
    try {
      watcher = watchConfigFile(
        config.file,
        (text) => queueReload('file changed', text),
        undefined,
        (err) => log.warn({ err: err.message }, 'stopped watching the configuration file; reload with SIGHUP'),
      );
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot watch the configuration file; reload with SIGHUP');
    }
  }

  // Logged once reloads are wired, so whoever waits for it may signal or edit right away.
  log.info({ channels: scheduler.channelKeys().length, config: config.file }, 'refeed running');

  await stopRequested(ctx.signal);
  await shutDown(log, SHUTDOWN_GRACE_MS, async () => {
    clearInterval(stateCheck);
    clearInterval(hubScan);
    process.off('SIGHUP', onHup);
    await reloads;
    clearTimeout(retryTimer);
    watcher?.close();
    subscriber.stop();
    await scheduler.stop();
    pinger.stop();
    if (server) await closeServer(server);
    await locked.release();
  });
  return EXIT.ok;
}
