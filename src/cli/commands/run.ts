import { configOption, type Command } from '../command.ts';
import { listenOptions } from '../listen.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'the daemon: fetch every channel on its schedule, re-publish, and serve the feeds (npm start)',
  usage: 'refeed run [--config FILE] [--host HOST] [--port N] [--no-watch] [--no-serve] [--workers N]',
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
      --no-watch     do not reload the configuration when its file changes
                     (by default it is watched, and reloaded as on SIGHUP once
                     it has stayed unchanged for 300 ms; --watch is accepted)
      --no-serve     schedule and publish only, no HTTP server
      --workers N    with site.queue: fetch jobs this process runs at once
                     (default: site.concurrency); 0 leaves fetching to
                     \`refeed worker\` processes

With site.queue (REFEED_QUEUE), fetches are BullMQ jobs: this process keeps
one job scheduler per enabled channel (its cron schedule, no jitter: the
queue spreads the work), and alone publishes and writes files; any number of
\`refeed worker\` processes, on any machines, fetch. See README "Scaling out".

Signals: SIGTERM/SIGINT stop scheduling, let in-flight work finish, close the
database and exit 0 within a few seconds. SIGHUP, or a change of the file
(an edit, \`refeed sources add\` from another shell, an editor's save by
rename), reloads the configuration: new channels start, removed ones stop. An
invalid file is rejected (logged with its problems and their lines; /healthz
shows configReload: rejected) and the running configuration kept, and so is
one that would remove every channel (an empty or cut-short file; running with
none takes a restart). Changes to site.output, site.state, site.queue, host
and port need a restart.`,
  options: { ...configOption, host: { type: 'string' }, port: { type: 'string' }, watch: { type: 'boolean' }, 'no-watch': { type: 'boolean' }, 'no-serve': { type: 'boolean' }, workers: { type: 'string' } },
  load: async () => (await import('../actions/run.ts')).run,
};
