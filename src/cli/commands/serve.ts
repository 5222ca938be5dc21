import { mkdirSync } from 'node:fs';
import { createFeedServer, listen } from '../../serve/index.ts';
import { openState } from '../../store/state-db.ts';
import { configOption, EXIT, type Command } from '../command.ts';
import { cacheMaxAgeSec, healthReport } from '../daemon-parts.ts';
import { loadConfigFor } from '../load-config.ts';
import { closeServer, listenOptions, parseListen } from '../listen.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the output folder over HTTP (no fetching)',
  usage: 'refeed serve [--config FILE] [--host HOST] [--port N]',
  help: `
Serves the published feeds, OPML, index page and articles from site.output with
correct content types, ETag/Last-Modified (304 on conditional requests),
gzip/brotli, and /healthz. Never lists directories or serves files outside the
output folder. Stops cleanly on SIGINT/SIGTERM.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
${listenOptions}`,
  options: { ...configOption, host: { type: 'string' }, port: { type: 'string' } },
  async run(ctx) {
    const config = loadConfigFor(ctx);
    if (!config) return EXIT.badConfig;
    const where = parseListen(ctx, config);
    if (!where) return EXIT.usage;
    mkdirSync(config.site.output, { recursive: true });
    const state = openState(config.site.state);
    const server = createFeedServer({ root: config.site.output, cacheMaxAgeSec: cacheMaxAgeSec(config), health: () => healthReport(config, state), logger: ctx.logger });
    const bound = await listen(server, where.host, where.port);
    ctx.logger.info({ url: `http://${bound.host}:${bound.port}/` }, 'serving feeds');
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    await closeServer(server);
    state.close();
    return EXIT.ok;
  },
};
