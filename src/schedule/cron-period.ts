import { createTask } from 'node-cron';

/** Milliseconds between a cron expression's next two runs (its period, for jitter and caching). */
export function cronPeriodMs(expr: string, from = new Date()): number {
  const task = createTask(expr, () => undefined);
  try {
    const [a, b] = task.getNextRuns(2);
    return a && b ? Math.max(1000, b.getTime() - a.getTime()) : 60_000;
  } finally {
    void task.destroy();
  }
}

/** The next time a cron expression fires after `from`. */
export function cronNextRun(expr: string): number | undefined {
  const task = createTask(expr, () => undefined);
  try {
    return task.getNextRun()?.getTime();
  } finally {
    void task.destroy();
  }
}
