// Bounded background writing: callers hand over finished buffers and go on
// with CPU work while libuv's thread pool does the I/O. The bound on bytes in
// flight keeps memory flat however much is written (a full publish writes
// over a gigabyte); the bound on concurrent writes keeps the pool (shared
// with DNS and other fs work) from being monopolized.

export interface WriteQueueOptions {
  /** Writes in progress at once. */
  concurrency?: number;
  /** Bytes queued or being written before add() makes its caller wait. */
  maxBytes?: number;
}

interface Pending {
  run: () => Promise<void>;
  bytes: number;
}

export class WriteQueue {
  private readonly concurrency: number;
  private readonly maxBytes: number;
  private readonly waiting: Pending[] = [];
  private running = 0;
  private bytes = 0;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(opts: WriteQueueOptions = {}) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.maxBytes = Math.max(1, opts.maxBytes ?? 64 * 1024 * 1024);
  }

  /**
   * Queues `write` (accounted as `bytes`); resolves once the queue has room
   * for more, not when the write is done. `write` must not throw: it reports
   * its own outcome.
   */
  async add(bytes: number, write: () => Promise<void>): Promise<void> {
    this.bytes += bytes;
    this.waiting.push({ run: write, bytes });
    this.pump();
    // A write is a chain of thread-pool steps (open, write, close, rename),
    // each continued from the event loop: a caller that only awaits resolved
    // promises between adds would starve them until drain(). Yielding one
    // loop turn per add keeps the writes moving while the caller computes.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.bytes > this.maxBytes && this.running + this.waiting.length > 1) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  /** Resolves when every queued write has finished. */
  async drain(): Promise<void> {
    while (this.running || this.waiting.length) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.running++;
      void job
        .run()
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.bytes -= job.bytes;
          this.roomWaiters.splice(0).forEach((wake) => wake());
          this.pump();
          if (!this.running && !this.waiting.length) this.idleWaiters.splice(0).forEach((wake) => wake());
        });
    }
  }
}
