import { publish } from '../../publish/index.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { anyFailed, fetchPass } from '../fetch-pass.ts';
import { loadConfigFor } from '../load-config.ts';
import { withRunLock } from '../store-access.ts';

export async function run(ctx: CommandContext): Promise<number> {
  const config = loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  return withRunLock(ctx, config, 'once', async (store) => {
    const reports = await fetchPass(ctx, config, store, { dueOnly: !ctx.values.all });
    // openLocked matched the store to this configuration.
    await publish(config, store, { logger: ctx.logger, channelsSynced: true });
    return ctx.values.strict && anyFailed(reports) ? EXIT.failed : EXIT.ok;
  });
}
