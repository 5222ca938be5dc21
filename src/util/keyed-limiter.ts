/**
 * At most `limit` tasks at once per key (a host), the rest waiting their turn
 * in arrival order. For work that arrives from elsewhere (a queue's jobs)
 * rather than as a list a pool can order.
 */
export class KeyedLimiter {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly limit: number) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if ((this.running.get(key) ?? 0) >= this.limit) {
      await new Promise<void>((resolve) => {
        let list = this.waiting.get(key);
        if (!list) this.waiting.set(key, (list = []));
        list.push(resolve);
      });
    } else this.running.set(key, (this.running.get(key) ?? 0) + 1);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  /** Hands the slot to the next waiting task of the key, if any (the count stays), else frees it. */
  private release(key: string): void {
    const next = this.waiting.get(key)?.shift();
    if (this.waiting.get(key)?.length === 0) this.waiting.delete(key);
    if (next) return next();
    const n = (this.running.get(key) ?? 1) - 1;
    if (n > 0) this.running.set(key, n);
    else this.running.delete(key);
  }
}
