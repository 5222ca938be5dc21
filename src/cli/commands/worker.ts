import { configOption, type Command } from '../command.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'fetch channels from the queue (site.queue): run any number, on any machines',
  usage: 'refeed worker [--config FILE] [--concurrency N] [--stalled-after DURATION]',
  help: `
Takes fetch jobs from the queue that \`refeed run\` schedules (site.queue or
REFEED_QUEUE, a redis:// URL), fetches each channel and stores the result in
the shared state (site.state or REFEED_STATE, a postgres:// URL). It writes no
files and serves nothing: the \`run\` process writes the articles and feeds
when asked to publish. Any number of workers may run on any machines that
reach the same Redis and PostgreSQL; they need no shared disk, and read only
site.state, site.queue, site.concurrency and site.per_host_concurrency from
the configuration (each job carries its channel as \`run\` read it).

A job for a channel that is backing off, disabled (410), renamed or removed,
or already fetched since the job's tick is skipped; a channel is never
fetched by two workers at once. A worker that dies mid-job: its job goes to
another worker once its lock lapses (--stalled-after).

Options:
  -c, --config FILE             configuration file (default: config/refeed.yaml)
      --concurrency N           jobs this worker runs at once (default:
                                site.concurrency; site.concurrency also bounds
                                all workers together)
      --stalled-after DURATION  how long a job's lock lasts unless renewed: a
                                dead worker's job is retried after this, and at
                                most as long again (default 30s)

Servers out of reach (Redis or PostgreSQL) are retried with backoff, logged
naming host:port, never a password; the worker does not exit for them.
Signals: SIGTERM/SIGINT stop it (fetches in flight go back to the queue for
another worker); SIGHUP is ignored (channels come with the jobs).`,
  options: { ...configOption, concurrency: { type: 'string' }, 'stalled-after': { type: 'string' } },
  load: async () => (await import('../actions/worker.ts')).run,
};
