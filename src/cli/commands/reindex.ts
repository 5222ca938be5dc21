import { configOption, type Command } from '../command.ts';

export const reindexCommand: Command = {
  name: 'reindex',
  summary: 'rebuild the state from the article files (after state.db was lost or damaged), then republish',
  usage: 'refeed reindex [--config FILE]',
  help: `
Reads every article file under <output>/articles/ and puts it back into the
state: each article under the configured channel whose folder (group and
source) and categories (channel name) it carries, with its date, its content
and its place in the feeds. Then publishes every feed again (as publish --full),
so the feeds are what they were before the state was lost: items the sources
no longer list included, and undated items keeping the date they were given.

A damaged SQLite state file is moved aside first (state.db.corrupt-<time>, with
its WAL), never deleted; commands that meet one say to run this. What the
state still has is left as it is, so running it twice, or on a healthy state,
only adds what is missing. Fetch state (validators, failures, schedules) starts over
for a state rebuilt from nothing: the next fetch gets every feed in full.

Identities: an article comes back with the id and item key its file's front
matter carries (article_id, item_key), so the next fetch finds nothing new,
items with neither guid nor link included. A file written before refeed kept
them comes back under its guid, else its link.

once, fetch, publish and run do this by themselves when they find a state with
no articles beside article files (state.db lost, emptied or replaced), and say
so.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)

Takes the run lock like fetch and publish. Exit codes: 0 done (unusable files
are reported), 1 a feed could not be written, 2 bad configuration.`,
  options: { ...configOption },
  load: async () => (await import('../actions/reindex.ts')).run,
};
