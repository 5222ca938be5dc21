import { readFileSync } from 'node:fs';
import {
  addChannels,
  decodeOpml,
  DEFAULT_IMPORT_GROUP,
  EditError,
  exportOpml,
  OpmlError,
  parseOpml,
  planImport,
  type ChannelEntry,
} from '../../config/index.ts';
import { configOption, EXIT, type Command, type CommandContext } from '../command.ts';
import { commitConfig, readConfigText, reportEditError } from '../config-file.ts';
import { configFileOf, loadConfigFor } from '../load-config.ts';

const USAGE = `Usage:
  refeed opml import FILE [--group G] [--dry-run]
  refeed opml export > subscriptions.opml`;

const where = (e: ChannelEntry) => `${e.group} / ${e.source} / ${e.channel}`;

async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') return readFileSync(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function importOpml(ctx: CommandContext): Promise<number> {
  const [, input, ...extra] = ctx.positionals;
  if (!input || extra.length) {
    ctx.err(`refeed opml import: ${input ? `unexpected ${extra.join(' ')}` : 'missing FILE'}\n\n${USAGE}`);
    return EXIT.usage;
  }
  let plan;
  try {
    plan = planImport(parseOpml(decodeOpml(await readInput(input))), { group: ctx.values.group as string | undefined });
  } catch (e) {
    if (e instanceof OpmlError || (e as NodeJS.ErrnoException).code) {
      ctx.err(`refeed opml import: ${input}: ${(e as Error).message}`);
      return EXIT.failed;
    }
    throw e;
  }
  for (const note of plan.notes) ctx.err(`note: ${note}`);
  for (const s of plan.skipped) ctx.err(`skipped ${s.name}${s.url ? ` (${s.url})` : ''}: ${s.reason}`);
  if (!plan.entries.length) {
    ctx.err(`refeed opml import: no feeds (outlines with xmlUrl) in ${input}`);
    return EXIT.failed;
  }

  const file = configFileOf(ctx);
  const text = readConfigText(ctx, file);
  if (text === undefined) return EXIT.badConfig;
  let result;
  try {
    result = addChannels(text, file, plan.entries);
  } catch (e) {
    if (e instanceof EditError) return reportEditError(ctx, 'refeed opml import', file, e);
    throw e;
  }
  const dry = ctx.values['dry-run'] === true;
  for (const s of result.skipped) ctx.err(`skipped ${where(s.entry)}${s.reason.includes(s.entry.url) ? '' : ` (${s.entry.url})`}: ${s.reason}`);
  for (const e of result.added) ctx.err(`${dry ? 'would add' : 'added'} ${where(e)} (${e.url})`);
  for (const w of result.warnings) ctx.err(`warning: ${w}`);
  if (result.added.length && !dry) commitConfig(file, text, result.text);
  const skipped = plan.skipped.length + result.skipped.length;
  ctx.err(
    `${dry ? 'dry run: would add' : 'imported'} ${result.added.length} of ${plan.entries.length + plan.skipped.length} feeds, ` +
      `${skipped} skipped; ${dry || !result.added.length ? `${file} not changed` : `wrote ${file}`}`,
  );
  return EXIT.ok;
}

function exportCmd(ctx: CommandContext): number {
  if (ctx.positionals.length > 1) {
    ctx.err(`refeed opml export: unexpected ${ctx.positionals.slice(1).join(' ')} (the OPML goes to stdout)\n\n${USAGE}`);
    return EXIT.usage;
  }
  const config = loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  ctx.out(exportOpml(config));
  return EXIT.ok;
}

export const opmlCommand: Command = {
  name: 'opml',
  summary: 'import subscriptions from another reader\'s OPML, or export the configured sources as OPML',
  usage: 'refeed opml import FILE [--group G] [--dry-run] | refeed opml export',
  help: `
${USAGE}

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
failures), 1 FILE unreadable or not OPML or without feeds, 2 the
configuration is invalid, 64 bad arguments.`,
  options: { ...configOption, group: { type: 'string', short: 'g' }, 'dry-run': { type: 'boolean' } },
  async run(ctx) {
    const sub = ctx.positionals[0];
    if (sub === 'import') return importOpml(ctx);
    if (sub === 'export') return exportCmd(ctx);
    ctx.err(`refeed opml: ${sub ? `unknown subcommand "${sub}"` : 'import or export?'}\n\n${USAGE}`);
    return EXIT.usage;
  },
};
