import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import type { Store } from '../store/index.ts';
import { statesByKey } from './changed-channels.ts';
import { reapplyFileRules } from './file-rules.ts';
import { reapplyRewrites } from './rewrites.ts';

/**
 * Stored articles brought to changed rewrites, then article files to changed
 * keep/block rules (which judge what the rewrites make), from one read of the
 * channel states. Run before channels are fetched and before publishing, by
 * whoever owns the output folder.
 */
export async function reapplyChannelSettings(config: RefeedConfig, store: Store, log: Logger): Promise<void> {
  const states = await statesByKey(store);
  await reapplyRewrites(config, store, log, states);
  await reapplyFileRules(config, store, log, states);
}
