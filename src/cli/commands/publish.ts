import { publish, type PublishReport } from '../../publish/index.ts';
import { openState } from '../../store/state-db.ts';
import { configOption, EXIT, type Command } from '../command.ts';
import { loadConfigFor } from '../load-config.ts';
import { sweepLeftovers } from '../sweep.ts';

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

export const publishCommand: Command = {
  name: 'publish',
  summary: 'write the merged and per-category RSS/Atom/JSON feeds, index.opml and index.html',
  usage: 'refeed publish [--config FILE] [--full]',
  help: `
Writes, under the configured output folder, rss.xml, atom.xml and feed.json
for all channels merged, and the same three files for every group, source and
channel at <group>/, <group>/<source>/ and <group>/<source>/<channel>/, plus
index.opml (every feed, for one-step subscription) and index.html.

Only feeds whose articles or configuration changed since the last publish are
rebuilt, and a file whose bytes did not change is not rewritten. An article
file that is missing or broken is reported and left out.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
      --full         rebuild every feed (e.g. after fixing an article file by hand)

Prints a one-line summary on stderr. Exit codes: 0 published (skipped articles
are reported), 1 a file could not be written, 2 bad config.`,
  options: { ...configOption, full: { type: 'boolean' } },
  async run(ctx) {
    const config = loadConfigFor(ctx);
    if (!config) return EXIT.badConfig;
    sweepLeftovers(config, ctx.logger);
    const state = openState(config.site.state);
    try {
      const report = await publish(config, state, { logger: ctx.logger, full: ctx.values.full === true });
      ctx.err(formatPublishSummary(report));
      return report.errors.length ? EXIT.failed : EXIT.ok;
    } finally {
      state.close();
    }
  },
};
