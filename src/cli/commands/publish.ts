import { configOption, type Command } from '../command.ts';

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
  load: async () => (await import('../actions/publish.ts')).run,
};
