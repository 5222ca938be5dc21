import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { ConfigError, formatProblem, loadConfig } from '../../config/index.ts';
import type { RefeedConfig } from '../../core/types.ts';
import { Publisher } from '../../publish/index.ts';
import { Scheduler } from '../../schedule/scheduler.ts';
import { createFeedServer, listen } from '../../serve/index.ts';
import { openState } from '../../store/state-db.ts';
import { configOption, EXIT, type Command } from '../command.ts';
import { cacheMaxAgeSec, healthReport } from '../daemon-parts.ts';
import { closeServer, listenOptions, parseListen } from '../listen.ts';
import { loadConfigFor } from '../load-config.ts';
import { sweepLeftovers } from '../sweep.ts';

const SHUTDOWN_GRACE_MS = 5000;

export const runCommand: Command = {
  name: 'run',
  summary: 'the daemon: fetch every channel on its schedule, re-publish, and serve the feeds (npm start)',
  usage: 'refeed run [--config FILE] [--host HOST] [--port N] [--watch] [--no-serve]',
  help: `
Schedules every enabled channel on its own cron \`schedule\` with a random
jitter within its period, at most one fetch per channel at a time, bounded by
site.concurrency overall and site.per_host_concurrency per host. Channels that
are due are fetched right away at start. Failing channels back off
exponentially (1 min doubling, capped at 24 h; Retry-After honoured), a 410
disables a channel, a 301/308 updates its stored URL. After fetches that
changed anything the affected feeds are re-published (bursts coalesced). The
output folder is served over HTTP at the same time, with /healthz.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
${listenOptions}
      --watch        reload the configuration when the file changes
      --no-serve     schedule and publish only, no HTTP server

Signals: SIGTERM/SIGINT stop scheduling, let in-flight work finish, close the
database and exit 0 within a few seconds. SIGHUP reloads the configuration:
new channels start, removed ones stop; an invalid file is rejected (logged) and
the running configuration kept. Changes to site.output, site.state, host and
port need a restart.`,
  options: { ...configOption, host: { type: 'string' }, port: { type: 'string' }, watch: { type: 'boolean' }, 'no-serve': { type: 'boolean' } },
  async run(ctx) {
    let config = loadConfigFor(ctx);
    if (!config) return EXIT.badConfig;
    const where = parseListen(ctx, config);
    if (!where) return EXIT.usage;
    const log = ctx.logger;
    mkdirSync(config.site.output, { recursive: true });
    sweepLeftovers(config, log);
    const state = openState(config.site.state);
    // One publisher per configuration: what the configuration alone decides is worked out once per load.
    let publisher = new Publisher(config);
    const doPublish = () => publisher.publish(state, { logger: log });
    const scheduler = new Scheduler(config, state, { logger: log, publish: async () => void (await doPublish()) });

    // Publish what the store already has, so the server has something to serve before the first fetch lands.
    try {
      await doPublish();
    } catch (err) {
      log.error({ err }, 'initial publish failed');
    }

    let server: import('node:http').Server | undefined;
    if (!ctx.values['no-serve']) {
      server = createFeedServer({ root: config.site.output, cacheMaxAgeSec: cacheMaxAgeSec(config), health: () => healthReport(config!, state), logger: log });
      try {
        const bound = await listen(server, where.host, where.port);
        log.info({ url: `http://${bound.host}:${bound.port}/` }, 'serving feeds');
        // Machine-readable for wrappers and tests that pass --port 0.
        ctx.err(`refeed: serving http://${bound.host}:${bound.port}/`);
      } catch (err) {
        log.error({ err }, `cannot listen on ${where.host}:${where.port}`);
        ctx.err(`refeed run: cannot listen on ${where.host}:${where.port}: ${(err as Error).message}`);
        state.close();
        return EXIT.failed;
      }
    }
    scheduler.start();

    const reload = (why: string) => {
      let next: RefeedConfig;
      try {
        next = loadConfig(config!.file);
      } catch (err) {
        const problems = err instanceof ConfigError ? err.problems.map(formatProblem) : [(err as Error).message];
        log.error({ problems, why }, 'configuration reload rejected; keeping the running configuration');
        return;
      }
      for (const key of ['output', 'state', 'host', 'port'] as const) {
        if (next.site[key] !== config!.site[key]) log.warn({ key }, `site.${key} changed: takes effect on restart`);
      }
      next = { ...next, site: { ...next.site, output: config!.site.output, state: config!.site.state } };
      config = next;
      publisher = new Publisher(next);
      const diff = scheduler.reload(next);
      log.info({ why, ...diff }, 'configuration reloaded');
      scheduler.requestPublish();
    };
    const onHup = () => reload('SIGHUP');
    process.on('SIGHUP', onHup);
    let watcher: FSWatcher | undefined;
    if (ctx.values.watch) {
      let timer: NodeJS.Timeout | undefined;
      watcher = watch(config.file, () => {
        clearTimeout(timer);
        timer = setTimeout(() => reload('file changed'), 300);
      });
    }

    // Logged once reloads are wired, so whoever waits for it may signal or edit right away.
    log.info({ channels: scheduler.channelKeys().length, config: config.file }, 'refeed running');

    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    log.info('shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(EXIT.failed);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    process.off('SIGHUP', onHup);
    watcher?.close();
    await scheduler.stop();
    if (server) await closeServer(server);
    state.close();
    clearTimeout(force);
    log.info('stopped');
    return EXIT.ok;
  },
};
