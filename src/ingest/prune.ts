import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.ts';
import type { ChannelSettings, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { feedKeysOf, slugsOf, type Store } from '../store/index.ts';
import { channelRules, visibleRows } from '../store/visible-rows.ts';

// Retention: a channel's entries (and their articles and files) that fell
// out of every feed are kept up to a bound, then removed, so that a feed
// whose items never repeat (links that change on every request, a firehose)
// cannot grow the state and the output folder without limit.

const DAY_MS = 24 * 60 * 60_000;
/** Per channel, by default: ten feeds' worth of items, or 90 days, whichever keeps more. */
/** Full-text entries outlive their link's last article this long (see pruneChannel). */
const FULL_TEXT_GRACE_MS = DAY_MS;
export const DEFAULT_RETENTION = { itemsPerLimit: 10, ageMs: 90 * DAY_MS };

/** The channel's retention bound: its newest `items` entries, and any first seen within `ageMs`, are kept. */
export function retentionOf(settings: Pick<ChannelSettings, 'limit' | 'retention'>): { items: number; ageMs: number } {
  return {
    items: settings.retention?.items ?? DEFAULT_RETENTION.itemsPerLimit * settings.limit,
    ageMs: settings.retention?.ageMs ?? DEFAULT_RETENTION.ageMs,
  };
}

/** Every feed the channel's entries are in ('' merged, group, source, channel), with the number of items it shows. */
function feedsOf(config: RefeedConfig, channel: ResolvedChannel): [string, number][] {
  const [g, s] = slugsOf(channel.key);
  const group = config.groups.find((x) => x.slug === g);
  const source = group?.sources.find((x) => x.slug === s);
  const limits = [config.site.limit, group?.settings.limit, source?.settings.limit, channel.settings.limit];
  return feedKeysOf(slugsOf(channel.key)).map((key, i) => [key, limits[i] ?? channel.settings.limit]);
}

/** The keys of the configured channels a feed key ('' merged, 'g', 'g/s', 'g/s/c') holds. */
function channelsIn(config: RefeedConfig, feedKey: string): string[] {
  return config.channels.filter((c) => feedKey === '' || c.key === feedKey || c.key.startsWith(`${feedKey}/`)).map((c) => c.key);
}

/**
 * Prunes the channel beyond its retention bound. What any of its feeds shows
 * now is never removed (nor, since the bound is at least the channel's own
 * limit, what its last published feed showed). Returns the entries removed.
 */
export async function pruneChannel(config: RefeedConfig, store: Store, channel: ResolvedChannel, now: number, log: Logger): Promise<number> {
  const { items, ageMs } = retentionOf(channel.settings);
  const protect = new Set<string>();
  // What the feeds show: with rules, their newest rows that pass them (which may lie deeper than the store's newest `limit`).
  const feeds = feedsOf(config, channel);
  const rules = channelRules(config);
  const raw = (key: string, n: number) => store.topArticles(key, n);
  const specs = feeds.map(([key]) => ({ key, channelKeys: channelsIn(config, key) }));
  const top = rules.size ? visibleRows(rules, specs, { store, raw, now }).top : raw;
  for (const [key, limit] of feeds) for (const a of await top(key, limit)) protect.add(a.id);
  const pruned = await store.pruneEntries(channel.key, { keep: Math.max(items, channel.settings.limit), before: now - ageMs, protect: [...protect] });
  const output = path.resolve(config.site.output);
  for (const a of pruned.articles) {
    for (const rel of [a.path, a.oldPath]) {
      if (!rel) continue;
      const file = path.resolve(output, rel);
      // Only files of the output folder: a row is data, not a licence to delete anywhere.
      if (!file.startsWith(output + path.sep)) continue;
      try {
        rmSync(file, { force: true });
      } catch (err) {
        log.warn({ err, path: rel }, 'cannot remove a pruned article file');
      }
    }
  }
  // Full-text entries of the links no article has any more; a day's grace covers pages whose items are still being stored.
  const forgotten = pruned.articles.length ? await store.pruneFullText(now - FULL_TEXT_GRACE_MS) : 0;
  if (forgotten) log.debug({ entries: forgotten }, 'pruned full-text entries of removed articles');
  if (pruned.entries) log.info({ entries: pruned.entries, articles: pruned.articles.length, keep: items, days: ageMs / DAY_MS }, 'pruned entries beyond the retention bound');
  return pruned.entries;
}
