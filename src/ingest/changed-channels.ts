import type { ChannelState, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import type { Store } from '../store/index.ts';

// What the re-application passes (rewrites, file rules) share: each records a
// fingerprint of the settings its channel's stored articles were made under,
// and redoes a channel whose settings no longer give that fingerprint.

/** Each stored channel's state, by key: what the re-application passes compare with. */
export type StatesByKey = ReadonlyMap<string, ChannelState>;

export async function statesByKey(store: Store): Promise<StatesByKey> {
  return new Map((await store.channelStates()).map((s) => [s.key, s]));
}

/**
 * The configured channels whose recorded fingerprint differs from the one
 * their settings give now, with that one. Channels not stored yet are left
 * out: their first ingest applies the settings.
 */
export function changedChannels(
  config: RefeedConfig,
  states: StatesByKey,
  recorded: (s: ChannelState) => string,
  fingerprint: (c: ResolvedChannel) => string,
): { channel: ResolvedChannel; fingerprint: string }[] {
  const out: { channel: ResolvedChannel; fingerprint: string }[] = [];
  for (const channel of config.channels) {
    const st = states.get(channel.key);
    if (!st) continue;
    const now = fingerprint(channel);
    if (recorded(st) !== now) out.push({ channel, fingerprint: now });
  }
  return out;
}
