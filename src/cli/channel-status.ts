import { redactUrl, redactUrlsIn } from '../util/redact.ts';
import { iso } from '../util/time.ts';
import { dueTimes } from '../schedule/due.ts';
import type { ChannelState, RefeedConfig } from '../core/types.ts';

export interface ChannelStatusRow {
  key: string;
  group: string;
  source: string;
  channel: string;
  /** `group / source / channel`, as the names are written in the configuration. */
  name: string;
  /** The channel's feed folder under site.url (`/tech/hacker-news/front-page/`): what the slugs in `key` give. */
  feedPath: string;
  /** Its RSS feed's URL, for subscribing. */
  feedUrl: string;
  url: string;
  enabled: boolean;
  disabled: boolean;
  status: string;
  lastSuccessAt: string | null;
  lastFetchAt: string | null;
  lastError: string | null;
  /** The last successful fetch's warning, e.g. \`recovered: …\` for a broken feed read as far as it could be. */
  lastWarning: string | null;
  consecutiveFailures: number;
  items: number;
  /** When the channel is next due: its schedule's next firing after its last fetch, or its backoff's end; null if due now or never. */
  nextRunAt: string | null;
}

/** Where a channel's feeds are published: its folder path under site.url and its RSS URL. */
export function feedLocation(siteUrl: string, key: string): { feedPath: string; feedUrl: string } {
  const folder = new URL(`${key}/`, siteUrl);
  return { feedPath: folder.pathname, feedUrl: new URL('rss.xml', folder).href };
}

/** One row per configured channel, joined with what the store knows of it. */
export function channelStatusRows(config: RefeedConfig, known: ReadonlyMap<string, ChannelState>, now = Date.now()): ChannelStatusRow[] {
  const due = dueTimes();
  return config.channels.map((c) => {
    const st = known.get(c.key);
    const next = c.settings.enabled ? due(c, st) : Infinity;
    return {
      key: c.key,
      group: c.group.name,
      source: c.source.name,
      channel: c.channel.name,
      name: `${c.group.name} / ${c.source.name} / ${c.channel.name}`,
      ...feedLocation(config.site.url, c.key),
      // What status prints ends up in bug reports and monitoring: no credentials.
      url: redactUrl(st?.url ?? c.url),
      enabled: c.settings.enabled,
      disabled: st?.disabled ?? false,
      status: !c.settings.enabled ? 'off' : st?.disabled ? 'gone' : (st?.lastStatus ?? 'never fetched'),
      lastSuccessAt: iso(st?.lastSuccessAt),
      lastFetchAt: iso(st?.lastFetchAt),
      lastError: st?.lastError ? redactUrlsIn(st.lastError) : null,
      lastWarning: st?.lastWarning ? redactUrlsIn(st.lastWarning) : null,
      consecutiveFailures: st?.consecutiveFailures ?? 0,
      items: st?.itemCount ?? 0,
      nextRunAt: next > now ? iso(next) : null,
    };
  });
}
