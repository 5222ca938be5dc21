import { configOption, type Command } from '../command.ts';
import { DEFAULT_IMPORT_GROUP } from '../../config/names.ts';

export const OPML_USAGE = `Usage:
  refeed opml import FILE [--group G] [--dry-run]
  refeed opml export > subscriptions.opml`;

export const opmlCommand: Command = {
  name: 'opml',
  summary: 'import subscriptions from another reader\'s OPML, or export the configured sources as OPML',
  usage: 'refeed opml import FILE [--group G] [--dry-run] | refeed opml export',
  help: `
${OPML_USAGE}

import FILE
  Reads an OPML 1.0 or 2.0 subscription list (Feedly, Inoreader, NetNewsWire,
  Miniflux, FreshRSS, Feeder… exports; FILE "-" reads stdin) and adds every
  feed to the configuration, editing it in place like 'refeed sources add'.
  Folders and feeds map onto refeed's three levels:
    feed outside any folder   → group G (default "${DEFAULT_IMPORT_GROUP}"), source and channel named by the feed
    folder › feed             → group = folder, source and channel named by the feed
    folder › sub › feed       → group = folder, source = sub, channel = the feed
    deeper                    → group = outermost folder, source = innermost;
                                folders in between are flattened (and said so)
  A feed's name is its "text", else its "title", else its host; type="rss",
  "atom" or none all count, an outline is a feed when it has xmlUrl. Feeds
  already configured (same URL anywhere), listed twice, or with a non-http(s)
  URL are skipped and reported; existing groups and sources are reused by name.
  The configuration is written once, at the end; Ctrl-C or SIGTERM before then
  leaves it untouched. On a terminal a progress line shows on stderr. An OPML
  nested deeper than 64 levels is refused.
      --group G      group for feeds outside any folder
      --dry-run      report what would be added, write nothing

export
  Prints the configured sources as OPML 2.0 on stdout: a folder per group,
  inside it a folder per source, one outline per channel (type="rss", text,
  title, xmlUrl). Slugs that differ from what the name gives are kept in a
  refeed:slug attribute, so export → import reproduces the same tree.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml, or $REFEED_CONFIG)

Messages go to stderr. Exit codes: 0 done (skipped feeds are reported, not
failures), 1 FILE unreadable or not OPML or without feeds, or interrupted, 2 the
configuration is invalid, 64 bad arguments.`,
  options: { ...configOption, group: { type: 'string', short: 'g' }, 'dry-run': { type: 'boolean' } },
  load: async () => (await import('../actions/opml.ts')).run,
};
