import { publish } from '../../publish/index.ts';
import { openState } from '../../store/state-db.ts';
import { configOption, EXIT, type Command } from '../command.ts';
import { anyFailed, fetchPass } from '../fetch-pass.ts';
import { loadConfigFor } from '../load-config.ts';
import { sweepLeftovers } from '../sweep.ts';

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
  async run(ctx) {
    const config = loadConfigFor(ctx);
    if (!config) return EXIT.badConfig;
    sweepLeftovers(config, ctx.logger);
    const state = openState(config.site.state);
    try {
      const reports = await fetchPass(ctx, config, state, { dueOnly: !ctx.values.all });
      await publish(config, state, { logger: ctx.logger });
      return ctx.values.strict && anyFailed(reports) ? EXIT.failed : EXIT.ok;
    } finally {
      state.close();
    }
  },
};
