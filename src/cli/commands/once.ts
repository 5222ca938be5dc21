import { configOption, type Command } from '../command.ts';

export const onceCommand: Command = {
  name: 'once',
  summary: 'fetch the channels that are due, publish, exit (for crontab)',
  usage: 'refeed once [--config FILE] [--all] [--strict]',
  help: `
One pass for operators who drive refeed from the system cron: fetches every
enabled channel that is due (never fetched, or past its backoff after
failures), then publishes the feeds that changed, and exits.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
      --all          fetch every enabled channel, even those backing off
      --strict       exit 1 if any channel failed

crontab example (every 15 minutes):
  */15 * * * * cd /srv/refeed && node bin/refeed.js once >> /var/log/refeed.log 2>&1`,
  options: { ...configOption, all: { type: 'boolean' }, strict: { type: 'boolean' } },
  load: async () => (await import('../actions/once.ts')).run,
};
