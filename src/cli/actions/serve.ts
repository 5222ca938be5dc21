import { isPublishedPath } from '../../publish/plan.ts';
import { mkdirSync } from 'node:fs';
import { createFeedServer, listen } from '../../serve/index.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { cacheMaxAgeSec, healthReport, stopRequested } from '../daemon-parts.ts';
import { loadConfigFor } from '../load-config.ts';
import { createMetrics } from '../metrics.ts';
import { closeServer, parseListen } from '../listen.ts';
import { readChannelStates } from '../store-access.ts';

export async function run(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  const where = parseListen(ctx, config);
  if (!where) return EXIT.usage;
  mkdirSync(config.site.output, { recursive: true });
  // Health from the state another process (a cron-driven `once`) keeps: read afresh per request, never written.
  const health = async () => healthReport(config, await readChannelStates(ctx, config));
  const metrics = await createMetrics({ config: () => config, states: async () => [...(await readChannelStates(ctx, config)).values()] });
  // Only what the publisher writes: never a config, a database or anything else that ended up in the folder.
  const server = createFeedServer({
    root: config.site.output,
    cacheMaxAgeSec: cacheMaxAgeSec(config),
    health,
    logger: ctx.logger,
    servable: isPublishedPath,
    metrics: metrics.scrape,
    feedLinks: () => ({ hubs: config.site.websubHubs, siteUrl: config.site.url }),
  });
  const bound = await listen(server, where.host, where.port);
  ctx.logger.info({ url: `http://${bound.host}:${bound.port}/` }, 'serving feeds');
  await stopRequested(ctx.signal);
  await closeServer(server);
  return EXIT.ok;
}
