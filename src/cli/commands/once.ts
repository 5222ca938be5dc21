import { configOption, type Command } from '../command.ts';

export const onceCommand: Command = {
  name: 'once',
  summary: 'fetch the channels whose schedule is due, publish, exit (for crontab)',
  usage: 'refeed once [--config FILE] [--all] [--strict]',
  help: `
One pass for operators who drive refeed from the system cron: fetches every
enabled channel that is due, then publishes the feeds that changed, and exits.

A channel is due when it was never fetched, or when its own \`schedule\` has
fired since its last attempt (a channel on "0 6 * * *" is fetched by the first
run after 06:00, once a day, however often cron starts refeed); a failing
channel also waits out its backoff, and one disabled by a 410 is skipped.
Channels not due are left for a later run, and a line on stderr says how many
and which one comes next. So run this at least as often as your most frequent
schedule: every schedule then behaves as it does under \`refeed run\`.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
      --all          fetch every enabled channel now, due or not (backoff too)
      --strict       exit 1 if any channel failed

crontab example (every 15 minutes; see deploy/refeed.crontab):
  */15 * * * * cd /srv/refeed && node bin/refeed.js once >> /var/log/refeed.log 2>&1`,
  options: { ...configOption, all: { type: 'boolean' }, strict: { type: 'boolean' } },
  load: async () => (await import('../actions/once.ts')).run,
};
