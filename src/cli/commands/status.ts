import { configOption, type Command } from '../command.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'show every channel: last success, last error, failures, items stored, next run',
  usage: 'refeed status [--config FILE] [--json | --wide]',
  help: `
Reads the state database; fetches nothing. One row per channel: its names
(group / source / channel) and the folder its feeds are published in under
site.url (FEED: the slugs, e.g. /tech/hacker-news/front-page/), with its
health. NEXT RUN is when the channel is next due: its schedule's next firing
after its last fetch, or the end of its backoff when it is failing ("due":
now). Times are ISO 8601, UTC.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
      --wide         every column on one line per channel, however wide (the
                     table otherwise fits the terminal, or $COLUMNS: the error
                     goes under its row, then FEED, NEXT RUN… are left out)
      --json         machine-readable output: an array of objects with key, group,
                     source, channel, name, feedPath, feedUrl, url, enabled,
                     disabled, status, lastSuccessAt, lastFetchAt, lastError,
                     lastWarning, consecutiveFailures, items, nextRunAt (times
                     as ISO 8601 UTC strings, or null)

Status is one of: never fetched, new, updated, unchanged, not-modified, error,
gone (410: disabled until its URL changes in the config), off (enabled: false).`,
  options: { ...configOption, json: { type: 'boolean' }, wide: { type: 'boolean' } },
  load: async () => (await import('../actions/status.ts')).run,
};
