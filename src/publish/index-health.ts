import { createHash } from 'node:crypto';
import type { ChannelState, RefeedConfig } from '../core/types.ts';
import { redactUrlsIn } from '../util/redact.ts';
import { h } from './html.ts';
import { xmlSafe } from './text.ts';

// Each channel's health as index.html shows it: whether it works, and if not
// since when and why. Only what changes when the health changes is shown
// (not the time of the last fetch), so a page is rewritten when a channel
// starts or stops failing, not after every fetch.

export type HealthState = 'ok' | 'failing' | 'gone' | 'never' | 'off';

export interface ChannelHealth {
  state: HealthState;
  /** failing: the last success (epoch ms), or undefined when it never succeeded; gone: when it was last fetched. */
  since?: number;
  /** The error's first line, URLs redacted. */
  reason?: string;
}

const REASON_MAX = 200;

function oneLineReason(error: string | undefined): string | undefined {
  if (!error) return undefined;
  const line = xmlSafe(redactUrlsIn(error.split('\n')[0])).trim();
  return line.length > REASON_MAX ? `${line.slice(0, REASON_MAX - 1)}…` : line;
}

export function channelHealth(config: RefeedConfig, states: readonly ChannelState[]): Map<string, ChannelHealth> {
  const byKey = new Map(states.map((s) => [s.key, s]));
  return new Map(
    config.channels.map((c): [string, ChannelHealth] => {
      const st = byKey.get(c.key);
      if (!c.settings.enabled) return [c.key, { state: 'off' }];
      if (st?.disabled) return [c.key, { state: 'gone', since: st.lastFetchAt, reason: oneLineReason(st.lastError) }];
      if (!st || st.lastStatus === undefined) return [c.key, { state: 'never' }];
      if (st.lastStatus === 'error') return [c.key, { state: 'failing', since: st.lastSuccessAt, reason: oneLineReason(st.lastError) }];
      return [c.key, { state: 'ok' }];
    }),
  );
}

/** Changes exactly when what the page shows of the channels' health changes. */
export function healthHash(health: ReadonlyMap<string, ChannelHealth>): string {
  return createHash('sha256').update(JSON.stringify([...health])).digest('hex').slice(0, 32);
}

/** `2024-05-01 10:00 UTC`: a date for people, in UTC like every date on the page. */
export const minuteUtc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const time = (ms: number) => h('time', { datetime: new Date(ms).toISOString() }, minuteUtc(ms));

const LABEL: Record<HealthState, string> = { ok: 'ok', failing: 'failing', gone: 'gone', never: 'not fetched yet', off: 'off' };

/** The small status word next to a channel's name. */
export function healthBadge(health: ChannelHealth | undefined) {
  const state = health?.state ?? 'never';
  return h('span', { class: `badge ${state}` }, LABEL[state]);
}

/** The line under a channel that does not work: since when, and why. */
export function healthDetail(health: ChannelHealth | undefined) {
  if (!health || (health.state !== 'failing' && health.state !== 'gone')) return undefined;
  const when =
    health.state === 'gone'
      ? ['the source answered 410 Gone', health.since !== undefined ? [' (', time(health.since), ')'] : [], '; it is not fetched until its URL changes']
      : health.since !== undefined
        ? ['failing: no successful fetch since ', time(health.since)]
        : ['failing: never fetched successfully'];
  return h('p', { class: `health ${health.state}` }, ...when.flat(), health.reason ? [': ', h('code', {}, health.reason)] : []);
}

/** The page's summary line: how many channels work, with a link to each that does not. */
export function healthSummary(config: RefeedConfig, health: ReadonlyMap<string, ChannelHealth>, anchor: (key: string) => string) {
  const enabled = config.channels.filter((c) => c.settings.enabled);
  const bad = enabled.filter((c) => ['failing', 'gone'].includes(health.get(c.key)?.state ?? ''));
  const ok = enabled.filter((c) => health.get(c.key)?.state === 'ok').length;
  const counts = `${enabled.length} channel${enabled.length === 1 ? '' : 's'}: ${ok} ok${bad.length ? `, ${bad.length} failing` : ''}`;
  return h(
    'p',
    { class: 'summary' },
    counts,
    bad.length ? [' (', ...bad.flatMap((c, i) => [i ? ', ' : '', h('a', { href: `#${anchor(c.key)}` }, xmlSafe(`${c.source.name} / ${c.channel.name}`))]), ')'] : [],
  );
}
