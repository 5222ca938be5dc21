/**
 * Runs `worker` over `items` with at most `concurrency` in flight overall and
 * at most `perKey` for items sharing a key (a host), in input order as slots
 * free up. Worker errors are the worker's to catch: one item never stops the rest.
 */
export async function runPool<T>(
  items: readonly T[],
  opts: { concurrency: number; perKey?: number; keyOf?: (item: T) => string; signal?: AbortSignal },
  worker: (item: T) => Promise<void>,
): Promise<void> {
  const perKey = opts.perKey ?? Infinity;
  const keyOf = opts.keyOf ?? (() => '');
  const pending = [...items];
  const active = new Map<string, number>();
  let running = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (opts.signal?.aborted) pending.length = 0;
      if (pending.length === 0 && running === 0) return resolve();
      for (let i = 0; i < pending.length && running < opts.concurrency; ) {
        const key = keyOf(pending[i]);
        if ((active.get(key) ?? 0) >= perKey) {
          i++;
          continue;
        }
        const [item] = pending.splice(i, 1);
        running++;
        active.set(key, (active.get(key) ?? 0) + 1);
        worker(item)
          .catch(() => undefined)
          .finally(() => {
            running--;
            active.set(key, active.get(key)! - 1);
            pump();
          });
      }
    };
    pump();
  });
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
