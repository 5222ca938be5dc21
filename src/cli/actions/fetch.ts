import { EXIT, type CommandContext } from '../command.ts';
import { anyFailed, fetchPass } from '../fetch-pass.ts';
import { loadConfigFor } from '../load-config.ts';
import { withRunLock } from '../store-access.ts';

export async function run(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  return withRunLock(ctx, config, 'fetch', async (store) => {
    const reports = await fetchPass(ctx, config, store, { only: ctx.values.only as string | undefined });
    if (ctx.values.only && reports.length === 0) {
      ctx.err(`refeed fetch: no enabled channel matches "${ctx.values.only}"`);
      return EXIT.failed;
    }
    return ctx.values.strict && anyFailed(reports) ? EXIT.failed : EXIT.ok;
  });
}
