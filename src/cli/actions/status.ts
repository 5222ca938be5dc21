import { channelStatusRows } from '../channel-status.ts';
import { fitTable, tableWidth } from '../text-table.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { loadConfigFor } from '../load-config.ts';
import { lostStateNotice, readChannelStates } from '../store-access.ts';
import { readHubStatus } from '../../core/websub-status.ts';
import { iso } from '../../util/time.ts';
import { redactUrl, redactUrlsIn } from '../../util/redact.ts';
import type { RefeedConfig } from '../../core/types.ts';

/** A line on stderr per configured WebSub hub whose last publish ping failed (not data: --json stays as it is). */
function hubWarnings(config: RefeedConfig): string[] {
  const known = readHubStatus(config.site.output);
  return config.site.websubHubs.flatMap((hub) => {
    const h = known.get(hub);
    if (!h?.consecutiveFailures) return [];
    const since = h.lastSuccessAt ? `last ping taken ${short(iso(h.lastSuccessAt))}` : 'it never took one';
    return [`refeed status: WebSub hub ${redactUrl(hub)} is failing: ${h.consecutiveFailures} publish ping${h.consecutiveFailures === 1 ? '' : 's'} refused or unanswered (${since}): ${redactUrlsIn(h.lastError ?? 'unknown error')}`];
  });
}

const short = (iso: string | null, none = '-') => (iso ? iso.replace(/\.\d+Z$/, 'Z') : none);

export async function run(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  const rows = channelStatusRows(config, await readChannelStates(ctx, config));
  for (const line of hubWarnings(config)) ctx.err(line);
  // On stderr, so that --json stays parseable.
  const lost = await lostStateNotice(ctx, config);
  if (lost) ctx.err(`refeed status: ${lost}`);
  if (ctx.values.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return EXIT.ok;
  }
  // COLUMNS: 0 CHANNEL, 1 STATUS, 2 LAST SUCCESS, 3 FAILS, 4 ITEMS, 5 NEXT RUN, 6 FEED, 7 LAST ERROR / WARNING.
  // On a narrow terminal the error goes under its row, then FEED, NEXT RUN… go (--wide shows all).
  ctx.out(
    fitTable(
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
      { width: tableWidth(ctx.values.wide), below: [7], drop: [6, 5, 4, 3, 2], shrink: [0] },
    ),
  );
  return EXIT.ok;
}
