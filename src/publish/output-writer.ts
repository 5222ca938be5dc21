import path from 'node:path';
import type { Logger } from '../core/log.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
import { DiskError } from '../util/disk-error.ts';
import { WriteQueue } from '../util/write-queue.ts';

/** A published file's fate, filled in when its write finishes. */
export interface FileOutcome {
  /** Relative to the output folder. */
  path: string;
  changed?: boolean;
  error?: string;
}

/** Bounds for writing published files: in flight at once, and bytes queued (what keeps a full publish's memory flat). */
const WRITE_CONCURRENCY = 8;
/** Disk faults of the whole device, not of one folder (as EACCES may be). */
const DEVICE_WIDE = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);
const WRITE_QUEUE_BYTES = 16 * 1024 * 1024;

/**
 * Writes published files in the background while the next feeds are built:
 * atomically, and only when the bytes differ (unchanged files keep their
 * mtime, and servers their ETags). Outcomes are read once drained.
 */
export class OutputWriter {
  private readonly queue = new WriteQueue({ concurrency: WRITE_CONCURRENCY, maxBytes: WRITE_QUEUE_BYTES });
  private readonly files = new AtomicWriter();
  /** Set by the first write a full or read-only device refused: the reason every later file gets without trying. */
  private deviceFault: string | undefined;

  constructor(
    private readonly output: string,
    private readonly log: Logger,
  ) {}

  /** Queues `data` for `rel`; resolves when the queue has room (the outcome fills in later). */
  async write(rel: string, data: string | Buffer): Promise<FileOutcome> {
    const outcome: FileOutcome = { path: rel };
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    await this.queue.add(bytes.length, async () => {
      // A full or read-only device refuses every file alike: said once, not once per feed.
      if (this.deviceFault) return void (outcome.error = this.deviceFault);
      try {
        outcome.changed = await this.files.writeIfChanged(path.join(this.output, rel), bytes);
      } catch (err) {
        // A disk fault says so (`disk: no space left on device writing …`): it is not refeed's bug.
        outcome.error = err instanceof DiskError ? `disk: ${err.message}` : (err as Error).message;
        if (err instanceof DiskError && DEVICE_WIDE.has(err.code)) this.deviceFault = outcome.error;
        this.log.error({ path: rel, reason: outcome.error, ...(err instanceof DiskError ? { code: 'disk' } : {}) }, 'cannot write published file');
      }
    });
    return outcome;
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }
}
