import { publish } from '../../publish/index.ts';
import { openState } from '../../store/state-db.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { anyFailed, fetchPass } from '../fetch-pass.ts';
import { loadConfigFor } from '../load-config.ts';
import { sweepLeftovers } from '../sweep.ts';

export async function run(ctx: CommandContext): Promise<number> {
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
}
