/**
 * The one bound on concurrent async work in refeed: at most `concurrency`
 * tasks at once overall and at most `perKey` at once for tasks sharing a key
 * (a host). Serves a batch (forEachLimited), work that arrives at any time
 * (run, push) and shutdown (close).
 *
 * A waiting task starts as soon as both bounds allow, earliest first among
 * those that may start: a busy key never holds up other keys' tasks queued
 * behind it. Waiting tasks sit in one FIFO per key, and the keys that could
 * start their head in a heap ordered by arrival, so starting a task costs
 * O(log keys) however many wait (10,000 channels of one host in a batch).
 */

export interface LimiterOptions {
  /** Tasks at once overall; unbounded when omitted. */
  concurrency?: number;
  /** Tasks at once per key; unbounded when omitted. */
  perKey?: number;
}

/** Why a task that was still waiting never ran: the limiter was closed. */
export class LimiterClosedError extends Error {
  constructor() {
    super('the task was dropped before it started: the limiter is closed');
    this.name = 'LimiterClosedError';
  }
}

interface Waiter {
  readonly seq: number;
  readonly key: string;
  readonly start: () => void;
  readonly drop: (reason: unknown) => void;
}

/** A FIFO with O(1) shift: a head index instead of moving the array. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/** Min-heap of (seq, key): which key's head arrived first. Entries may be stale; pump() checks them. */
class ReadyHeap {
  private readonly seqs: number[] = [];
  private readonly keys: string[] = [];

  get size(): number {
    return this.seqs.length;
  }
  push(seq: number, key: string): void {
    let i = this.seqs.length;
    this.seqs.push(seq);
    this.keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.seqs[parent] <= seq) break;
      this.move(parent, i);
      i = parent;
    }
    this.seqs[i] = seq;
    this.keys[i] = key;
  }
  pop(): { seq: number; key: string } | undefined {
    if (this.seqs.length === 0) return undefined;
    const top = { seq: this.seqs[0], key: this.keys[0] };
    const seq = this.seqs.pop()!;
    const key = this.keys.pop()!;
    const n = this.seqs.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && this.seqs[child + 1] < this.seqs[child]) child++;
        if (this.seqs[child] >= seq) break;
        this.move(child, i);
        i = child;
      }
      this.seqs[i] = seq;
      this.keys[i] = key;
    }
    return top;
  }
  clear(): void {
    this.seqs.length = 0;
    this.keys.length = 0;
  }
  private move(from: number, to: number): void {
    this.seqs[to] = this.seqs[from];
    this.keys[to] = this.keys[from];
  }
}

export class Limiter {
  private readonly concurrency: number;
  private readonly perKey: number;
  private readonly waiting = new Map<string, Fifo<Waiter>>();
  private readonly ready = new ReadyHeap();
  private readonly activeByKey = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Ids of push()ed tasks, queued or running. */
  private readonly ids = new Set<string>();
  private active = 0;
  private seq = 0;
  private closed = false;

  constructor(opts: LimiterOptions = {}) {
    this.concurrency = Math.max(1, opts.concurrency ?? Infinity);
    this.perKey = Math.max(1, opts.perKey ?? Infinity);
  }

  /**
   * Runs `task` once a slot for `key` is free; settles as the task does.
   * Rejects with LimiterClosedError when the limiter is closed before the task started.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LimiterClosedError());
    return new Promise<T>((resolve, reject) => {
      this.enqueue({ seq: this.seq++, key, start: () => this.execute(key, task).then(resolve, reject), drop: reject });
    });
  }

  /**
   * Queues `task` under `id` unless that id is already queued or running, or the limiter is closed;
   * returns whether it was queued. The task reports its own outcome: its errors are ignored here.
   */
  push(id: string, key: string, task: () => Promise<void>): boolean {
    if (this.closed || this.ids.has(id)) return false;
    this.ids.add(id);
    this.run(key, task)
      .catch(() => undefined)
      .finally(() => this.ids.delete(id));
    return true;
  }

  /** Whether a task pushed under `id` is queued or running. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Drops what has not started (its run() rejects with LimiterClosedError), and waits for what has. */
  async close(): Promise<void> {
    this.closed = true;
    const dropped = [...this.waiting.values()].flatMap((q) => q.drain());
    this.waiting.clear();
    this.ready.clear();
    for (const w of dropped) w.drop(new LimiterClosedError());
    await Promise.allSettled([...this.inFlight]);
  }

  private hasRoom(key: string): boolean {
    return (this.activeByKey.get(key) ?? 0) < this.perKey;
  }

  private enqueue(w: Waiter): void {
    let q = this.waiting.get(w.key);
    if (!q) this.waiting.set(w.key, (q = new Fifo()));
    q.push(w);
    if (q.size === 1 && this.hasRoom(w.key)) this.ready.push(w.seq, w.key);
    this.pump();
  }

  /** Starts waiting tasks while both bounds allow. Invariant: a key with room and waiters has its head in the heap. */
  private pump(): void {
    while (this.active < this.concurrency && this.ready.size > 0) {
      const { seq, key } = this.ready.pop()!;
      const q = this.waiting.get(key);
      const head = q?.peek();
      // Stale: the head started meanwhile (a duplicate entry), or the key filled up (its release re-adds it).
      if (!q || !head || head.seq !== seq || !this.hasRoom(key)) continue;
      q.shift();
      if (q.size === 0) this.waiting.delete(key);
      head.start();
      const next = q.peek();
      if (next && this.hasRoom(key)) this.ready.push(next.seq, key);
    }
  }

  private execute<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.active++;
    this.activeByKey.set(key, (this.activeByKey.get(key) ?? 0) + 1);
    let p: Promise<T>;
    try {
      p = task();
    } catch (err) {
      p = Promise.reject(err);
    }
    const done = p.then(
      () => this.release(key),
      () => this.release(key),
    );
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
    return p.finally(() => done);
  }

  private release(key: string): void {
    this.active--;
    const n = this.activeByKey.get(key)! - 1;
    if (n > 0) this.activeByKey.set(key, n);
    else this.activeByKey.delete(key);
    const head = this.waiting.get(key)?.peek();
    if (head) this.ready.push(head.seq, key);
    this.pump();
  }
}

/**
 * Runs `worker` over `items` with the limiter's bounds, in input order as slots
 * free up, and resolves when all have finished. Worker errors are the worker's
 * to catch: one item never stops the rest. An abort drops the items not started
 * and waits for those running.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  opts: LimiterOptions & { keyOf?: (item: T) => string; signal?: AbortSignal },
  worker: (item: T) => Promise<void>,
): Promise<void> {
  if (opts.signal?.aborted) return;
  const limiter = new Limiter(opts);
  const keyOf = opts.keyOf ?? (() => '');
  // One listener for the batch, not one per item (an AbortSignal warns past a few).
  const onAbort = () => void limiter.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(items.map((item) => limiter.run(keyOf(item), () => worker(item)).catch(() => undefined)));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
