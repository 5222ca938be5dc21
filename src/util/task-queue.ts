/**
 * A long-lived work queue with a global bound and a per-key (per-host) bound.
 * Unlike a batch pool, jobs arrive at any time; each job's key also refuses
 * duplicates so a channel never has two fetches queued or in flight.
 */
export class TaskQueue {
  private readonly waiting: { id: string; key: string; run: () => Promise<void> }[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perKey = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly perKeyLimit: number,
  ) {}

  /** Queues `run` under `id` unless that id is already queued or running. Returns whether it was queued. */
  push(id: string, key: string, run: () => Promise<void>): boolean {
    if (this.closed || this.has(id)) return false;
    this.waiting.push({ id, key, run });
    this.pump();
    return true;
  }

  has(id: string): boolean {
    return this.inFlight.has(id) || this.waiting.some((w) => w.id === id);
  }

  /** Drops what has not started, and waits for what has. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length && this.inFlight.size < this.concurrency; ) {
      const job = this.waiting[i];
      if ((this.perKey.get(job.key) ?? 0) >= this.perKeyLimit) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.perKey.set(job.key, (this.perKey.get(job.key) ?? 0) + 1);
      const p = job
        .run()
        .catch(() => undefined)
        .finally(() => {
          this.inFlight.delete(job.id);
          this.perKey.set(job.key, this.perKey.get(job.key)! - 1);
          this.pump();
        });
      this.inFlight.set(job.id, p);
    }
  }
}
