import { configOption, type Command } from '../command.ts';

/** Where sites usually keep a feed they do not advertise, most common first. */
export const COMMON_FEED_PATHS = [
  '/feed',
  '/rss',
  '/rss.xml',
  '/atom.xml',
  '/feed.xml',
  '/index.xml',
  '/feed.json',
  '/feed/atom',
  '/atom',
  '/index.rss',
  '/rss/index.xml',
  '/?feed=rss2',
];

export const discoverCommand: Command = {
  name: 'discover',
  summary: "find the RSS/Atom/JSON feeds of a site's page",
  usage: 'refeed discover URL [--json] [--probe] [--allow-private]',
  help: `
Looks for the feeds behind a web page, for 'refeed sources add':
  1. if URL itself is a feed, that is the answer;
  2. otherwise the page's <link rel="alternate"> tags of RSS, Atom and JSON
     Feed types (application/rss+xml, application/atom+xml,
     application/feed+json…), each fetched to confirm it is a feed and learn
     its format and title;
  3. if the page advertises none that work (or with --probe), common paths
     on the same site: ${COMMON_FEED_PATHS.join(' ')}
     — a path counts only if what it returns parses as a feed, whatever its
     Content-Type says.
URL may omit the scheme (https:// is assumed). Requests use the User-Agent,
timeout, size limit and headers of the configuration's defaults.

Prints url, type, title and how each feed was found (a table, or JSON).

Options:
      --json         print [{url, type, title, via, format, items, error}] as JSON
      --probe        also try the common paths when the page does advertise feeds
      --allow-private  fetch from loopback and private addresses too (as
                     allow_private: true does for a configured channel)
  -c, --config FILE  configuration whose defaults (User-Agent, headers…) to use

Exit codes: 0 at least one working feed found, 1 none found or the page could
not be fetched, 2 the configuration is invalid, 64 bad arguments.`,
  options: { ...configOption, json: { type: 'boolean' }, probe: { type: 'boolean' }, 'allow-private': { type: 'boolean' } },
  load: async () => (await import('../actions/discover.ts')).run,
};
