import os from 'node:os';
import { prepareChannel, type Prepared, type PrepareInput } from './prepare.ts';
import { WorkerPool } from '../util/worker-pool.ts';
import { workerScript } from '../util/worker-script.ts';

// Decoding, parsing and above all sanitizing feed items is CPU work that
// outweighs the I/O and SQLite work around it; a pool of worker threads does
// it while the main thread keeps fetching and storing. Workers cost a module
// load each (~0.3 s), so a run starts them only once it has seen enough feed
// bytes to repay that; small runs (a warm cycle, one changed feed, tests)
// stay in-process. Any worker failure sends the job back in-process: a
// broken worker slows a run down, never breaks it.

export interface PreparePoolOptions {
  /** Worker threads; default os.availableParallelism(). 0: always in-process. */
  size?: number;
  /** Feed bytes prepared in-process before the workers are started. */
  inlineBytes?: number;
  /** The worker's entry module (tests point it at a broken one). */
  workerEntry?: URL;
}

const DEFAULT_INLINE_BYTES = 1024 * 1024;

export class PreparePool {
  private readonly pool: WorkerPool<PrepareInput, Prepared>;
  private inlineLeft: number;

  constructor(opts: PreparePoolOptions = {}) {
    const size = Math.max(0, Math.floor(opts.size ?? os.availableParallelism()));
    this.pool = new WorkerPool(opts.workerEntry ? { url: opts.workerEntry } : workerScript(import.meta.url, 'prepare-worker-main'), size);
    this.inlineLeft = opts.inlineBytes ?? DEFAULT_INLINE_BYTES;
  }

  /** Jobs a worker answered (the rest ran in-process): for tests and diagnostics. */
  get workerJobs(): number {
    return this.pool.answered;
  }

  /** prepareChannel, on a worker when the run is big enough. Never throws. */
  async prepare(input: PrepareInput): Promise<Prepared> {
    if (this.inlineLeft > 0 || !this.pool.usable) {
      this.inlineLeft -= input.body.length;
      return prepareChannel(input);
    }
    return (await this.pool.run(input)) ?? prepareChannel(input);
  }

  /** Starts the workers ahead of the first job (a daemon's first new item then waits for no module loading). */
  warm(): void {
    this.pool.warm();
  }

  /** Stops the workers; jobs still out are finished in-process. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
