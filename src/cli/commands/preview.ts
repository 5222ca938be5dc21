import { configOption, type Command } from '../command.ts';

export const previewCommand: Command = {
  name: 'preview',
  summary: 'fetch one feed and show the article refeed would write from it, storing nothing',
  usage: 'refeed preview URL [--group G --source S --channel C] [--full-text [--selector CSS]] [--json] [--allow-private]',
  help: `
Fetches one feed exactly as a scheduled fetch would and runs it through the
same filters and normalization, then prints:
  - the format (RSS, RDF, Atom, JSON Feed), the charset detected, the size;
  - how many items the feed has and how many this channel's rules
    (keep/block, include/exclude), max_age and limit keep; each item the
    rules drop, with the rule that dropped it (--json: "blocked");
  - warnings summed over the kept items: no date, no image (the fallback image
    is used), no title or link, future or unreadable dates, HTML the sanitizer
    removed (scripts, styles, iframes from hosts not allowed…);
  - the first article exactly as it would be written: front matter + body.
With --full-text, each kept item's page is fetched and its article extracted
as full_text does (the channel's full_text selector if it has one, else
readability; --selector tries another), one line per page (its size, or why
it failed), and the first article is shown with its page's article as body:
try it before setting full_text. Pages are fetched under the channel's fetch
settings, two at a time per host; nothing is cached or stored.
The article goes to stdout, everything else to stderr. Nothing is stored: no
state database is opened or created and no file is written.

With --group/--source/--channel naming a configured channel, its settings and
names are used; naming a group or source that exists (but a new channel)
previews under that group/source's settings — what 'refeed sources add' with
the same names would give. Without names, a configured channel with the same
URL is used, else placeholder names from the feed's title.

Options:
  -g, --group G      group name (or slug)
  -s, --source S     source name (or slug)
      --channel C    channel name (or slug)
      --full-text    fetch each kept item's page and show the article full
                     text would extract (whether or not full_text is set)
      --selector CSS with --full-text: extract the elements CSS selects
                     instead of readability's reading
      --json         print everything (article text included) as one JSON object
      --allow-private  fetch from loopback and private addresses too (as
                     allow_private: true does for a configured channel)
  -c, --config FILE  configuration for settings and site options (default:
                     config/refeed.yaml if present, else built-in defaults)

Exit codes: 0 the feed was read (even with no items), 1 fetch or parse
failed (a page that advertises feeds lists them), 2 the configuration is
invalid, 64 bad arguments.`,
  options: {
    ...configOption,
    group: { type: 'string', short: 'g' },
    source: { type: 'string', short: 's' },
    channel: { type: 'string' },
    json: { type: 'boolean' },
    'full-text': { type: 'boolean' },
    selector: { type: 'string' },
    'allow-private': { type: 'boolean' },
  },
  load: async () => (await import('../actions/preview.ts')).run,
};
