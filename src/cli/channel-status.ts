import { redactUrl, redactUrlsIn } from '../util/redact.ts';
import type { ChannelState, RefeedConfig } from '../core/types.ts';

export interface ChannelStatusRow {
  key: string;
  group: string;
  source: string;
  channel: string;
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
  nextRunAt: string | null;
}

const iso = (ms?: number) => (ms === undefined ? null : new Date(ms).toISOString());

/** One row per configured channel, joined with what the store knows of it. */
export function channelStatusRows(config: RefeedConfig, known: ReadonlyMap<string, ChannelState>): ChannelStatusRow[] {
  return config.channels.map((c) => {
    const st = known.get(c.key);
    return {
      key: c.key,
      group: c.group.name,
      source: c.source.name,
      channel: c.channel.name,
      // What status prints ends up in bug reports and monitoring: no credentials.
      url: redactUrl(st?.url ?? c.url),
      enabled: c.settings.enabled,
      disabled: st?.disabled ?? false,
      status: !c.settings.enabled ? 'off' : st?.disabled ? 'gone' : (st?.lastStatus ?? 'never fetched'),
      lastSuccessAt: iso(st?.lastSuccessAt),
      lastFetchAt: iso(st?.lastFetchAt),
      lastError: st?.lastError ? redactUrlsIn(st.lastError) : null,
      lastWarning: st?.lastWarning ?? null,
      consecutiveFailures: st?.consecutiveFailures ?? 0,
      items: st?.itemCount ?? 0,
      nextRunAt: iso(st?.nextRunAt),
    };
  });
}
