import { createTask } from 'node-cron';

/** Milliseconds between a cron expression's next two runs (its period, for jitter and caching). */
export function cronPeriodMs(expr: string): number {
  const task = createTask(expr, () => undefined);
  try {
    const [a, b] = task.getNextRuns(2);
    return a && b ? Math.max(1000, b.getTime() - a.getTime()) : 60_000;
  } finally {
    void task.destroy();
  }
}

/**
 * cronPeriodMs with a memory, for one owner (a scheduler, a run): thousands
 * of channels share a handful of expressions, and building a task per
 * channel costs.
 */
export function cronPeriods(): (expr: string) => number {
  const periods = new Map<string, number>();
  return (expr) => {
    let period = periods.get(expr);
    if (period === undefined) periods.set(expr, (period = cronPeriodMs(expr)));
    return period;
  };
}
