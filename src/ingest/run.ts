import type { ChannelState, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import type { Store } from '../store/index.ts';
import { createFetchAgents } from '../fetch/index.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
import { hostOf } from '../util/host.ts';
import { forEachLimited } from '../util/limiter.ts';
import { writePendingFiles } from './article-files.ts';
import { ingestChannel, type IngestOptions } from './channel.ts';
import { PreparePool } from './prepare-pool.ts';
import { FullTextPool } from './full-text-pool.ts';
import { pageLimiter } from './full-text.ts';
import { reapplyChannelSettings } from './reapply.ts';
import type { ChannelReport } from './report.ts';
import { syncChannels } from './sync.ts';

export interface FetchRunOptions extends IngestOptions {
  /** Only channels whose key, or group/source/channel name or slug, matches. */
  only?: string;
  /** Only channels this says are due (for `refeed once`: see schedule/due.ts). */
  isDue?: (channel: ResolvedChannel, state: ChannelState | undefined, now: number) => boolean;
  onProgress?: (done: number, total: number, report: ChannelReport) => void;
}

function matchesOnly(channel: ResolvedChannel, only: string): boolean {
  const names = [channel.key, channel.group.name, channel.group.slug, channel.source.name, channel.source.slug, channel.channel.name, channel.channel.slug];
  return names.includes(only) || channel.key.startsWith(`${only}/`);
}

/**
 * Fetches every enabled channel concurrently (global and per-host bounds) and
 * returns one report per channel, in config order. First the stored channels
 * are matched to the configuration (renames carried over), stored articles
 * brought to changed rewrites, and any article file left behind its row is
 * written.
 */
export async function runFetch(config: RefeedConfig, store: Store, opts: FetchRunOptions): Promise<ChannelReport[]> {
  const now = opts.now ?? Date.now;
  const files = opts.files ?? new AtomicWriter();
  await syncChannels(config, store, now(), opts.logger);
  // Before any fetch: a stored article and the same item fetched again must get the same rewrites.
  if (opts.writeFiles !== false) await reapplyChannelSettings(config, store, opts.logger);
  await writePendingFiles(store, config.site.output, files, opts.logger);
  let channels = config.channels.filter((c) => c.settings.enabled);
  if (opts.only) channels = channels.filter((c) => matchesOnly(c, opts.only!));
  if (opts.isDue) {
    const states = new Map((await store.channelStates()).map((s) => [s.key, s]));
    const at = now();
    channels = channels.filter((c) => opts.isDue!(c, states.get(c.key), at));
  }
  const reports = new Map<string, ChannelReport>();
  let done = 0;
  const pool = opts.pool ?? new PreparePool();
  const agents = opts.agents ?? createFetchAgents();
  // Started at the first page a full_text channel fetches, if any.
  const fullText = opts.fullText ?? new FullTextPool();
  const pages = opts.pages ?? pageLimiter(config.site);
  try {
    await forEachLimited(
      channels,
      { concurrency: config.site.concurrency, perKey: config.site.perHostConcurrency, keyOf: (c) => hostOf(c.url), signal: opts.signal },
      async (channel) => {
        const r = await ingestChannel(config, store, channel, { ...opts, pool, files, agents, fullText, pages });
        reports.set(channel.key, r);
        opts.onProgress?.(++done, channels.length, r);
      },
    );
  } finally {
    if (!opts.pool) await pool.close();
    if (!opts.agents) await agents.close();
    if (!opts.fullText) await fullText.close();
  }
  return channels.map((c) => reports.get(c.key)).filter((r): r is ChannelReport => r !== undefined);
}
