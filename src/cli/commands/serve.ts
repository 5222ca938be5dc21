import { configOption, type Command } from '../command.ts';
import { listenOptions } from '../listen.ts';

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
  load: async () => (await import('../actions/serve.ts')).run,
};
