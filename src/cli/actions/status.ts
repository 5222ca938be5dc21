import { channelStatusRows } from '../channel-status.ts';
import { formatTable } from '../text-table.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { loadConfigFor } from '../load-config.ts';
import { lostStateNotice, readChannelStates } from '../store-access.ts';

const short = (iso: string | null, none = '-') => (iso ? iso.replace(/\.\d+Z$/, 'Z') : none);

export async function run(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  const rows = channelStatusRows(config, await readChannelStates(ctx, config));
  // On stderr, so that --json stays parseable.
  const lost = await lostStateNotice(ctx, config);
  if (lost) ctx.err(`refeed status: ${lost}`);
  if (ctx.values.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return EXIT.ok;
  }
  ctx.out(
    formatTable(
      ['CHANNEL', 'STATUS', 'LAST SUCCESS', 'FAILS', 'ITEMS', 'NEXT RUN', 'FEED', 'LAST ERROR / WARNING'],
      rows.map((r) => [
        r.name,
        r.status,
        short(r.lastSuccessAt),
        String(r.consecutiveFailures),
        String(r.items),
        short(r.nextRunAt, r.enabled && !r.disabled ? 'due' : '-'),
        r.feedPath,
        r.lastError ?? r.lastWarning ?? '',
      ]),
    ),
  );
  return EXIT.ok;
}
