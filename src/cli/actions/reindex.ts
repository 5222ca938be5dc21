import { reindexFromFiles } from '../../ingest/index.ts';
import { Publisher } from '../../publish/index.ts';
import { setAsideCorruptState } from '../../store/index.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { loadConfigFor } from '../load-config.ts';
import { progressLine } from '../progress.ts';
import { reconcileAndPublish } from '../publish-step.ts';
import { withRunLock } from '../store-access.ts';
import { formatPublishSummary } from './publish.ts';

export async function run(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  const aside = setAsideCorruptState(config.site.state);
  if (aside) {
    ctx.logger.warn({ state: config.site.state, aside }, 'the state database was damaged; moved aside, rebuilding it from the article files');
    ctx.err(`refeed reindex: ${config.site.state} was damaged; moved to ${aside}`);
  }
  return withRunLock(ctx, config, 'reindex', async (store) => {
    const progress = progressLine();
    const report = await reindexFromFiles(config, store, ctx.logger, (n) => progress.update(n, n, 'article files'));
    progress.done();
    ctx.err(
      `refeed reindex: ${report.files} article files, ${report.restored} put back, ${report.known} already known` +
        (report.skipped.length ? `, ${report.skipped.length} skipped (${report.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')})` : ''),
    );
    const published = await reconcileAndPublish(config, new Publisher(config), store, { logger: ctx.logger, full: true });
    ctx.err(formatPublishSummary(published));
    return published.errors.length ? EXIT.failed : EXIT.ok;
  });
}
