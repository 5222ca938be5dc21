import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import { sweepTempFiles } from '../util/atomic-write.ts';

/** Clears temp files an earlier killed run left in the output folder (see sweepTempFiles). */
export function sweepLeftovers(config: RefeedConfig, logger: Logger): void {
  const removed = sweepTempFiles(config.site.output);
  if (removed) logger.info({ removed, output: config.site.output }, 'removed temp files left by an interrupted run');
}
