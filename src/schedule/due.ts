import type { ChannelState, ResolvedChannel } from '../core/types.ts';
import { cronWalker } from '../util/cron.ts';

// When a channel is due, for runs driven from outside (`refeed once` from
// the system cron) and for `status`: its schedule has fired since its last
// attempt, or it was never fetched; and it is past any backoff.

type Walk = (expr: string, afterMs: number) => number | undefined;

/**
 * The time (epoch ms) from which the channel is due: 0 when it was never
 * fetched, Infinity when it never will be (disabled by a 410, or a schedule
 * that never fires). A failing channel also waits out its backoff.
 */
export function dueAt(schedule: string, st: ChannelState | undefined, walk: Walk): number {
  if (st?.disabled) return Infinity;
  if (st?.lastFetchAt === undefined) return 0;
  const fires = walk(schedule, st.lastFetchAt) ?? Infinity;
  const backoff = st.consecutiveFailures > 0 ? (st.nextRunAt ?? 0) : 0;
  return Math.max(fires, backoff);
}

/** `dueAt` for many channels: one matcher per schedule expression. */
export function dueTimes(): (channel: ResolvedChannel, st: ChannelState | undefined) => number {
  const walk = cronWalker();
  return (channel, st) => dueAt(channel.settings.schedule, st, walk);
}

/** A predicate for `runFetch`'s `isDue`: due by schedule and backoff at `now`. */
export function dueBySchedule(): (channel: ResolvedChannel, st: ChannelState | undefined, now: number) => boolean {
  const at = dueTimes();
  return (channel, st, now) => at(channel, st) <= now;
}
