import path from 'node:path';
import type { Logger } from '../core/log.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
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
const WRITE_QUEUE_BYTES = 16 * 1024 * 1024;

/**
 * Writes published files in the background while the next feeds are built:
 * atomically, and only when the bytes differ (unchanged files keep their
 * mtime, and servers their ETags). Outcomes are read once drained.
 */
export class OutputWriter {
  private readonly queue = new WriteQueue({ concurrency: WRITE_CONCURRENCY, maxBytes: WRITE_QUEUE_BYTES });
  private readonly files = new AtomicWriter();

  constructor(
    private readonly output: string,
    private readonly log: Logger,
  ) {}

  /** Queues `data` for `rel`; resolves when the queue has room (the outcome fills in later). */
  async write(rel: string, data: string | Buffer): Promise<FileOutcome> {
    const outcome: FileOutcome = { path: rel };
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    await this.queue.add(bytes.length, async () => {
      try {
        outcome.changed = await this.files.writeIfChanged(path.join(this.output, rel), bytes);
      } catch (err) {
        outcome.error = (err as Error).message;
        this.log.error({ path: rel, reason: outcome.error }, 'cannot write published file');
      }
    });
    return outcome;
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }
}
