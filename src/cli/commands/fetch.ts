import { openState } from '../../store/state-db.ts';
import { configOption, EXIT, type Command } from '../command.ts';
import { anyFailed, fetchPass } from '../fetch-pass.ts';
import { loadConfigFor } from '../load-config.ts';

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
  async run(ctx) {
    const config = loadConfigFor(ctx);
    if (!config) return EXIT.badConfig;
    const state = openState(config.site.state);
    try {
      const reports = await fetchPass(ctx, config, state, { only: ctx.values.only as string | undefined });
      if (ctx.values.only && reports.length === 0) {
        ctx.err(`refeed fetch: no enabled channel matches "${ctx.values.only}"`);
        return EXIT.failed;
      }
      return ctx.values.strict && anyFailed(reports) ? EXIT.failed : EXIT.ok;
    } finally {
      state.close();
    }
  },
};
