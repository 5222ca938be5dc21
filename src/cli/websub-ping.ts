import type { RefeedConfig } from '../core/types.ts';
import { changedFeedUrls, HubPinger, type PublishReport } from '../publish/index.ts';
import type { CommandContext } from './command.ts';

/** How long a one-shot command (`once`, `publish`) waits, after its work, for its hub pings before exiting. */
export const ONE_SHOT_PING_WAIT_MS = 20_000;

/**
 * For a one-shot command: pings the configured WebSub hubs with the feeds
 * `report` changed, in the background (the caller waits with drain, bounded,
 * after releasing the run lock). Undefined when there is nothing to ping.
 */
export function pingHubs(ctx: CommandContext, config: RefeedConfig, report: PublishReport): HubPinger | undefined {
  const urls = changedFeedUrls(config.site.url, report.written);
  if (!config.site.websubHubs.length || !urls.length) return undefined;
  const pinger = new HubPinger({ output: config.site.output, logger: ctx.logger, retryDelaysMs: [1_000, 5_000] });
  pinger.notify(config.site.websubHubs, urls);
  return pinger;
}
