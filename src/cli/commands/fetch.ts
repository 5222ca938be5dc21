import { configOption, type Command } from '../command.ts';

export const fetchCommand: Command = {
  name: 'fetch',
  summary: 'fetch every enabled channel once and store new or changed articles',
  usage: 'refeed fetch [--config FILE] [--only NAME] [--strict]',
  help: `
Fetches all enabled channels concurrently (bounded globally by site.concurrency
and per host by site.per_host_concurrency), normalizes each item into an article
file under <output>/articles/, and records every channel's outcome in the state
database. Failing channels are reported and never stop the others.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
      --only NAME    only channels whose key (group/source/channel slugs), or
                     group, source or channel name or slug is NAME
      --strict       exit 1 if any channel failed

Prints one line per channel on stdout. Exit codes: 0 run completed (failed
channels are reported), 1 with --strict when a channel failed, 2 bad config.`,
  options: { ...configOption, only: { type: 'string' }, strict: { type: 'boolean' } },
  load: async () => (await import('../actions/fetch.ts')).run,
};
