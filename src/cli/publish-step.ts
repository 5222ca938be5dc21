import type { Logger } from '../core/log.ts';
import type { RefeedConfig } from '../core/types.ts';
import { reapplyChannelSettings, readBackMissingContent, writePendingFilesChecked, type FilesBehind, type FragmentEncoderModule } from '../ingest/index.ts';
import * as fragmentEncoder from '../publish/fragments.ts';
import type { Publisher, PublishOptions, PublishReport } from '../publish/index.ts';
import type { Store } from '../store/index.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
import type { DiskError } from '../util/disk-error.ts';

/**
 * What every command does before it publishes, and the publisher never does
 * itself (it knows only the Store): the store has been matched to the
 * configuration (openLocked, or the daemon's reload), content a state from
 * refeed 0.1 kept only in the files is read back into it (once), stored
 * articles are brought to their channel's rewrites when these changed, the files of
 * articles a changed keep/block rule hides are removed (shown again: pending), and article
 * files behind their rows (a killed ingest, a renamed channel, rows a queue
 * worker committed) are written now, each stamped with its id and item key.
 * The first disk fault (full, read-only…) stops the writing and is returned:
 * the files left stay pending.
 */
export async function writeArticleFiles(config: RefeedConfig, store: Store, log: Logger): Promise<DiskError | undefined> {
  await readBackMissingContent(store, config.site.output, log);
  await reapplyChannelSettings(config, store, log);
  return (await writePendingFilesChecked(store, config.site.output, new AtomicWriter(), log)).fault;
}

/**
 * Article files brought up to the store, then the feeds published from it;
 * when the disk refused the article files, nothing is published (a report
 * with that error): feeds would link files that are not there.
 */
export async function reconcileAndPublish(config: RefeedConfig, publisher: Publisher, store: Store, opts: PublishOptions, filesBehind?: FilesBehind): Promise<PublishReport> {
  const fault = await writeArticleFiles(config, store, opts.logger);
  // A daemon's channel passes are not successes while the disk refuses their files (IngestOptions.filesBehind).
  if (filesBehind) filesBehind.fault = fault;
  if (fault) return publisher.stoppedByDisk(fault, opts.logger);
  return publisher.publish(store, opts);
}

// The module the ingest loads by URL (FRAGMENT_ENCODER) is what it expects: checked here, where both stages are known.
fragmentEncoder satisfies FragmentEncoderModule;
