import { channelStatusRows } from '../channel-status.ts';
import { formatTable } from '../text-table.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { loadConfigFor } from '../load-config.ts';
import { readChannelStates } from '../store-access.ts';

const short = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

export async function run(ctx: CommandContext): Promise<number> {
  const config = loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  const rows = channelStatusRows(config, await readChannelStates(ctx, config));
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
}
