import { Publisher, type PublishReport } from '../../publish/index.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { loadConfigFor } from '../load-config.ts';
import { reconcileAndPublish } from '../publish-step.ts';
import { withRunLock } from '../store-access.ts';
import { ONE_SHOT_PING_WAIT_MS, pingHubs } from '../websub-ping.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line: what was rebuilt and written, what was skipped or failed. */
export function formatPublishSummary(r: PublishReport): string {
  const parts = [
    `${plural(r.rebuilt.length, 'feed')} rebuilt of ${r.feeds}`,
    `${plural(r.written.length, 'file')} written`,
    `${r.unchanged.length} unchanged`,
  ];
  if (r.skipped.length) parts.push(`${plural(r.skipped.length, 'article')} skipped (${r.skipped.map((s) => s.path).join(', ')})`);
  if (r.errors.length) parts.push(`${plural(r.errors.length, 'file')} NOT written (${r.errors.map((e) => `${e.path}: ${e.reason}`).join('; ')})`);
  return `refeed publish: ${parts.join(', ')}`;
}

export async function run(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  let pinger: ReturnType<typeof pingHubs>;
  const code = await withRunLock(ctx, config, 'publish', async (store) => {
    // withRunLock matched the store to the configuration.
    const report = await reconcileAndPublish(config, new Publisher(config), store, { logger: ctx.logger, full: ctx.values.full === true });
    ctx.err(formatPublishSummary(report));
    pinger = pingHubs(ctx, config, report);
    return report.errors.length ? EXIT.failed : EXIT.ok;
  });
  // WebSub pings finish after the lock is released: they never hold up another run.
  await pinger?.drain(ONE_SHOT_PING_WAIT_MS);
  pinger?.stop();
  return code;
}
