import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import type { ChannelInput, ChannelSync, Store } from '../store/index.ts';
import { recordMovedFeeds } from './moved-feeds.ts';

/** The configured channels as the store identifies them. */
export function channelInputs(config: RefeedConfig): ChannelInput[] {
  return config.channels.map((c) => ({ key: c.key, url: c.url, names: [c.group.name, c.source.name, c.channel.name] }));
}

/**
 * Matches the configuration to the stored channels (see the store's
 * syncChannels) and says what moved: a rename keeps a channel's history and
 * moves its article files; a removed channel's history is kept.
 */
export async function syncChannels(config: RefeedConfig, store: Store, now: number, log: Logger): Promise<ChannelSync> {
  const sync = await store.syncChannels(channelInputs(config), now);
  for (const r of sync.renamed) log.info({ from: r.from, to: r.to, articles: r.articles }, 'channel renamed: its history and article files move with it');
  if (sync.removed.length) log.info({ removed: sync.removed }, 'channels no longer configured: their history is kept, their feeds no longer published');
  recordMovedFeeds(config, sync, log);
  return sync;
}
