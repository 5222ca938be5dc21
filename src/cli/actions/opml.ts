import { readFileSync } from 'node:fs';
import {
  addChannels,
  decodeOpml,
  EditError,
  exportOpml,
  OpmlError,
  parseOpml,
  planImport,
  type ChannelEntry,
} from '../../config/index.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { OPML_USAGE } from '../commands/opml.ts';
import { commitConfig, readConfigText, reportEditError } from '../config-file.ts';
import { configFileOf, loadConfigFor } from '../load-config.ts';


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
    ctx.err(`refeed opml import: ${input ? `unexpected ${extra.join(' ')}` : 'missing FILE'}\n\n${OPML_USAGE}`);
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

async function exportCmd(ctx: CommandContext): Promise<number> {
  if (ctx.positionals.length > 1) {
    ctx.err(`refeed opml export: unexpected ${ctx.positionals.slice(1).join(' ')} (the OPML goes to stdout)\n\n${OPML_USAGE}`);
    return EXIT.usage;
  }
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  ctx.out(exportOpml(config));
  return EXIT.ok;
}

export async function run(ctx: CommandContext): Promise<number> {
  const sub = ctx.positionals[0];
  if (sub === 'import') return importOpml(ctx);
  if (sub === 'export') return exportCmd(ctx);
  ctx.err(`refeed opml: ${sub ? `unknown subcommand "${sub}"` : 'import or export?'}\n\n${OPML_USAGE}`);
  return EXIT.usage;
}
