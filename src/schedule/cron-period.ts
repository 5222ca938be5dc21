import { createTask } from 'node-cron';

// Thousands of channels share a handful of expressions; building a task per channel costs.
const periods = new Map<string, number>();

/** Milliseconds between a cron expression's next two runs (its period, for jitter and caching). */
export function cronPeriodMs(expr: string): number {
  let period = periods.get(expr);
  if (period === undefined) {
    const task = createTask(expr, () => undefined);
    try {
      const [a, b] = task.getNextRuns(2);
      period = a && b ? Math.max(1000, b.getTime() - a.getTime()) : 60_000;
    } finally {
      void task.destroy();
    }
    periods.set(expr, period);
  }
  return period;
}

