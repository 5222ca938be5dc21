import { readFileSync } from 'node:fs';
import {
  ChannelBatch,
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
import { progressLine } from '../progress.ts';

const where = (e: ChannelEntry) => `${e.group} / ${e.source} / ${e.channel}`;

/** Entries added between two looks at the signal and the progress line: a few milliseconds of work. */
const SLICE = 250;

/** Ctrl-C or SIGTERM arrived: stop, having written nothing. */
class Interrupted extends Error {}

/** Lets the event loop run (a signal is delivered only then); throws Interrupted once the command is asked to stop. */
async function checkpoint(signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new Interrupted();
}

async function readInput(ctx: CommandContext, file: string): Promise<Buffer> {
  if (file !== '-') return readFileSync(file);
  const signal = ctx.signal;
  ctx.logger.debug('reading the OPML from stdin');
  // stdin may never end (a pipe left open): a signal must still stop the command.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stdin = process.stdin;
    const stop = () => {
      stdin.off('data', onData).off('end', onEnd).off('error', onError);
      signal.removeEventListener('abort', onAbort);
      stdin.pause();
    };
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onEnd = () => (stop(), resolve(Buffer.concat(chunks)));
    const onError = (e: Error) => (stop(), reject(e));
    const onAbort = () => (stop(), reject(new Interrupted()));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    stdin.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

async function importOpml(ctx: CommandContext): Promise<number> {
  const [, input, ...extra] = ctx.positionals;
  if (!input || extra.length) {
    ctx.err(`refeed opml import: ${input ? `unexpected ${extra.join(' ')}` : 'missing FILE'}\n\n${OPML_USAGE}`);
    return EXIT.usage;
  }
  const file = configFileOf(ctx);
  const progress = progressLine();
  try {
    return await importInto(ctx, input, file, progress);
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    progress.done();
    ctx.err(`refeed opml import: interrupted; ${file} not changed`);
    return EXIT.failed;
  } finally {
    // Whatever ended the import, the next thing on the terminal starts on a clean line.
    progress.done();
  }
}

async function importInto(ctx: CommandContext, input: string, file: string, progress: ReturnType<typeof progressLine>): Promise<number> {
  let plan;
  try {
    const bytes = await readInput(ctx, input);
    progress.update(0, 1, `reading ${input}`);
    await checkpoint(ctx.signal);
    plan = planImport(parseOpml(decodeOpml(bytes)), { group: ctx.values.group as string | undefined });
  } catch (e) {
    if (e instanceof OpmlError || (e as NodeJS.ErrnoException).code) {
      ctx.err(`refeed opml import: ${input}: ${(e as Error).message}`);
      return EXIT.failed;
    }
    throw e;
  }
  await checkpoint(ctx.signal);
  progress.done();
  for (const note of plan.notes) ctx.err(`note: ${note}`);
  for (const s of plan.skipped) ctx.err(`skipped ${s.name}${s.url ? ` (${s.url})` : ''}: ${s.reason}`);
  if (!plan.entries.length) {
    ctx.err(`refeed opml import: no feeds (outlines with xmlUrl) in ${input}`);
    return EXIT.failed;
  }

  const text = readConfigText(ctx, file);
  if (text === undefined) return EXIT.badConfig;
  const total = plan.entries.length;
  let result;
  try {
    // One parse of the configuration, every entry added to it in memory, one check and one write at the end.
    progress.update(0, total, `reading ${file}`);
    const batch = new ChannelBatch(text, file);
    ctx.logger.debug({ feeds: total }, 'adding the feeds to the configuration');
    for (let i = 0; i < total; i++) {
      batch.add(plan.entries[i]);
      if ((i + 1) % SLICE === 0 || i + 1 === total) {
        progress.update(i + 1, total, 'adding feeds');
        await checkpoint(ctx.signal);
      }
    }
    progress.update(total, total, `checking the new ${file}`);
    await checkpoint(ctx.signal);
    result = batch.finish();
  } catch (e) {
    if (e instanceof EditError) return reportEditError(ctx, 'refeed opml import', file, e);
    throw e;
  }
  // Last chance to stop: after this the file is replaced (atomically) and the command is done.
  await checkpoint(ctx.signal);
  progress.done();
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
