import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mergeMovedFeeds, MOVED_FEEDS_FILE, parseMovedFeeds, serializeMovedFeeds } from '../core/moved-feeds.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import type { ChannelInput, ChannelSync, Store } from '../store/index.ts';

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

/** Every feed key the configuration publishes under (groups, sources, channels). */
function configuredKeys(config: RefeedConfig): Set<string> {
  const keys = new Set<string>();
  for (const c of config.channels) {
    keys.add(c.group.slug);
    keys.add(`${c.group.slug}/${c.source.slug}`);
    keys.add(c.key);
  }
  for (const g of config.groups) keys.add(g.slug);
  return keys;
}

/**
 * Records where the feeds of renamed channels (and of their source and group)
 * went, for the server's 301s (see core/moved-feeds.ts). Best effort: a
 * failure to write is logged, and costs only the redirects.
 */
function recordMovedFeeds(config: RefeedConfig, sync: ChannelSync, log: Logger): void {
  const file = path.join(config.site.output, MOVED_FEEDS_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // none yet
  }
  if (text === undefined && !sync.renamed.some((r) => r.from !== r.to)) return;
  const prev = parseMovedFeeds(text ?? '{}');
  const next = mergeMovedFeeds(prev, sync.renamed, configuredKeys(config));
  const out = serializeMovedFeeds(next);
  if (out === text) return;
  try {
    mkdirSync(config.site.output, { recursive: true });
    writeFileAtomic(file, out);
    if (next.size) log.info({ moved: Object.fromEntries(next) }, 'old feed URLs redirect to where their feeds moved');
  } catch (err) {
    log.warn({ err, file }, 'cannot record where renamed feeds moved: their old URLs will not redirect');
  }
}
