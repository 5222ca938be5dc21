import { configOption, type Command } from '../command.ts';

export const SOURCES_USAGE = `Usage:
  refeed sources [list] [--json | --wide] [--group G]
  refeed sources add --group G --source S --channel C URL [--schedule CRON] [--slug SLUG]
                     [--allow-private] [--no-check]
  refeed sources remove URL
  refeed sources remove --group G [--source S [--channel C]] [--keep-empty]
  refeed sources rename TARGET NEW-NAME [--slug SLUG | --move-feeds]
  refeed sources move CHANNEL --to-group G --to-source S [--create] [--keep-empty]
  refeed sources enable|disable TARGET
  refeed sources set TARGET KEY VALUE
  refeed sources unset TARGET KEY
  refeed sources rules add TARGET "<action> <field>" VALUE
  refeed sources rules remove TARGET NUMBER | "<action> <field>" [VALUE]
  refeed sources rules list TARGET [--json]

TARGET is --group G, --group G --source S, --group G --source S --channel C
(names or slugs), a channel's URL, or the word defaults (set, unset, enable,
disable, rules) or site (set, unset). CHANNEL is a channel's URL or
--group G --source S --channel C.`;

export const sourcesCommand: Command = {
  name: 'sources',
  summary: 'list channels with their health; add, remove, rename, move and set them without editing YAML',
  usage: 'refeed sources [list|add|remove|rename|move|enable|disable|set|unset|rules] [options]',
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
  Before writing, the URL is fetched as the channel will be (with the
  settings it inherits) and must answer with a feed: a 404, an HTML page (its
  advertised feeds are named; refeed discover URL lists them) or anything
  else is refused. A loopback or private address is refused unless
  --allow-private.
  Refused, file untouched (exit 1): a URL already configured anywhere, a
  channel name already used in that source, a URL that is not absolute
  http(s), a bad cron expression or slug, a URL that is not a feed.
      --schedule CRON     this channel's schedule (default: inherited)
      --slug SLUG         this channel's folder slug (default: from the name)
      --group-slug SLUG   slug of the group, when this creates it
      --source-slug SLUG  slug of the source, when this creates it
      --allow-private     the feed is on a loopback or private address: writes
                          allow_private: true on the channel
      --no-check          add it without fetching it first

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

rename
  Gives a group, source or channel a new name. Its identity stays: when the
  new name would give another slug (the folder its feeds are published in,
  the key its history is stored under) and it has no slug: of its own, its
  old slug is written as slug:, so feed URLs and stored articles stay put.
      --slug SLUG         give it this slug instead: its feeds move there
      --move-feeds        let the slug follow the new name (an explicit slug:
                          is removed): its feeds move
  When feeds move, the next run carries the stored history over and the old
  feed URLs answer 301 with the new ones.

move
  Moves a channel to source S of group G (names or slugs), its lines and
  comments carried over. The next run finds it by its URL and carries its
  stored articles over: nothing is fetched twice, nothing lost, and its old
  feed URLs answer 301. Settings it inherited may differ in its new place: a
  warning names them. A source left without channels goes (see remove).
      --create            create G and S when missing (else refused)
      --keep-empty        keep a source whose last channel moves away

enable, disable
  disable writes enabled: false at the target; enable removes it. Whatever
  is under a disabled level stays off (enable says which level keeps it off).

set, unset
  Sets KEY at the target to VALUE read as YAML reads a value: 5 is a number,
  true a boolean, '[Porto, Benfica]' a list, '{items: 100}' a mapping,
  anything else (a cron expression, a pattern) the text as typed. The value
  is checked by the same schema as the file: a bad one is refused with the
  schema's message, the file untouched. unset removes KEY there (it then
  inherits). Examples:
    refeed sources set --group Sport limit 5
    refeed sources set --group Sport include '[Porto, Benfica]'
    refeed sources set defaults schedule "*/15 * * * *"
    refeed sources set site title "My feeds"
    refeed sources unset https://example.org/feed.xml max_age

rules
  Edits the rules: list at the target, each rule "<action> <field>": VALUE
  (keep or block; title, link, author, tag, content, any, before, after). The
  value is written as typed (a pattern or a date).
    refeed sources rules add --group Sport "block title" "(?i)^sponsored:"
    refeed sources rules remove --group Sport 1
    refeed sources rules remove --group Sport "block title"
    refeed sources rules list --group Sport     (inherited rules first)

Common options:
  -c, --config FILE  configuration file (default: config/refeed.yaml, or $REFEED_CONFIG)
      --dry-run      print the unified diff of the file the edit would write
                     (stdout), write nothing

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
    'allow-private': { type: 'boolean' },
    'no-check': { type: 'boolean' },
    'move-feeds': { type: 'boolean' },
    'to-group': { type: 'string' },
    'to-source': { type: 'string' },
    create: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  load: async () => (await import('../actions/sources.ts')).run,
};
