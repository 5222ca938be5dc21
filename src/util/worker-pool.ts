import { Worker, type Transferable } from 'node:worker_threads';
import type { WorkerScript } from './worker-script.ts';

// A small pool of worker threads for CPU-bound steps (decoding and
// normalizing feeds, rendering feed items) so they use every core while the
// main thread does the I/O and SQLite work. Any failure — a worker that
// cannot start, crashes or answers with an error — resolves the job as
// undefined, and the caller does it in-process: a broken worker slows a run
// down, never breaks it. Idle workers are unref'ed so they never keep the
// process alive.

interface Job<Out> {
  resolve: (out: Out | undefined) => void;
}

interface Slot<Out> {
  worker: Worker;
  jobs: Map<number, Job<Out>>;
  dead: boolean;
}

/** What a worker posts back for job `id` (see serveJobs). */
export interface JobReply<Out> {
  id?: number;
  result?: Out;
  failure?: string;
}

/**
 * Our workers run batches of short jobs whose garbage dies young: a young
 * generation of 16 MB (V8's default lets it grow to 3 × 16 MB semi-spaces)
 * measured 25 MB less peak memory per worker on a full publish, for no time.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16 };

export class WorkerPool<In, Out> {
  private slots: Slot<Out>[] | undefined;
  private nextId = 1;
  private closed = false;
  /** Jobs a worker answered: for tests and diagnostics. */
  answered = 0;

  constructor(
    private readonly script: WorkerScript,
    private readonly size: number,
  ) {}

  /** Whether run() can use a worker at all. */
  get usable(): boolean {
    return this.size > 0 && !this.closed;
  }

  /** Runs `input` on the least busy worker; undefined when no worker could (do it in-process then). Never rejects. */
  run(input: In, transfer: readonly Transferable[] = []): Promise<Out | undefined> {
    if (!this.usable) return Promise.resolve(undefined);
    const slot = this.pickSlot();
    if (!slot) return Promise.resolve(undefined);
    return new Promise<Out | undefined>((resolve) => {
      const id = this.nextId++;
      slot.jobs.set(id, { resolve });
      if (slot.jobs.size === 1) slot.worker.ref();
      try {
        slot.worker.postMessage({ id, input }, transfer as Transferable[]);
      } catch {
        // e.g. an input that cannot be cloned
        slot.jobs.delete(id);
        if (slot.jobs.size === 0) slot.worker.unref();
        resolve(undefined);
      }
    });
  }

  /** Stops the workers; jobs still out resolve undefined. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots ?? [];
    this.slots = [];
    await Promise.all(slots.map((s) => this.retire(s)));
  }

  /** Starts the workers now rather than at the first job, which then does not wait for their module loading. */
  warm(): void {
    if (this.usable) this.slots ??= Array.from({ length: this.size }, () => this.spawn()).filter((s): s is Slot<Out> => s !== undefined);
  }

  private pickSlot(): Slot<Out> | undefined {
    this.warm();
    let best: Slot<Out> | undefined;
    for (const s of this.slots ?? []) if (!s.dead && (!best || s.jobs.size < best.jobs.size)) best = s;
    return best;
  }

  private spawn(): Slot<Out> | undefined {
    let worker: Worker;
    try {
      worker = new Worker(this.script.url, { resourceLimits: WORKER_LIMITS, ...this.script.options });
    } catch {
      return undefined;
    }
    worker.unref();
    const slot: Slot<Out> = { worker, jobs: new Map(), dead: false };
    worker.on('message', (msg: JobReply<Out>) => {
      if (msg.id === undefined) return;
      const job = slot.jobs.get(msg.id);
      if (!job) return;
      slot.jobs.delete(msg.id);
      if (slot.jobs.size === 0) worker.unref();
      if (msg.result !== undefined) this.answered++;
      job.resolve(msg.result);
    });
    worker.on('error', () => void this.retire(slot));
    worker.on('messageerror', () => void this.retire(slot));
    worker.on('exit', () => void this.retire(slot));
    return slot;
  }

  /** Takes a worker out of service; its outstanding jobs resolve undefined. */
  private async retire(slot: Slot<Out>): Promise<void> {
    if (!slot.dead) {
      slot.dead = true;
      const jobs = [...slot.jobs.values()];
      slot.jobs.clear();
      for (const job of jobs) job.resolve(undefined);
    }
    await slot.worker.terminate().catch(() => undefined);
  }
}
