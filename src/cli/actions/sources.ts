import { addChannel, EditError, findNamed, removeChannels, type ChannelEntry, type RemoveTarget } from '../../config/index.ts';
import type { ChannelState, ResolvedChannel } from '../../core/types.ts';
import { redactUrl, redactUrlsIn } from '../../util/redact.ts';
import { iso as isoOrNull } from '../../util/time.ts';
import { feedLocation } from '../channel-status.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { SOURCES_USAGE } from '../commands/sources.ts';
import { readConfigText, reportEditError } from '../config-file.ts';
import { checkFeedUrl } from './feed-check.ts';
import { enable, finishEdit, move, rename, rules, set, unset } from './sources-edit.ts';
import { configFileOf, loadConfigFor } from '../load-config.ts';
import { describeSync, previewChannelSync, readChannelStates } from '../store-access.ts';
import { fitTable, tableWidth } from '../text-table.ts';

// ------------------------------------------------------------ list

export type HealthStatus = 'never-fetched' | 'ok' | 'failing' | 'disabled' | 'off';

export interface SourceRow {
  key: string;
  group: string;
  source: string;
  channel: string;
  /** The channel's feed folder under site.url: what its slugs give (see `key`). */
  feedPath: string;
  feedUrl: string;
  url: string;
  schedule: string;
  enabled: boolean;
  health: {
    status: HealthStatus;
    lastStatus?: string;
    consecutiveFailures: number;
    lastSuccessAt?: string;
    lastFetchAt?: string;
    lastError?: string;
    disabled: boolean;
    /** Where refeed actually fetches after a permanent redirect, when it differs. */
    fetchUrl?: string;
    articles: number;
  };
}

/** `3m ago`, `2h ago`, `5d ago`: enough to spot a stale channel. */
export function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

const iso = (t: number | undefined) => isoOrNull(t) ?? undefined;

export function sourceRow(ch: ResolvedChannel, st: ChannelState | undefined, siteUrl: string): SourceRow {
  const status: HealthStatus = !ch.settings.enabled
    ? 'off'
    : !st || st.lastStatus === undefined
      ? st?.disabled
        ? 'disabled'
        : 'never-fetched'
      : st.disabled
        ? 'disabled'
        : st.lastStatus === 'error'
          ? 'failing'
          : 'ok';
  return {
    key: ch.key,
    group: ch.group.name,
    source: ch.source.name,
    channel: ch.channel.name,
    ...feedLocation(siteUrl, ch.key),
    // As in status: listings end up in bug reports and chats, so no credentials.
    url: redactUrl(ch.url),
    schedule: ch.settings.schedule,
    enabled: ch.settings.enabled,
    health: {
      status,
      lastStatus: st?.lastStatus,
      consecutiveFailures: st?.consecutiveFailures ?? 0,
      lastSuccessAt: iso(st?.lastSuccessAt),
      lastFetchAt: iso(st?.lastFetchAt),
      lastError: st?.lastError ? redactUrlsIn(st.lastError) : undefined,
      disabled: st?.disabled ?? false,
      fetchUrl: st && st.url !== ch.url ? redactUrl(st.url) : undefined,
      articles: st?.itemCount ?? 0,
    },
  };
}

export function healthText(row: SourceRow, now: number): string {
  const h = row.health;
  const lastOk = h.lastSuccessAt ? `last ok ${ago(Date.parse(h.lastSuccessAt), now)}` : 'never succeeded';
  switch (h.status) {
    case 'off':
      return 'off (enabled: false)';
    case 'never-fetched':
      return 'never fetched';
    case 'disabled':
      return `disabled after ${h.consecutiveFailures} failure${h.consecutiveFailures === 1 ? '' : 's'} (${lastOk})${h.lastError ? `: ${h.lastError}` : ''}`;
    case 'failing':
      return `failing ×${h.consecutiveFailures} (${lastOk})${h.lastError ? `: ${h.lastError}` : ''}`;
    case 'ok':
      return `ok, ${h.lastStatus} (${lastOk})${h.fetchUrl ? `, moved to ${h.fetchUrl}` : ''}`;
  }
}

async function list(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  const group = ctx.values.group as string | undefined;
  let channels = config.channels;
  if (group !== undefined) {
    const gi = findNamed(config.groups, group);
    if (gi < 0) {
      ctx.err(`refeed sources list: no group "${group}" (groups: ${config.groups.map((g) => `"${g.name}"`).join(', ') || '(none)'})`);
      return EXIT.failed;
    }
    channels = channels.filter((c) => c.group.slug === config.groups[gi].slug);
  }
  const states = await readChannelStates(ctx, config);
  const rows = channels.map((c) => sourceRow(c, states.get(c.key), config.site.url));
  // A rename by hand: say what the next run does with the channel's history (never as data on stdout).
  for (const line of describeSync(await previewChannelSync(ctx, config))) ctx.err(`note: ${line}`);
  if (ctx.values.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return EXIT.ok;
  }
  if (!rows.length) {
    ctx.err('no channels configured (add one with: refeed sources add --group G --source S --channel C URL)');
    return EXIT.ok;
  }
  const now = Date.now();
  // On a narrow terminal URL and health go under their row, then FEED and SCHEDULE go (--wide shows all).
  ctx.out(
    fitTable(
      ['GROUP', 'SOURCE', 'CHANNEL', 'FEED', 'URL', 'SCHEDULE', 'HEALTH'],
      rows.map((r) => [r.group, r.source, r.channel, r.feedPath, r.url, r.schedule, healthText(r, now)]),
      { width: tableWidth(ctx.values.wide), below: [4, 6], drop: [3, 5], shrink: [2, 1, 0] },
    ),
  );
  return EXIT.ok;
}

// ------------------------------------------------------------ add / remove

function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

async function add(ctx: CommandContext): Promise<number> {
  const [, url, ...extra] = ctx.positionals;
  const group = str(ctx, 'group');
  const source = str(ctx, 'source');
  const channel = str(ctx, 'channel');
  const missing = [!group && '--group', !source && '--source', !channel && '--channel', !url && 'URL'].filter(Boolean);
  if (missing.length || extra.length) {
    ctx.err(`refeed sources add: ${missing.length ? `missing ${missing.join(', ')}` : `unexpected ${extra.join(' ')}`}\n\n${SOURCES_USAGE}`);
    return EXIT.usage;
  }
  const file = configFileOf(ctx);
  const text = readConfigText(ctx, file);
  if (text === undefined) return EXIT.badConfig;
  const entry: ChannelEntry = {
    group: group!,
    source: source!,
    channel: channel!,
    url: url!,
    schedule: str(ctx, 'schedule'),
    slug: str(ctx, 'slug'),
    groupSlug: str(ctx, 'group-slug'),
    sourceSlug: str(ctx, 'source-slug'),
    allowPrivate: ctx.values['allow-private'] === true,
  };
  try {
    const result = addChannel(text, file, entry);
    if (ctx.values['no-check'] !== true) {
      // Checked as the channel will be fetched: with the settings it gets in the edited file.
      const check = await checkFeedUrl(result.text, file, entry.url, ctx.signal);
      if (!check.ok) {
        ctx.err(`refeed sources add: ${check.why}; --no-check adds it unchecked; ${file} not changed`);
        return EXIT.failed;
      }
      ctx.err(`checked: ${check.note}`);
    }
    return finishEdit(ctx, file, text, result);
  } catch (e) {
    if (e instanceof EditError) return reportEditError(ctx, 'refeed sources add', file, e);
    throw e;
  }
}

function remove(ctx: CommandContext): number {
  const [, url, ...extra] = ctx.positionals;
  const group = str(ctx, 'group');
  const source = str(ctx, 'source');
  const channel = str(ctx, 'channel');
  let target: RemoveTarget | undefined;
  if (url && !group && !source && !channel && !extra.length) target = { url };
  else if (!url && group && (source || !channel)) target = { group, source, channel };
  if (!target) {
    ctx.err(`refeed sources remove: give either a URL, or --group [--source [--channel]]\n\n${SOURCES_USAGE}`);
    return EXIT.usage;
  }
  const file = configFileOf(ctx);
  const text = readConfigText(ctx, file);
  if (text === undefined) return EXIT.badConfig;
  try {
    return finishEdit(ctx, file, text, removeChannels(text, file, target, { keepEmptySource: ctx.values['keep-empty'] === true }));
  } catch (e) {
    if (e instanceof EditError) return reportEditError(ctx, 'refeed sources remove', file, e);
    throw e;
  }
}


export async function run(ctx: CommandContext): Promise<number> {
  const sub = ctx.positionals[0] ?? 'list';
  if (sub === 'list' || sub === 'ls') {
    if (ctx.positionals.length > 1) {
      ctx.err(`refeed sources list: unexpected ${ctx.positionals.slice(1).join(' ')}\n\n${SOURCES_USAGE}`);
      return EXIT.usage;
    }
    return list(ctx);
  }
  if (sub === 'add') return add(ctx);
  if (sub === 'remove' || sub === 'rm') return remove(ctx);
  if (sub === 'rename') return rename(ctx);
  if (sub === 'move' || sub === 'mv') return move(ctx);
  if (sub === 'enable' || sub === 'disable') return enable(ctx, sub === 'enable');
  if (sub === 'set') return set(ctx);
  if (sub === 'unset') return unset(ctx);
  if (sub === 'rules') return rules(ctx);
  ctx.err(`refeed sources: unknown subcommand "${sub}"\n\n${SOURCES_USAGE}`);
  return EXIT.usage;
}
