import { configOption, type Command } from '../command.ts';

export const SOURCES_USAGE = `Usage:
  refeed sources [list] [--json | --wide] [--group G]
  refeed sources add --group G --source S --channel C URL [--schedule CRON] [--slug SLUG]
  refeed sources remove URL
  refeed sources remove --group G [--source S [--channel C]] [--keep-empty]`;

export const sourcesCommand: Command = {
  name: 'sources',
  summary: 'list configured channels with their health; add or remove them without editing YAML',
  usage: 'refeed sources [list|add|remove] [options]',
  help: `
${SOURCES_USAGE}

list (the default)
  One row per channel: group, source and channel names, FEED (the folder its
  feeds are published in under site.url, from the slugs), URL, schedule and health from
  the state database — last outcome, consecutive failures, time of the last
  success, disabled after repeated failures. Channels not fetched yet (or no
  state database at all) show "never fetched"; nothing is created or changed.
      --json          print the rows as a JSON array (data on stdout)
      --wide          every column on one line per channel, however wide (the
                      table otherwise fits the terminal, or $COLUMNS: URL and
                      health go under their row, FEED and SCHEDULE are left out)
      --group G       only channels of group G

add
  Adds channel C (feed URL) to source S in group G, creating the group and
  the source when they do not exist. G, S and C are matched by name or slug,
  so "--group tech" finds "Tech". The file is edited in place: only the new
  lines are written, comments, order and formatting elsewhere stay byte for
  byte, and the file is replaced atomically.
  Refused, file untouched (exit 1): a URL already configured anywhere, a
  channel name already used in that source, a URL that is not absolute
  http(s), a bad cron expression or slug.
      --schedule CRON     this channel's schedule (default: inherited)
      --slug SLUG         this channel's folder slug (default: from the name)
      --group-slug SLUG   slug of the group, when this creates it
      --source-slug SLUG  slug of the source, when this creates it

remove
  Removes the channel with that URL, or the channel / whole source / whole
  group named by --group, --source and --channel. Comment lines directly
  above a removed entry go with it.
  Removing the last channel of a source removes the source too: a source
  without channels fetches nothing (in Miniflux or FreshRSS terms the source
  is the feed, its channels what the feed serves). A group is never removed
  implicitly — like a reader's category it stays, empty (sources: []), until
  you remove it with --group alone.
      --keep-empty        keep a source whose last channel is removed

Common options:
  -c, --config FILE  configuration file (default: config/refeed.yaml, or $REFEED_CONFIG)
      --dry-run      say what would change, write nothing

Messages go to stderr. Exit codes: 0 done, 1 refused or not found (nothing
written), 2 the configuration is invalid, 64 bad arguments.`,
  options: {
    ...configOption,
    json: { type: 'boolean' },
    wide: { type: 'boolean' },
    group: { type: 'string', short: 'g' },
    source: { type: 'string', short: 's' },
    channel: { type: 'string' },
    schedule: { type: 'string' },
    slug: { type: 'string' },
    'group-slug': { type: 'string' },
    'source-slug': { type: 'string' },
    'keep-empty': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  load: async () => (await import('../actions/sources.ts')).run,
};
