import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import type { PreviousRun } from '../store/index.ts';
import { sweepTempFiles } from '../util/atomic-write.ts';
import { processAlive } from '../util/file-lock.ts';

/**
 * Clears temp files interrupted runs left in the output folder (see
 * sweepTempFiles): those of writers no longer running, whatever their age
 * (this process holds the run lock: no other refeed writes there), and any
 * an hour old. Only a run that did not end cleanly leaves any, and walking
 * every article folder of a big site costs more than the rest of a quiet
 * `refeed once`: after a clean run, nothing is walked.
 */
export function sweepLeftovers(config: RefeedConfig, logger: Logger, previous: PreviousRun): void {
  if (previous.ended === 'cleanly') return;
  const removed = sweepTempFiles(config.site.output, { isGone: (pid) => pid !== process.pid && !processAlive(pid) });
  if (removed) logger.info({ removed, output: config.site.output }, 'removed temp files left by an interrupted run');
}
