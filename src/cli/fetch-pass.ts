import type { RefeedConfig } from '../core/types.ts';
import { runFetch, type ChannelReport, type FetchRunOptions } from '../ingest/index.ts';
import { FRAGMENT_ENCODER } from '../publish/index.ts';
import type { Store } from '../store/index.ts';
import type { CommandContext } from './command.ts';
import { formatFetchSummary } from './fetch-summary.ts';
import { progressLine } from './progress.ts';

/** A fetch pass as the commands run it: progress on a TTY, then the per-channel summary on stdout. */
export async function fetchPass(
  ctx: CommandContext,
  config: RefeedConfig,
  store: Store,
  opts: Pick<FetchRunOptions, 'only' | 'isDue'>,
): Promise<ChannelReport[]> {
  const progress = progressLine();
  const reports = await runFetch(config, store, {
    ...opts,
    logger: ctx.logger,
    signal: ctx.signal,
    // Items' feed fragments are encoded where their bodies are sanitized, once.
    fragmentEncoder: FRAGMENT_ENCODER,
    onProgress: (done, total, r) => progress.update(done, total, r.key),
  });
  progress.done();
  if (reports.length) ctx.out(formatFetchSummary(reports));
  return reports;
}

/** `--strict`: a failed channel fails the command. */
export const anyFailed = (reports: ChannelReport[]) => reports.some((r) => r.status === 'error');
