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

/**
 * The next run of a cron expression after now, in a time zone (the one the
 * queue's job schedulers read it in), with a memory of one task per
 * expression and zone, as cronPeriods.
 */
export function cronNextRuns(): (expr: string, timezone?: string) => number | undefined {
  const tasks = new Map<string, ReturnType<typeof createTask>>();
  return (expr, timezone) => {
    const id = `${timezone ?? ''}\n${expr}`;
    let task = tasks.get(id);
    if (!task) tasks.set(id, (task = createTask(expr, () => undefined, timezone ? { timezone } : {})));
    return task.getNextRuns(1)[0]?.getTime();
  };
}
