import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { prepareChannel, type Prepared, type PrepareInput } from './prepare.ts';

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

interface Job {
  resolve: (p: Prepared | Promise<Prepared>) => void;
  input: PrepareInput;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
  dead: boolean;
}

const WORKER_ENTRY = new URL('./prepare-worker.js', import.meta.url);
const DEFAULT_INLINE_BYTES = 1024 * 1024;

export class PreparePool {
  private readonly size: number;
  private readonly entry: URL;
  private inlineLeft: number;
  private slots: Slot[] | undefined;
  private nextId = 1;
  private closed = false;
  /** Jobs a worker answered (the rest ran in-process): for tests and diagnostics. */
  workerJobs = 0;

  constructor(opts: PreparePoolOptions = {}) {
    this.size = Math.max(0, Math.floor(opts.size ?? os.availableParallelism()));
    this.inlineLeft = opts.inlineBytes ?? DEFAULT_INLINE_BYTES;
    this.entry = opts.workerEntry ?? WORKER_ENTRY;
  }

  /** prepareChannel, on a worker when the run is big enough. Never throws. */
  prepare(input: PrepareInput): Promise<Prepared> {
    if (this.inlineLeft > 0 || this.size === 0 || this.closed) {
      this.inlineLeft -= input.body.length;
      return prepareChannel(input);
    }
    const slot = this.pickSlot();
    if (!slot) return prepareChannel(input);
    return new Promise<Prepared>((resolve) => {
      const id = this.nextId++;
      slot.jobs.set(id, { resolve, input });
      if (slot.jobs.size === 1) slot.worker.ref();
      try {
        slot.worker.postMessage({ id, input });
      } catch {
        // e.g. an input that cannot be cloned: do it here.
        slot.jobs.delete(id);
        if (slot.jobs.size === 0) slot.worker.unref();
        resolve(prepareChannel(input));
      }
    });
  }

  /** Stops the workers; jobs still out are finished in-process. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots ?? [];
    this.slots = [];
    await Promise.all(slots.map((s) => this.retire(s)));
  }

  private pickSlot(): Slot | undefined {
    this.slots ??= Array.from({ length: this.size }, () => this.spawn()).filter((s): s is Slot => s !== undefined);
    let best: Slot | undefined;
    for (const s of this.slots) if (!s.dead && (!best || s.jobs.size < best.jobs.size)) best = s;
    return best;
  }

  private spawn(): Slot | undefined {
    let worker: Worker;
    try {
      worker = new Worker(this.entry);
    } catch {
      return undefined;
    }
    worker.unref();
    const slot: Slot = { worker, jobs: new Map(), dead: false };
    worker.on('message', (msg: { id?: number; result?: Prepared; failure?: string }) => {
      if (msg.id === undefined) return;
      const job = slot.jobs.get(msg.id);
      if (!job) return;
      slot.jobs.delete(msg.id);
      if (slot.jobs.size === 0) worker.unref();
      if (msg.result) this.workerJobs++;
      job.resolve(msg.result ?? prepareChannel(job.input));
    });
    worker.on('error', () => void this.retire(slot));
    worker.on('messageerror', () => void this.retire(slot));
    worker.on('exit', () => void this.retire(slot));
    return slot;
  }

  /** Takes a worker out of service and redoes its outstanding jobs in-process. */
  private async retire(slot: Slot): Promise<void> {
    if (!slot.dead) {
      slot.dead = true;
      const jobs = [...slot.jobs.values()];
      slot.jobs.clear();
      for (const job of jobs) job.resolve(prepareChannel(job.input));
    }
    await slot.worker.terminate().catch(() => undefined);
  }
}
