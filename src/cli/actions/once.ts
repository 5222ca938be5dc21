import type { RefeedConfig } from '../../core/types.ts';
import { Publisher } from '../../publish/index.ts';
import { dueBySchedule, dueTimes } from '../../schedule/due.ts';
import type { Store } from '../../store/index.ts';
import { isoSeconds } from '../../util/time.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { anyFailed, fetchPass } from '../fetch-pass.ts';
import { loadConfigFor } from '../load-config.ts';
import { reconcileAndPublish } from '../publish-step.ts';
import { withRunLock } from '../store-access.ts';
import { formatPublishSummary } from './publish.ts';
import { ONE_SHOT_PING_WAIT_MS, pingHubs } from '../websub-ping.ts';

/** One line on what was left for later: how many channels are not due, and the soonest of them. */
async function notDueLine(config: RefeedConfig, store: Store, now: number): Promise<string | undefined> {
  const states = new Map((await store.channelStates()).map((s) => [s.key, s]));
  const at = dueTimes();
  const waiting = config.channels
    .filter((c) => c.settings.enabled)
    .map((c) => ({ key: c.key, at: at(c, states.get(c.key)) }))
    .filter((w) => w.at > now)
    .sort((a, b) => a.at - b.at);
  if (!waiting.length) return undefined;
  const next = waiting[0];
  const soonest = Number.isFinite(next.at) ? `; next: ${next.key} at ${isoSeconds(next.at)}` : '';
  return `refeed once: ${waiting.length} channel${waiting.length === 1 ? '' : 's'} not due by schedule${soonest} (--all fetches every channel)`;
}

export async function run(ctx: CommandContext): Promise<number> {
  const config = await loadConfigFor(ctx);
  if (!config) return EXIT.badConfig;
  const all = ctx.values.all === true;
  let pinger: ReturnType<typeof pingHubs>;
  const code = await withRunLock(ctx, config, 'once', async (store) => {
    // Said after the fetch summary, but decided before the fetch: what this run leaves for a later one.
    const line = all ? undefined : await notDueLine(config, store, Date.now());
    const reports = await fetchPass(ctx, config, store, all ? {} : { isDue: dueBySchedule() });
    if (line) ctx.err(line);
    // openLocked matched the store to this configuration.
    const published = await reconcileAndPublish(config, new Publisher(config), store, { logger: ctx.logger });
    pinger = pingHubs(ctx, config, published);
    // A publish that could not write its files failed, whatever --strict says of the sources: cron must hear of it.
    if (published.errors.length) {
      ctx.err(formatPublishSummary(published).replace(/^refeed publish:/, 'refeed once: publish failed:'));
      return EXIT.failed;
    }
    return ctx.values.strict && anyFailed(reports) ? EXIT.failed : EXIT.ok;
  });
  // WebSub pings finish after the lock is released: they never hold up another run.
  await pinger?.drain(ONE_SHOT_PING_WAIT_MS);
  pinger?.stop();
  return code;
}
