import { existsSync } from 'node:fs';
import { openState } from '../../store/state-db.ts';
import { channelStatusRows } from '../channel-status.ts';
import { formatTable } from '../text-table.ts';
import { configOption, EXIT, type Command } from '../command.ts';
import { loadConfigFor } from '../load-config.ts';

const short = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

export const statusCommand: Command = {
  name: 'status',
  summary: 'show every channel: last success, last error, failures, items stored, next run',
  usage: 'refeed status [--config FILE] [--json]',
  help: `
Reads the state database; fetches nothing.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
      --json         machine-readable output: an array of objects with key, group,
                     source, channel, url, enabled, disabled, status, lastSuccessAt,
                     lastFetchAt, lastError, lastWarning, consecutiveFailures, items,
                     nextRunAt

Status is one of: never fetched, new, updated, unchanged, not-modified, error,
gone (410: disabled until its URL changes in the config), off (enabled: false).`,
  options: { ...configOption, json: { type: 'boolean' } },
  async run(ctx) {
    const config = loadConfigFor(ctx);
    if (!config) return EXIT.badConfig;
    const state = existsSync(config.site.state) ? openState(config.site.state) : undefined;
    try {
      const rows = channelStatusRows(config, state);
      if (ctx.values.json) {
        ctx.out(JSON.stringify(rows, null, 2));
        return EXIT.ok;
      }
      ctx.out(
        formatTable(
          ['CHANNEL', 'STATUS', 'LAST SUCCESS', 'FAILS', 'ITEMS', 'NEXT RUN', 'LAST ERROR / WARNING'],
          rows.map((r) => [r.key, r.status, short(r.lastSuccessAt), String(r.consecutiveFailures), String(r.items), short(r.nextRunAt), r.lastError ?? r.lastWarning ?? '']),
        ),
      );
      return EXIT.ok;
    } finally {
      state?.close();
    }
  },
};
