// Child process: runs ONE measurement and reports its timing and the
// process's peak RSS. A fresh process per measurement makes the peak RSS that
// measurement's own, and keeps one run's heap and caches out of the next.
import { reportFatal } from './child.ts';
import type { Task, TaskResult } from './tasks.ts';

process.once('message', async (task: Task) => {
  try {
    // Loading the code is not part of any measurement: import first, time inside.
    const { runTask } = await import('./tasks.ts');
    const result = await runTask(task);
    const maxRssMB = process.resourceUsage().maxRSS / 1024;
    process.send!({ type: 'result', ...result, maxRssMB } satisfies TaskResult & { type: 'result' }, () => process.exit(0));
  } catch (err) {
    reportFatal(err);
    setTimeout(() => process.exit(1), 100);
  }
});
process.on('disconnect', () => process.exit(0));
