import { existsSync } from 'node:fs';
import { openState } from '../../store/state-db.ts';
import { channelStatusRows } from '../channel-status.ts';
import { formatTable } from '../text-table.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { loadConfigFor } from '../load-config.ts';

const short = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

export async function run(ctx: CommandContext): Promise<number> {
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
}
